import Foundation
import ZIPFoundation

/// XLSX logs: the first sheet (or the one named), header row by Chinese names as for CSV, shared
/// and inline strings, Excel date numbers in time columns. The sheet is decompressed on a thread
/// into a bounded queue and tokenised as it arrives, so memory stays flat whatever its size; only
/// the shared-string table is held (Excel keeps repeated text there once).
public final class XLSXLogReader: LogRowReader {
    let file: String
    let archive: Archive
    let shared: SharedStrings
    let scanner: XMLPullScanner
    let sheetJob: Extraction
    var map: HeaderMap!
    /// Why the sheet's decompression stopped (one line naming the file and the part), if it did.
    var extractionError: Error? { sheetJob.error }
    let uncompressedSize: Int
    public var unknownHeaders: [String] { map?.unknownHeaders ?? [] }
    public var duplicateHeaders: [String] { map?.duplicateHeaders ?? [] }
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
        var st = stat()
        let archiveBytes: UInt64 = stat(path, &st) == 0 ? UInt64(st.st_size) : .max
        /// Every part is read as a stream, through the same bounds (`Extraction`): the small ones
        /// whole only up to `ImportLimits.partBytes`, none inflating like a bomb.
        func job(_ entry: Entry, limit: Int? = nil) throws -> Extraction {
            let job = Extraction(archive: archive, entry: entry, file: path, limit: limit, archiveBytes: archiveBytes)
            try job.checkDeclaredSize()
            return job
        }
        func scan(_ name: String, _ take: (XMLPullScanner.Event) -> Void) throws -> Bool {
            guard let e = archive[name] else { return false }
            let part = try job(e, limit: ImportLimits.partBytes)
            part.start()
            defer { part.stop() }
            let sc = XMLPullScanner { try part.next() }
            do {
                while let event = try sc.next() { take(event) }
            } catch is XMLPullScanner.TooLarge {
                throw part.refusal(ImportLimits.recordBytes, "一段内容超过 \(ImportLimits.megabytes(ImportLimits.recordBytes))")
            }
            return true
        }
        // Which part is the sheet: workbook.xml names the sheets, its rels give their files.
        var sheets: [(name: String, rid: String)] = []
        var targets: [String: String] = [:]
        guard try scan("xl/workbook.xml", { e in
            if case .start("sheet", let a, _) = e, let n = a["name"], let id = a["id"] { sheets.append((n, id)) }
        }), try scan("xl/_rels/workbook.xml.rels", { e in
            if case .start("Relationship", let a, _) = e, let id = a["Id"], let t = a["Target"] { targets[id] = t }
        }) else {
            throw ImportFileError(file: path, reason: "XLSX 缺少 workbook.xml (no workbook in the file)")
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
        let sheetJob = try job(sheetEntry)
        self.sheetJob = sheetJob

        // Shared strings: each <si> is the concatenation of its <t> runs (not phonetic <rPh> ones).
        let strings = SharedStrings()
        if let sst = archive["xl/sharedStrings.xml"] {
            let job = try job(sst)
            job.start()
            defer { job.stop() }
            let sc = XMLPullScanner { try job.next() }
            var current = "", inT = false, inPhonetic = false
            do {
                while let e = try sc.next() {
                    switch e {
                    case .start("si", _, _): current = ""
                    case .end("si"):
                        guard strings.count < ImportLimits.sharedStringsCount else {
                            throw ImportFileError(file: path, reason: "xl/sharedStrings.xml 的共享字符串超过 \(OutputFile.grouped(ImportLimits.sharedStringsCount)) 项，不是日志，未导入 (more shared strings than any log has; nothing imported)")
                        }
                        try strings.append(current)
                        guard strings.bytes <= ImportLimits.sharedStringsBytes else {
                            throw ImportFileError(file: path, reason: "共享字符串表展开后超过 \(ImportLimits.sharedStringsBytes >> 30) GB，未导入 (shared strings expand beyond the limit; nothing imported)")
                        }
                    case .start("rPh", _, let sc): inPhonetic = !sc
                    case .end("rPh"): inPhonetic = false
                    case .start("t", _, let sc): inT = !sc
                    case .end("t"): inT = false
                    case .text(let s) where inT && !inPhonetic:
                        current += s
                        guard current.utf8.count <= ImportLimits.fieldBytes else {
                            throw ImportFileError(file: path, reason: "共享字符串第 \(strings.count + 1) 项超过 \(ImportLimits.megabytes(ImportLimits.fieldBytes))，不是日志文本，未导入 (a shared string over the per-cell limit; nothing imported)")
                        }
                    default: break
                    }
                }
                try strings.finish()
            } catch is XMLPullScanner.TooLarge {
                throw ImportFileError(file: path, reason: "共享字符串表第 \(strings.count + 1) 项超过 \(ImportLimits.megabytes(ImportLimits.recordBytes))，未导入 (a shared string beyond the limit; nothing imported)")
            }
            if let failure = job.error { throw failure }  // already one line naming the file and the part
        }
        shared = strings
        self.archive = archive

        // The shared strings are read (their thread is done): the archive is the sheet's alone now.
        scanner = XMLPullScanner { try sheetJob.next() }
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

    deinit { sheetJob.stop() }

    var timeColumns: [Int] = []

    /// The next <row>: cells by column (gaps filled with ""), and its row number. Cell references
    /// beyond Excel's 16,384 columns or 1,048,576 rows, a cell over the field limit and a shared
    /// string that is not in the table stop the import with the row and the cell named.
    func nextRow() throws -> (number: Int, cells: [String])? {
        var cells: [String] = []
        var number = 0
        var inRow = false
        var col = 0, ref = "", type = "", value = "", inline = "", inValue = false, inText = false
        /// The row's cells together, as a CSV record: a shared string of 1 MB named by 16,384
        /// cells would otherwise make 16 GB of one row.
        var rowBytes = 0
        func refuse(_ why: String) -> ImportFileError {
            ImportFileError(file: file, reason: "第 \(number) 行" + (ref.isEmpty ? "" : " 单元格 \(VisibleText.singleLine(String(ref.prefix(20))))")
                            + "：\(why)")
        }
        do {
            while let e = try scanner.next() {
                switch e {
                case .start("row", let a, let selfClosing):
                    number = a["r"].map { Int($0) ?? -1 } ?? number + 1
                    ref = ""
                    guard (1...ImportLimits.maxRows).contains(number) else {
                        number = 0
                        throw refuse("行号 \(VisibleText.singleLine(String((a["r"] ?? "").prefix(20)))) 超出 Excel 的 1,048,576 行 (row number beyond Excel's bounds)")
                    }
                    if selfClosing { return (number, []) }
                    inRow = true
                case .end("row"):
                    if let err = extractionError { throw err }
                    return (number, cells)
                case .start("c", let a, let selfClosing) where inRow:
                    ref = a["r"] ?? ""
                    if a["r"] != nil {
                        guard let c = Self.column(ref) else { throw refuse("列超出 Excel 的 16,384 列 (XFD) (a column beyond Excel's bounds)") }
                        col = c
                    } else {
                        col = cells.count
                        guard col < ImportLimits.maxColumns else { throw refuse("超过 16,384 列 (more than Excel's 16,384 columns)") }
                    }
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
                    if value.utf8.count + inline.utf8.count > ImportLimits.fieldBytes {
                        throw refuse("单元格超过 \(ImportLimits.megabytes(ImportLimits.fieldBytes)) (a cell over the limit)")
                    }
                case .end("c") where col >= 0:
                    let text: String
                    switch type {
                    case "s":
                        guard let i = Int(value), let s = shared[i] else {
                            throw refuse("共享字符串序号 \(VisibleText.singleLine(String(value.prefix(20)))) 不在表中（共 \(shared.count) 项）(a shared string that is not in the table)")
                        }
                        text = s
                    case "inlineStr": text = inline
                    case "b": text = value == "1" ? "是" : "否"
                    default: text = value
                    }
                    rowBytes += text.utf8.count
                    guard rowBytes <= ImportLimits.recordBytes else {
                        throw refuse("这一行的单元格合计超过 \(ImportLimits.megabytes(ImportLimits.recordBytes))，未导入 (a row over the limit; nothing imported)")
                    }
                    if cells.count <= col { cells += Array(repeating: "", count: col + 1 - cells.count) }
                    cells[col] = text
                default: break
                }
            }
        } catch let e as XMLPullScanner.TooLarge {
            throw refuse("一段内容超过 \(ImportLimits.megabytes(ImportLimits.recordBytes))（\(e.bytes >> 20) MB 仍未结束）(a piece of the sheet beyond the limit)")
        }
        if let err = extractionError { throw err }
        return inRow ? (number, cells) : nil
    }

    /// "AB12" → 27; nil beyond Excel's 16,384 columns (XFD) or for a reference without letters.
    static func column(_ ref: String) -> Int? {
        var n = 0, letters = 0
        for u in ref.unicodeScalars {
            guard u.value >= 65 && u.value <= 90 else { break }
            letters += 1
            guard letters <= 3 else { return nil }
            n = n * 26 + Int(u.value - 64)
        }
        guard letters > 0, n <= ImportLimits.maxColumns else { return nil }
        return n - 1
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

/// One ZIP entry decompressed on its own thread into a bounded queue of chunks, with bounds
/// checked before anything is inflated: a part stated to expand past `limit`, or past
/// `ImportLimits.inflateGrace` to more than `ImportLimits.inflateRatio` times its compressed size,
/// is refused with one line naming the file and the part. What is inflated is counted, and a part
/// that inflates past the size the ZIP states (a forged or damaged file; an honest writer never
/// does) is refused at that byte, so the stated size bounds memory and time.
/// The archive is used by one thread at a time (the reader starts the next job only after the
/// last one ended: `stop` waits for the thread).
final class Extraction: @unchecked Sendable {
    let archive: Archive
    let entry: Entry
    let file: String
    let limit: Int?
    /// What the ZIP says the part expands to, and its compressed data at most (within the file).
    let stated: UInt64
    let compressed: UInt64
    let channel = BatchChannel<[UInt8]>(capacity: 8)
    private let finished = DispatchSemaphore(value: 0)
    private var started = false
    /// Set before the channel closes; read after it has.
    private(set) var error: Error?

    init(archive: Archive, entry: Entry, file: String, limit: Int?, archiveBytes: UInt64) {
        self.archive = archive
        self.entry = entry
        self.file = file
        self.limit = limit
        stated = entry.uncompressedSize
        compressed = min(entry.compressedSize, archiveBytes)
    }

    var part: String { VisibleText.singleLine(String(entry.path.prefix(200))) }

    /// Refuses a part whose stated size is beyond its bounds, before anything is inflated.
    func checkDeclaredSize() throws {
        if let limit, stated > UInt64(limit) {
            throw refusal(limit, "展开后为 \(Self.size(stated))，超过 \(ImportLimits.megabytes(limit))")
        }
        if entry.isCompressed, stated > UInt64(ImportLimits.inflateGrace), stated / max(compressed, 1) >= UInt64(ImportLimits.inflateRatio) {
            throw ImportFileError(file: file, reason: "\(part) 压缩 \(Self.size(compressed))，展开后为 \(Self.size(stated))，超过压缩大小的 \(ImportLimits.inflateRatio) 倍，"
                                  + "像是解压炸弹，未导入 (the part inflates over \(ImportLimits.inflateRatio)× its compressed size, like a decompression bomb; nothing imported)")
        }
    }

    func refusal(_ limit: Int, _ what: String) -> ImportFileError {
        ImportFileError(file: file, reason: "\(part) \(what)，工作簿的这一部分不会这么大，未导入 (the part is beyond \(ImportLimits.megabytes(limit)); nothing imported)")
    }

    static func size(_ bytes: UInt64) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) : OutputFile.size(Int64(bytes))
    }

    func start() {
        started = true
        let t = Thread { [self] in
            var expanded: UInt64 = 0
            do {
                _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { data in
                    expanded += UInt64(data.count)
                    guard expanded <= self.stated else {
                        throw ImportFileError(file: self.file, reason: "\(self.part) 解压后比 ZIP 中记录的大小（\(Self.size(self.stated))）更大，文件损坏或经过改动，未导入 (the part inflates beyond the size the ZIP states: damaged or forged; nothing imported)")
                    }
                    if !self.channel.send(Array(data)) { throw CancellationError() }
                }
            } catch is CancellationError {
            } catch let e as ImportFileError {
                self.error = e
            } catch {
                self.error = ImportFileError(file: file, reason: "\(part) 解压失败 (cannot decompress): \(error)")
            }
            channel.close()
            finished.signal()
        }
        t.start()
    }

    /// The next chunk, on the reading thread; after the last one, the extraction's refusal if any.
    func next() throws -> [UInt8]? {
        if let chunk = channel.receive() { return chunk }
        if let error { throw error }
        return nil
    }

    /// Stops the extraction and waits for its thread, so the archive is free for the next part.
    func stop() {
        channel.cancel()
        if started {
            started = false
            finished.wait()
        }
    }
}
