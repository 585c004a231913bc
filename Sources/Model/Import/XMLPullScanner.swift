import Foundation

/// A small pull tokenizer for the XML inside XLSX files (start tags with attributes, end tags,
/// text with entities), fed chunk by chunk so a sheet of gigabytes streams in constant memory.
/// Hand-written because the libraries here cannot stream: XMLCoder and SWXMLHash build the whole
/// document, and Foundation's XMLParser(data:) needs the whole sheet in memory (a 200 MB
/// workbook's sheet is over a gigabyte of XML).
final class XMLPullScanner {
    enum Event: Equatable {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case text(String)
    }

    /// A text or a tag longer than this is not a spreadsheet's (a decompression bomb is).
    struct TooLarge: Error { let bytes: Int }

    var maxToken = ImportLimits.recordBytes
    private let nextChunk: () throws -> [UInt8]?
    private var buf: [UInt8] = []
    private var pos = 0
    private var eof = false
    private(set) var bytesScanned = 0

    init(nextChunk: @escaping () throws -> [UInt8]?) { self.nextChunk = nextChunk }

    /// Makes sure `n` bytes from `pos` are buffered (or the input ended); false at the end.
    private func fill() throws -> Bool {
        if eof { return false }
        if pos > 0 {
            buf.removeSubrange(0..<pos)
            pos = 0
        }
        guard let c = try nextChunk() else { eof = true; return false }
        buf += c
        bytesScanned += c.count
        return true
    }

    private func find(_ byte: UInt8, from start: Int) throws -> Int? {
        var from = start - pos
        while true {
            if let i = buf[(pos + from)...].firstIndex(of: byte) { return i - pos }
            from = buf.count - pos  // relative to pos, which fill() moves to 0
            if from > maxToken { throw TooLarge(bytes: from) }
            guard try fill() else { return nil }
        }
    }

    func next() throws -> Event? {
        while true {
            if pos >= buf.count, !(try fill()) { return nil }
            if buf[pos] != UInt8(ascii: "<") {
                // Text up to the next tag.
                guard let lt = try find(UInt8(ascii: "<"), from: pos) else {
                    let t = Self.decode(buf[pos...])
                    pos = buf.count
                    return .text(t)
                }
                let t = Self.decode(buf[pos..<(pos + lt)])
                pos += lt
                return .text(t)
            }
            // A tag: find its end, skipping '>' inside quoted attribute values.
            var i = pos + 1
            var quote: UInt8 = 0
            while true {
                if i >= buf.count {
                    let offset = i - pos
                    if offset > maxToken { throw TooLarge(bytes: offset) }
                    guard try fill() else { return nil }
                    i = pos + offset
                    continue
                }
                let b = buf[i]
                if quote != 0 {
                    if b == quote { quote = 0 }
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                    quote = b
                } else if b == UInt8(ascii: ">") {
                    break
                }
                i += 1
            }
            let tag = buf[(pos + 1)..<i]
            pos = i + 1
            guard let first = tag.first else { continue }
            if first == UInt8(ascii: "?") || first == UInt8(ascii: "!") { continue }  // declaration, comment, DOCTYPE
            if first == UInt8(ascii: "/") {
                return .end(name: Self.localName(tag.dropFirst()))
            }
            let selfClosing = tag.last == UInt8(ascii: "/")
            let body = selfClosing ? tag.dropLast() : tag
            let nameEnd = body.firstIndex { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? body.endIndex
            let name = Self.localName(body[body.startIndex..<nameEnd])
            return .start(name: name, attributes: Self.attributes(body[nameEnd...]), selfClosing: selfClosing)
        }
    }

    /// `x:row` → `row`: prefixes differ between writers.
    static func localName(_ bytes: ArraySlice<UInt8>) -> String {
        let trimmed = bytes.filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
        let local = trimmed.lastIndex(of: UInt8(ascii: ":")).map { Array(trimmed[($0 + 1)...]) } ?? trimmed
        return String(decoding: local, as: UTF8.self)
    }

    static func attributes(_ bytes: ArraySlice<UInt8>) -> [String: String] {
        var out: [String: String] = [:]
        var i = bytes.startIndex
        while i < bytes.endIndex {
            while i < bytes.endIndex, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
            guard let eq = bytes[i...].firstIndex(of: UInt8(ascii: "=")) else { break }
            let key = localName(bytes[i..<eq])
            var j = eq + 1
            while j < bytes.endIndex, bytes[j] == 0x20 { j += 1 }
            guard j < bytes.endIndex else { break }
            let q = bytes[j]
            guard let close = bytes[(j + 1)...].firstIndex(of: q) else { break }
            out[key] = decode(bytes[(j + 1)..<close])
            i = close + 1
        }
        return out
    }

    /// Entities (`&amp;` … `&#13;` `&#x1F600;`) and Excel's `_xHHHH_` escapes for control characters.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        let s = String(decoding: bytes, as: UTF8.self)
        guard bytes.contains(UInt8(ascii: "&")) || bytes.contains(UInt8(ascii: "_")) else { return s }
        var out = String.UnicodeScalarView()
        var it = Array(s.unicodeScalars)[...]
        while let u = it.first {
            if u == "&", let semi = it.prefix(12).firstIndex(of: ";") {
                let name = String(String.UnicodeScalarView(it[(it.startIndex + 1)..<semi]))
                var rep: Unicode.Scalar?
                switch name {
                case "amp": rep = "&"
                case "lt": rep = "<"
                case "gt": rep = ">"
                case "quot": rep = "\""
                case "apos": rep = "'"
                default:
                    if name.hasPrefix("#x") || name.hasPrefix("#X") { rep = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                    else if name.hasPrefix("#") { rep = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
                }
                if let rep {
                    out.append(rep)
                    it = it[(semi + 1)...]
                    continue
                }
            }
            if u == "_", it.count >= 7, it[it.startIndex + 1] == "x", it[it.startIndex + 6] == "_" {
                let hex = String(String.UnicodeScalarView(it[(it.startIndex + 2)..<(it.startIndex + 6)]))
                if let v = UInt32(hex, radix: 16), let rep = Unicode.Scalar(v) {
                    out.append(rep)
                    it = it.dropFirst(7)
                    continue
                }
            }
            out.append(u)
            it = it.dropFirst()
        }
        return String(out)
    }
}
