import Foundation

public enum TextEncoding: String, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case gb18030
    case utf16 = "utf-16"

    /// iconv's name, for the encodings that need converting.
    var iconvName: String? {
        switch self {
        case .utf8, .utf8BOM: nil
        case .gb18030: "GB18030"
        case .utf16: "UTF-16"
        }
    }
}

/// Decides a file's encoding from its first bytes. GBK and GB2312 are subsets of GB18030, so one
/// GB18030 decoder covers the older systems too.
public enum EncodingDetector {
    public enum Verdict: Equatable {
        case encoding(TextEncoding)
        case refuse(String)
    }

    public static func detect(_ sample: [UInt8], isWholeFile: Bool) -> Verdict {
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { return .encoding(.utf8BOM) }
        if sample.starts(with: [0xFF, 0xFE]) || sample.starts(with: [0xFE, 0xFF]) { return .encoding(.utf16) }
        if sample.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            return .refuse("这是 ZIP/XLSX 文件，请用 --format xlsx 或 auto 导入 (a ZIP/XLSX file: import it with --format xlsx or auto)")
        }
        if sample.contains(0) {
            return .refuse("这是二进制文件，不是 CSV/JSONL 文本 (binary data: NUL bytes)")
        }
        if isValidUTF8(sample, allowTruncatedEnd: !isWholeFile) { return .encoding(.utf8) }
        if decodesAsGB18030(sample, allowTruncatedEnd: !isWholeFile) { return .encoding(.gb18030) }
        // UTF-8 but for a few bad bytes (a damaged copy, one pasted symbol): read as UTF-8, so
        // the good rows import and each bad one is named with its line and byte.
        if mostlyUTF8(sample) { return .encoding(.utf8) }
        return .refuse("无法识别文件编码，既不是 UTF-8 也不是 GB18030/GBK (unknown encoding); 可用 --encoding 指定")
    }

    /// Valid UTF-8; a sample cut from a longer file may end inside a character.
    static func isValidUTF8(_ b: [UInt8], allowTruncatedEnd: Bool) -> Bool {
        var end = b.count
        if allowTruncatedEnd {
            // Back off at most 3 bytes to the start of a possibly incomplete last character.
            var k = b.count - 1
            var back = 0
            while k >= 0, back < 3, b[k] & 0xC0 == 0x80 { k -= 1; back += 1 }
            if k >= 0, b[k] >= 0xC0 { end = k }
        }
        return String(validating: b[0..<end], as: UTF8.self) != nil
    }

    /// At least 20 well-formed multi-byte characters for every malformed sequence.
    static func mostlyUTF8(_ b: [UInt8]) -> Bool {
        var good = 0, bad = 0
        var decoder = UTF8()
        var it = b.makeIterator()
        loop: while true {
            switch decoder.decode(&it) {
            case .scalarValue(let u): if u.value >= 0x80 { good += 1 }
            case .error: bad += 1
            case .emptyInput: break loop
            }
        }
        return good >= 20 * max(bad, 1)
    }

    static func decodesAsGB18030(_ b: [UInt8], allowTruncatedEnd: Bool) -> Bool {
        guard let cd = Optional(iconv_open("UTF-8", "GB18030")), cd != iconv_t(bitPattern: -1) else { return false }
        defer { iconv_close(cd) }
        var input = b
        var output = [UInt8](repeating: 0, count: b.count * 2 + 16)
        let total = input.count
        var ok = false
        input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = total
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                ok = r != -1 || (errno == EINVAL && allowTruncatedEnd)
            }
        }
        return ok
    }
}
