import Foundation
import ZIPFoundation

/// XLSX logs: the first sheet (or the one named), header row by Chinese names as for CSV, shared
/// and inline strings, Excel date numbers in time columns. The sheet is decompressed on a thread
/// into a bounded queue and tokenised as it arrives, so memory stays flat whatever its size; only
/// the shared-string table is held (Excel keeps repeated text there once).
public final class XLSXLogReader: LogRowReader {
    let file: String
    let archive: Archive
    let shared: [String]
    let scanner: XMLPullScanner
    let sheetJob: Extraction
    var map: HeaderMap!
    var extractionError: Error? { sheetJob.error }
    let uncompressedSize: Int
    public var unknownHeaders: [String] { map?.unknownHeaders ?? [] }
    /// Uncompressed sheet bytes read so far, and in all (progress).
    public var progress: (done: Int, total: Int) { (scanner.bytesScanned, uncompressedSize) }

    /// `mapHeader` false: the caller reads every row itself with `nextRow` (a table that is not a log).
    public init(path: String, sheet: String? = nil, mapHeader: Bool = true) throws {
        file = path
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw ImportFileError(file: path, reason: "不是有效的 XLSX 文件 (not a readable XLSX/ZIP file)")
        }
        func part(_ name: String) throws -> [UInt8]? {
            guard let e = archive[name] else { return nil }
            var data: [UInt8] = []
            _ = try archive.extract(e, skipCRC32: true) { data += $0 }
            return data
        }
        func events(_ bytes: [UInt8]) -> XMLPullScanner {
            var given = false
            return XMLPullScanner { defer { given = true }; return given ? nil : bytes }
        }
        // Which part is the sheet: workbook.xml names the sheets, its rels give their files.
        guard let workbook = try part("xl/workbook.xml"), let rels = try part("xl/_rels/workbook.xml.rels") else {
            throw ImportFileError(file: path, reason: "XLSX 缺少 workbook.xml (no workbook in the file)")
        }
        var sheets: [(name: String, rid: String)] = []
        let wb = events(workbook)
        while let e = try wb.next() {
            if case .start("sheet", let a, _) = e, let n = a["name"], let id = a["id"] { sheets.append((n, id)) }
        }
        var targets: [String: String] = [:]
        let rl = events(rels)
        while let e = try rl.next() {
            if case .start("Relationship", let a, _) = e, let id = a["Id"], let t = a["Target"] { targets[id] = t }
        }
        let chosen: (name: String, rid: String)
        if let sheet {
            guard let s = sheets.first(where: { $0.name == sheet }) else {
                throw ImportFileError(file: path, reason: "没有名为「\(sheet)」的工作表；有 (sheets are): \(sheets.map(\.name).joined(separator: ", "))")
            }
            chosen = s
        } else {
            guard let s = sheets.first else { throw ImportFileError(file: path, reason: "XLSX 中没有工作表 (no sheet)") }
            chosen = s
        }
        guard var target = targets[chosen.rid] else {
            throw ImportFileError(file: path, reason: "找不到工作表「\(chosen.name)」的内容 (sheet part missing)")
        }
        target = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        guard let sheetEntry = archive[target] else {
            throw ImportFileError(file: path, reason: "找不到工作表文件 \(target) (sheet part missing)")
        }
        uncompressedSize = Int(sheetEntry.uncompressedSize)

        // Shared strings: each <si> is the concatenation of its <t> runs (not phonetic <rPh> ones).
        var strings: [String] = []
        if let sst = archive["xl/sharedStrings.xml"] {
            let job = Extraction(archive: archive, entry: sst)
            job.start()
            let sc = XMLPullScanner { job.channel.receive() }
            var current = "", inT = false, inPhonetic = false
            while let e = try sc.next() {
                switch e {
                case .start("si", _, _): current = ""
                case .end("si"): strings.append(current)
                case .start("rPh", _, let sc): inPhonetic = !sc
                case .end("rPh"): inPhonetic = false
                case .start("t", _, let sc): inT = !sc
                case .end("t"): inT = false
                case .text(let s) where inT && !inPhonetic: current += s
                default: break
                }
            }
            if let failure = job.error { throw ImportFileError(file: path, reason: "共享字符串表损坏 (sharedStrings.xml unreadable): \(failure)") }
        }
        shared = strings
        self.archive = archive

        // The shared strings are read (their thread is done): the archive is the sheet's alone now.
        sheetJob = Extraction(archive: archive, entry: sheetEntry)
        let channel = sheetJob.channel
        scanner = XMLPullScanner { channel.receive() }
        sheetJob.start()

