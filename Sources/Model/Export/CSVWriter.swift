import Foundation

/// Writes RFC 4180 CSV (UTF-8 with BOM, CRLF line ends) through a buffer, so a million rows cost
/// a few megabytes of memory.
public final class CSVWriter {
    let handle: FileHandle
    var buffer: [UInt8] = []
    let flushAt = 1 << 20
    public private(set) var bytesWritten = 0

    public init(path: String, bom: Bool = true) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw ImportFileError(file: path, reason: "无法创建文件 (cannot create file)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        if bom { buffer += [0xEF, 0xBB, 0xBF] }
    }

    public func writeRow(_ fields: [String]) throws {
        for (i, f) in fields.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            Self.appendField(f, to: &buffer)
        }
        buffer += [0x0D, 0x0A]
        if buffer.count >= flushAt { try flush() }
    }

    /// A line as it is (JSONL), with LF.
    public func writeLine(_ line: String) throws {
        buffer += Array(line.utf8)
        buffer.append(0x0A)
        if buffer.count >= flushAt { try flush() }
    }

    /// One field as RFC 4180 text (for small tables such as a report's).
    public static func field(_ f: String) -> String {
        var out: [UInt8] = []
        appendField(f, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Quotes a field when it holds a comma, quote, CR or LF, or starts or ends with a space; a
    /// field a spreadsheet would run as a formula is written with a leading `'` (`FormulaGuard`).
    static func appendField(_ f: String, to out: inout [UInt8]) {
        var f = FormulaGuard.guarded(f)
        // Over the contiguous UTF-8 with whole-run copies: a per-byte loop was a quarter of a
        // 1,000,000-row export.
        f.withUTF8 { u in
            var needsQuotes = u.first == 0x20 || u.last == 0x20
            var quotes = 0
            for b in u where b <= 0x2C {
                if b == 0x22 { quotes += 1; needsQuotes = true }
                else if b == 0x2C || b == 0x0A || b == 0x0D { needsQuotes = true }
            }
            guard needsQuotes else { out.append(contentsOf: u); return }
            out.append(0x22)
            if quotes == 0 {
                out.append(contentsOf: u)
            } else {
                var start = 0
                for i in 0..<u.count where u[i] == 0x22 {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start...i]))
                    out.append(0x22)
                    start = i + 1
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: u[start...]))
            }
            out.append(0x22)
        }
    }

    public func flush() throws {
        guard !buffer.isEmpty else { return }
        try handle.write(contentsOf: buffer)
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    public func close() throws {
        try flush()
        try handle.close()
    }
}
