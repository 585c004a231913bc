import Foundation

/// Bounds on what one file may make the importer hold, so a small hostile file (an XLSX whose
/// parts inflate to gigabytes, a 100 MB line) is refused with one line naming the place instead
/// of taking the machine's memory. A real record's text is a few hundred KB at most (the longest
/// answers in the bureau's logs are about 40,000 characters, 120 KB); the bounds are several times that.
public enum ImportLimits {
    /// One field: a cell, a shared string, a CSV field, a JSON value (UTF-8 bytes).
    public static let fieldBytes = 1 << 20
    /// One record: a CSV record, a JSONL line, one piece of a sheet's XML (a text or a tag).
    public static let recordBytes = 16 << 20
    /// All of a workbook's shared strings, expanded (they are kept in a temporary file, not in
    /// memory, past `sharedStringsInMemory`).
    public static let sharedStringsBytes = 4 << 30
    public static let sharedStringsInMemory = 16 << 20
    /// At most this many shared strings (16 for each of Excel's rows): 8 bytes of offset each in
    /// memory, so 128 MB at most; a log of 1,048,576 rows has a few million.
    public static let sharedStringsCount = 16 << 20
    /// A workbook's small parts (workbook.xml, its rels, [Content_Types].xml, styles) expanded:
    /// real ones are a few KB.
    public static let partBytes = 16 << 20
    /// Any part, the sheet and the shared strings too, may expand to more than `inflateRatio`
    /// times its compressed size only up to `inflateGrace`: deflate reaches about 1,000 on
    /// repeated bytes (a bomb), real sheets and string tables 3 to 15.
    public static let inflateRatio = 100
    public static let inflateGrace = 64 << 20
    /// Excel's own bounds on a sheet.
    public static let maxColumns = 16_384
    public static let maxRows = 1_048_576

    /// For `--help`.
    public static let summary = "单元格/字段 ≤ 1 MB，每行 ≤ 16 MB，XLSX 共享字符串 ≤ 4 GB 且 ≤ 16,777,216 项，其他部件 ≤ 16 MB，解压不超过压缩大小的 100 倍（64 MB 以内不限），列 ≤ 16,384，行 ≤ 1,048,576 (a cell or field ≤ 1 MB, a line ≤ 16 MB, shared strings ≤ 4 GB and 16,777,216 items, other parts ≤ 16 MB, no part inflating over 100× past 64 MB, Excel's sheet bounds)"

    static func megabytes(_ n: Int) -> String { "\(n >> 20) MB" }
}

/// A workbook's shared-string table: the UTF-8 of every string end to end and their offsets. Up
/// to `sharedStringsInMemory` it stays in memory; beyond, it goes to a temporary file (unlinked
/// as soon as it is made, so nothing is left behind) and a string is read back when a cell asks
/// for it. Excel writes every text of a sheet here once, so a 1,000,000-row log can hold a
/// gigabyte of it; memory stays at the offsets (8 bytes a string).
final class SharedStrings {
    private var blob: [UInt8] = []
    private var offsets: [Int64] = [0]
    private var fd: Int32 = -1
    private var written: Int64 = 0

    var count: Int { offsets.count - 1 }
    var bytes: Int64 { offsets[offsets.count - 1] }

    deinit { if fd >= 0 { close(fd) } }

    func append(_ s: String) throws {
        blob += s.utf8
        offsets.append(written + Int64(blob.count))
        if fd >= 0 ? blob.count >= 1 << 20 : blob.count > ImportLimits.sharedStringsInMemory { try spill() }
    }

    /// Writes what is buffered to the file (made on first use).
    private func spill() throws {
        if fd < 0 {
            var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent("workbench-sst-XXXXXX").utf8CString)
            fd = mkstemp(&template)
            guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
            unlink(String(cString: template))
        }
        var done = 0
        while done < blob.count {
            let n = blob.withUnsafeBytes { write(fd, $0.baseAddress! + done, blob.count - done) }
            guard n > 0 else { throw CocoaError(.fileWriteOutOfSpace) }
            done += n
        }
        written += Int64(blob.count)
        blob.removeAll(keepingCapacity: true)
    }

    func finish() throws { if fd >= 0, !blob.isEmpty { try spill() } }

    subscript(i: Int) -> String? {
        guard i >= 0, i < count else { return nil }
        let start = offsets[i], length = Int(offsets[i + 1] - start)
        if fd < 0 { return String(decoding: blob[Int(start)..<Int(start) + length], as: UTF8.self) }
        var out = [UInt8](repeating: 0, count: length)
        var done = 0
        while done < length {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, length - done, off_t(start) + off_t(done)) }
            guard n > 0 else { return nil }
            done += n
        }
        return String(decoding: out, as: UTF8.self)
    }
}