        guard mapHeader else { return }
        // The header: the first row with any text.
        while let row = try nextRow() {
            if row.cells.contains(where: { !$0.trimmed.isEmpty }) {
                map = HeaderMap(headers: row.cells)
                break
            }
        }
        guard let map else { throw ImportFileError(file: path, reason: "工作表是空的 (empty sheet)") }
        let missing = map.missingRequired
        if !missing.isEmpty {
            throw ImportFileError(file: path, reason: "表头缺少列 (missing columns): \(missing.map(\.displayName).joined(separator: ", "))；"
                                  + "表头为 (header is): \(map.columnCount) 列")
        }
        timeColumns = [LogField.askedAt, .labeledAt, .reviewedAt].map { map.columns[$0.rawValue] }.filter { $0 >= 0 }
    }

    deinit { sheetJob.channel.cancel() }

    var timeColumns: [Int] = []

    /// The next <row>: cells by column (gaps filled with ""), and its row number.
    func nextRow() throws -> (number: Int, cells: [String])? {
        var cells: [String] = []
        var number = 0
        var inRow = false
        var col = 0, type = "", value = "", inline = "", inValue = false, inText = false
        while let e = try scanner.next() {
            switch e {
            case .start("row", let a, let selfClosing):
                number = a["r"].flatMap(Int.init) ?? number + 1
                if selfClosing { return (number, []) }
                inRow = true
            case .end("row"):
                if let err = extractionError { throw ImportFileError(file: file, reason: "解压失败 (cannot decompress): \(err)") }
                return (number, cells)
            case .start("c", let a, let selfClosing) where inRow:
                col = a["r"].map(Self.column) ?? cells.count
                type = a["t"] ?? "n"
                value = ""
                inline = ""
                if selfClosing { col = -1 }
            case .start("v", _, _): inValue = true
            case .end("v"): inValue = false
            case .start("t", _, let sc): inText = !sc
            case .end("t"): inText = false
            case .text(let s):
                if inValue { value += s } else if inText { inline += s }
            case .end("c") where col >= 0:
                let text: String
                switch type {
                case "s": text = Int(value).flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? ""
                case "inlineStr": text = inline
                case "b": text = value == "1" ? "是" : "否"
                default: text = value
                }
                if cells.count <= col { cells += Array(repeating: "", count: col + 1 - cells.count) }
                cells[col] = text
            default: break
            }
        }
        if let err = extractionError { throw ImportFileError(file: file, reason: "解压失败 (cannot decompress): \(err)") }
        return inRow ? (number, cells) : nil
    }

    /// "AB12" → 27.
    static func column(_ ref: String) -> Int {
        var n = 0
        for u in ref.unicodeScalars {
            guard u.value >= 65 && u.value <= 90 else { break }
            n = n * 26 + Int(u.value - 64)
        }
        return max(0, n - 1)
    }

    /// An Excel date number (days since 1899-12-30, wall-clock time) as `yyyy-MM-dd HH:mm:ss`.
    static func excelDate(_ text: String) -> String? {
        guard !text.contains("-"), !text.contains("/"), let d = Double(text), d > 1, d < 200_000 else { return nil }
        let seconds = Int64(((d - 25569) * 86400).rounded())
        return ShanghaiTime.format(seconds - ShanghaiTime.offsetSeconds)
    }

    public func next() throws -> RowResult? {
        while let row = try nextRow() {
            if row.cells.allSatisfy({ $0.trimmed.isEmpty }) { continue }
            var cells = row.cells
            for c in timeColumns where c < cells.count {
                if let d = Self.excelDate(cells[c]) { cells[c] = d }
            }
            if cells.count < map.columnCount { cells += Array(repeating: "", count: map.columnCount - cells.count) }
            return .row(map.raw(cells), line: row.number)
        }
        return nil
    }
}

/// One ZIP entry decompressed on its own thread into a bounded queue of chunks. The archive is
/// used by one thread at a time (the reader starts the next job only after the last one ended).
final class Extraction: @unchecked Sendable {
    let archive: Archive
    let entry: Entry
    let channel = BatchChannel<[UInt8]>(capacity: 8)
    /// Set before the channel closes; read after it has.
    private(set) var error: Error?

    init(archive: Archive, entry: Entry) {
        self.archive = archive
        self.entry = entry
    }

    func start() {
        let t = Thread { [self] in
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { data in
                    if !self.channel.send(Array(data)) { throw CancellationError() }
                }
            } catch is CancellationError {
            } catch {
                self.error = error
            }
            channel.close()
        }
        t.start()
    }
}
