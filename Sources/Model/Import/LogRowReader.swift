import Foundation

/// One row out of a log file: the raw text by field, or why the row cannot be read.
public enum RowResult {
    case row(RawLogRow, line: Int)
    case problem(RowProblem)
}

/// A reader of one file format. CSV and JSONL now; XLSX slots in beside them.
public protocol LogRowReader: AnyObject {
    func next() throws -> RowResult?
    /// Columns or keys that map to no field (reported, not fatal).
    var unknownHeaders: [String] { get }
    /// Columns that name a field an earlier column already gave (reported; the first is read).
    var duplicateHeaders: [String] { get }
}

extension LogRowReader {
    public var duplicateHeaders: [String] { [] }
}

/// CSV with a header row. Rows with a different column count are reported, not guessed at.
public final class CSVLogReader: LogRowReader {
    let scanner: CSVScanner
    let map: HeaderMap
    let file: String
    /// The header's names, to say which column a broken quote opened in.
    let headerNames: [String]
    public var unknownHeaders: [String] { map.unknownHeaders }
    public var duplicateHeaders: [String] { map.duplicateHeaders }

    public init(source: ByteSource, file: String) throws {
        scanner = CSVScanner(source: source)
        try scanner.skipBOM()
        let firstLine = try scanner.peekFirstLine()
        // Excel's "Unicode text" and some vendors write tabs; a header with tabs and no commas says so.
        let tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ",")
        if firstLine.contains(tab), !firstLine.contains(comma) { scanner.delimiter = tab }
        self.file = file
        guard let header = try scanner.next() else {
            throw ImportFileError(file: file, reason: "文件是空的 (empty file)")
        }
        if !header.invalidFields.isEmpty {
            throw ImportFileError(file: file, reason: "表头不是有效的 UTF-8，请用 --encoding gb18030 (header is not valid UTF-8)")
        }
        map = HeaderMap(headers: header.fields)
        headerNames = header.fields
        // From here a quote that swallows the lines after it costs its own line only.
        scanner.expectedFields = map.columnCount
        let missing = map.missingRequired
        if !missing.isEmpty {
            throw ImportFileError(
                file: file,
                reason: "表头缺少列 (missing columns): \(missing.map(\.displayName).joined(separator: ", "))；"
                    + "表头为 (header is): \(header.fields.prefix(20).joined(separator: ", "))")
        }
    }

    /// How many more ragged rows get their start shown (an importer lists no more than these).
    var shownLeft = ImportSummary.keptProblems

    /// The start of a row, as a message shows it (numbers masked): 「…」, or nothing past the
    /// first rows reported.
    func seen(_ fields: [String]) -> String {
        guard shownLeft > 0 else { return " " }
        shownLeft -= 1
        return "「" + CSVScanner.shortened(Masking.mask(String(fields.joined(separator: ",").prefix(300))), characters: 20) + "」"
    }

    public func next() throws -> RowResult? {
        let record: CSVRecord?
        do {
            record = try scanner.next()
        } catch CSVScanError.recordTooLong(let line) {
            throw ImportFileError(
                file: file,
                reason: "第 \(line) 行起的引号没有闭合，吞掉了文件的其余部分；请修正后重新导入 (an unclosed quote from line \(line) swallows the rest of the file)")
        }
        guard let r = record else { return nil }
        if let broken = r.broken {
            let column = broken.quoteColumn - 1
            let name = broken.reason == .lineTooLong(limit: scanner.maxRecordBytes) || column >= headerNames.count
                ? nil : headerNames[column].trimmed
            return .problem(RowProblem(file: file, line: r.line, field: name?.isEmpty == false ? name : nil, reason: broken.message))
        }
        if r.fields.count != map.columnCount {
            return .problem(RowProblem(
                file: file, line: r.line, field: nil,
                reason: "列数不对：应为 \(map.columnCount) 列，实为 \(r.fields.count) 列\(seen(r.fields))(expected \(map.columnCount) columns, found \(r.fields.count))"))
        }
        // A garbled column nobody reads (not mapped to a field) does not cost the row.
        if let k = r.invalidFields.firstIndex(where: { map.columns.contains($0) }) {
            let bad = r.invalidFields[k]
            let name = map.columns.firstIndex(of: bad).flatMap { LogField(rawValue: $0)?.displayName } ?? "第\(bad + 1)列"
            let at = k < r.invalidBytes.count ? r.invalidBytes[k] : (offset: 0, byte: 0)
            let where_ = "字段第 \(at.offset + 1) 字节 0x\(String(format: "%02X", at.byte))"
            return .problem(RowProblem(file: file, line: r.line, field: name,
                                       reason: "不是有效的 UTF-8 文本（\(where_)），此行未导入 (invalid UTF-8 at byte \(at.offset + 1) of the field; the row is skipped — is the file GB18030? try --encoding gb18030)"))
        }
        return .row(map.raw(r.fields.map(FormulaGuard.restore)), line: r.line)
    }
}

extension CSVBrokenRecord {
    /// What the importer says about the line: where the quote opened, what was there, why it
    /// cannot be a record, and where reading went on.
    public var message: String {
        let resume = "此行未导入，第 \(resumeLine) 行起重新读取"
        let resumeEn = "the line is skipped; reading resumes at line \(resumeLine)"
        let at = "（第 \(quoteLine) 行第 \(quoteColumn) 列开始）" + (seen.isEmpty ? "" : "「\(seen)」")
        let atEn = "line \(quoteLine), column \(quoteColumn)"
        switch reason {
        case .neverClosed:
            return "引号未闭合\(at)，到文件末尾也没有闭合；\(resume) (a quote opened at \(atEn) is never closed; \(resumeEn))"
        case .fieldTooLong(let limit):
            return "引号未闭合\(at)，引号内跨行超过 \(ImportLimits.megabytes(limit))；\(resume) (a quote opened at \(atEn) runs over \(ImportLimits.megabytes(limit)) across lines; \(resumeEn))"
        case .recordTooLong(let limit):
            return "引号未闭合\(at)，这条记录跨行超过 \(ImportLimits.megabytes(limit))；\(resume) (a quote opened at \(atEn) makes a record over \(ImportLimits.megabytes(limit)); \(resumeEn))"
        case .runsIntoText(let closedAt, let text):
            let where_ = closedAt == quoteLine ? "同一行里下一个引号" : "直到第 \(closedAt) 行才遇到的引号"
            let whereEn = closedAt == quoteLine ? "the next quote on the line" : "a quote on line \(closedAt)"
            return "引号未闭合\(at)：\(where_)后紧跟\(text.isEmpty ? "文字" : "「\(text)」")，那是另一个字段的开头，不是这个引号的结束；\(resume) (a quote opened at \(atEn) runs on to \(whereEn), followed by text: another field's opening quote; \(resumeEn))"
        case .wrongColumns(let found, let expected, let closedAt):
            return "引号未闭合\(at)：引号到第 \(closedAt) 行才闭合，这条记录因此为 \(found) 列（应为 \(expected) 列）；\(resume) (a quote opened at \(atEn) closes only on line \(closedAt), leaving \(found) columns where \(expected) are expected; \(resumeEn))"
        case .lineTooLong(let limit):
            return "这一行超过 \(ImportLimits.megabytes(limit)) 且没有换行，不是日志记录；\(resume) (a line over \(ImportLimits.megabytes(limit)) with no line break; \(resumeEn))"
        }
    }
}

/// JSON Lines: one object per line, keys as Chinese headers or as `list --format jsonl` writes them.
public final class JSONLLogReader: LogRowReader {
    let source: ByteSource
    let file: String
    var buf: [UInt8] = []
    var pos = 0
    var eof = false
    var line = 0
    var unknown: Set<String> = []
    var firstLine = true
    public var unknownHeaders: [String] { unknown.sorted() }

    public init(source: ByteSource, file: String) {
        self.source = source
        self.file = file
    }

    /// The next line's bytes; a line over `ImportLimits.recordBytes` is read past without being
    /// kept (`tooLong`), so a 100 MB line costs no more memory than a short one.
    func nextLine() throws -> (bytes: [UInt8], tooLong: Bool)? {
        var skipping = false
        while true {
            if let nl = buf[pos...].firstIndex(of: 0x0A) {
                let l = skipping ? [] : Array(buf[pos..<nl])
                pos = nl + 1
                return (l, skipping)
            }
            if eof {
                guard pos < buf.count || skipping else { return nil }
                let l = skipping ? [] : Array(buf[pos...])
                pos = buf.count
                return (l, skipping)
            }
            if buf.count - pos > ImportLimits.recordBytes { skipping = true }
            buf.removeSubrange(0..<(skipping ? buf.count : pos))
            pos = 0
            if let c = try source.readChunk() { buf += c } else { eof = true }
        }
    }

    public func next() throws -> RowResult? {
        while let (read, tooLong) = try nextLine() {
            var bytes = read
            line += 1
            if tooLong {
                return .problem(RowProblem(file: file, line: line, field: nil,
                                           reason: "这一行超过 \(ImportLimits.megabytes(ImportLimits.recordBytes))，不是日志记录，已跳过 (a line over the limit, skipped)"))
            }
            if firstLine {
                firstLine = false
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
            }
            if bytes.last == 0x0D { bytes.removeLast() }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let obj: Any
            do {
                obj = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            } catch {
                return .problem(RowProblem(file: file, line: line, field: nil, reason: "不是有效的 JSON (invalid JSON)"))
            }
            guard let dict = obj as? [String: Any] else {
                return .problem(RowProblem(file: file, line: line, field: nil, reason: "这一行不是 JSON 对象 (not a JSON object)"))
            }
            var raw = RawLogRow(values: [String?](repeating: nil, count: LogField.allCases.count))
            for (k, v) in dict {
                guard let f = LogField.match(header: k) else {
                    if !LogField.isExportOnly(k) { unknown.insert(k) }
                    continue
                }
                if raw[f] != nil { continue }
                raw[f] = Self.text(v)
            }
            return .row(raw, line: line)
        }
        return nil
    }

    /// JSON values as the text a CSV cell would hold: numbers exactly (an 18-digit id stays whole
    /// when it fits Int64), booleans as 是/否, null as absent.
    static func text(_ v: Any) -> String? {
        switch v {
        case is NSNull: return nil
        case let s as String: return s
        case let b as Bool where type(of: v) == Bool.self: return b ? "是" : "否"
        case let n as NSNumber:
            // Foundation on Linux hands JSON booleans over as NSNumber of Objective-C type "c".
            if String(cString: n.objCType) == "c" { return n.boolValue ? "是" : "否" }
            return n.stringValue
        default:
            if let d = try? JSONSerialization.data(withJSONObject: v), let s = String(data: d, encoding: .utf8) { return s }
            return "\(v)"
        }
    }
}
