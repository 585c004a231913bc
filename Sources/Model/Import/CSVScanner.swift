#if canImport(Glibc)
import Glibc
#endif

/// One CSV record: its fields and the line it starts on (1-based, counting newlines inside quoted
/// fields, so the number matches what an editor shows).
public struct CSVRecord: Equatable, Sendable {
    public var fields: [String]
    public var line: Int
    /// Indexes of the fields that were not valid UTF-8 (their text is then replaced).
    public var invalidFields: [Int] = []
    /// For each of those, the offset of its first bad byte within the field, and the byte.
    public var invalidBytes: [(offset: Int, byte: UInt8)] = []

    public static func == (a: CSVRecord, b: CSVRecord) -> Bool {
        a.fields == b.fields && a.line == b.line && a.invalidFields == b.invalidFields
    }
}

/// Where UTF-8 first goes wrong in `bytes`: the offset of the byte that starts no valid character.
func firstInvalidUTF8<C: Collection>(_ bytes: C) -> (offset: Int, byte: UInt8)? where C.Element == UInt8 {
    var it = bytes.makeIterator()
    var decoder = UTF8()
    var offset = 0
    var copy = Array(bytes)[...]
    while true {
        switch decoder.decode(&it) {
        case .scalarValue(let u):
            let n = UTF8.width(u)
            offset += n
            copy = copy.dropFirst(n)
        case .emptyInput: return nil
        case .error: return (offset, copy.first ?? 0)
        }
    }
}

public enum CSVScanError: Error, Equatable {
    case recordTooLong(line: Int)
}

/// An RFC 4180 reader over a byte stream: quoted fields with delimiters, doubled quotes and CR/LF
/// inside, CRLF or LF (or lone CR) line ends, a missing final newline.
///
/// Hand-written: CSV.swift parses ~30 MB/s here (platform.md), which would make a 1.1 GB import take
/// ~40 s against a 10 s target; this byte loop over read(2) chunks measured ~300 MB/s in the same
/// setting (figures in docs/decisions.md). It never holds more than one chunk plus one record.
public final class CSVScanner {
    let source: ByteSource
    public var delimiter: UInt8
    /// The read buffer: bytes [pos, count) are unread. Raw memory, filled by read(2) in place.
    var storage: UnsafeMutableRawBufferPointer
    var count = 0
    var pos = 0
    var eof = false
    var line = 1
    // Scratch for field boundaries, reused across records.
    var starts: [Int] = []
    var ends: [Int] = []
    var escaped: [Bool] = []
    /// How much one read asks for.
    let readSize: Int
    /// A record longer than this is an unclosed quote swallowing the file, not data: stop before
    /// the buffer holds the whole file.
    var maxRecordBytes = ImportLimits.recordBytes

    public init(source: ByteSource, delimiter: UInt8 = UInt8(ascii: ","), readSize: Int = 1 << 20) {
        self.source = source
        self.delimiter = delimiter
        self.readSize = readSize
        storage = .allocate(byteCount: readSize * 2, alignment: 16)
    }

    deinit { storage.deallocate() }

    var unread: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage.baseAddress!.assumingMemoryBound(to: UInt8.self) + pos, count: count - pos)
    }

    /// Skips a UTF-8 byte order mark at the very start.
    public func skipBOM() throws {
        try fill(minimum: 3)
        let u = unread
        if u.count >= 3, u[0] == 0xEF, u[1] == 0xBB, u[2] == 0xBF { pos += 3 }
    }

    /// The first line's bytes, for sniffing the delimiter, without consuming them.
    public func peekFirstLine() throws -> [UInt8] {
        try fill(minimum: 64 << 10)
        let u = unread
        let end = u.firstIndex { $0 == 0x0A || $0 == 0x0D } ?? u.count
        return Array(u[0..<end])
    }

    /// Reads until at least `minimum` unread bytes are buffered or the source ends.
    func fill(minimum: Int) throws {
        while !eof, count - pos < minimum {
            if pos > 0 {
                // Move the unread tail to the front (memmove: the regions may overlap).
                storage.baseAddress!.copyMemory(from: storage.baseAddress! + pos, byteCount: count - pos)
                count -= pos
                pos = 0
            }
            if storage.count - count < readSize {
                // A record longer than the buffer: grow it.
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: storage.count * 2, alignment: 16)
                bigger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
                storage.deallocate()
                storage = bigger
            }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[count...]))
            if n == 0 { eof = true } else { count += n }
        }
    }

    /// The next record, or nil at the end of the input. Blank lines are skipped.
    public func next() throws -> CSVRecord? {
        while true {
            if pos >= count {
                if eof { return nil }
                try fill(minimum: 1)
                if pos >= count { return nil }
            }
            if let (end, newlines) = scanRecord() {
                let startLine = line
                line += newlines
                let blank = starts.count == 1 && ends[0] == starts[0] && !escaped[0] && !startsQuoted(starts[0])
                let record = blank ? nil : makeRecord(line: startLine)
                pos = end
                if let record { return record }
                continue
            }
            // The record runs past the buffer: read more and scan it again from its start.
            let before = count - pos
            if before > maxRecordBytes { throw CSVScanError.recordTooLong(line: line) }
            try fill(minimum: before + 1)
            if eof, count - pos == before {
                // Unterminated quote at the end of the file: take what is there.
                if let (end, newlines) = scanRecord(atEOF: true) {
                    let startLine = line
                    line += newlines
                    let r = makeRecord(line: startLine)
                    pos = end
                    return r
                }
                return nil
            }
        }
    }

    private func startsQuoted(_ fieldStart: Int) -> Bool {
        fieldStart > 0 && storage[fieldStart - 1] == 0x22 && fieldStart - 1 >= pos
    }

    /// Finds the end of the record at `pos`; nil if the buffer ends first (and more may come).
    private func scanRecord(atEOF: Bool = false) -> (Int, Int)? {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        escaped.removeAll(keepingCapacity: true)
        let delim = delimiter
        let finalChunk = eof || atEOF
        do {
            let p = UnsafeBufferPointer(start: storage.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            let n = p.count
            var i = pos
            var newlines = 0
            while true {
                // Start of a field.
                if i < n, p[i] == 0x22 {
                    // Quoted field.
                    let s = i + 1
                    var j = s
                    var hasEscapes = false
                    var closed = false
                    while j < n {
                        // memchr finds the next quote with SIMD; the newlines before it are only
                        // counted (for line numbers). Long answers made the byte-by-byte loop the
                        // parser's largest cost.
                        let base = UnsafeRawPointer(p.baseAddress!)
                        let q = memchr(base + j, 0x22, n - j).map { UnsafeRawPointer($0) - base } ?? n
                        newlines += Self.countNewlines(p, j, q)
                        j = q
                        guard j < n else { break }
                        if j + 1 < n, p[j + 1] == 0x22 { hasEscapes = true; j += 2; continue }
                        if j + 1 >= n, !finalChunk { return nil }  // may be a doubled quote split across chunks
                        closed = true
                        break
                    }
                    if !closed {
                        if !finalChunk { return nil }
                        starts.append(s); ends.append(n); escaped.append(hasEscapes)
                        return (n, newlines)
                    }
                    // Text between the closing quote and the delimiter (malformed, but seen in the
                    // wild) is kept as part of the field.
                    var k = j + 1
                    while k < n, p[k] != delim, p[k] != 0x0A, p[k] != 0x0D { k += 1 }
                    if k > j + 1 {
                        starts.append(s); ends.append(k); escaped.append(true)
                    } else {
                        starts.append(s); ends.append(j); escaped.append(hasEscapes)
                    }
                    i = k
                } else {
                    let s = i
                    while i < n, p[i] != delim, p[i] != 0x0A, p[i] != 0x0D { i += 1 }
                    starts.append(s); ends.append(i); escaped.append(false)
                }
                // After a field: delimiter, line end, or end of buffer.
                if i >= n {
                    if !finalChunk { return nil }
                    return (n, newlines)
                }
                let c = p[i]
                if c == delim { i += 1; continue }
                if c == 0x0D {
                    if i + 1 >= n, !finalChunk { return nil }
                    i += (i + 1 < n && p[i + 1] == 0x0A) ? 2 : 1
                    return (i, newlines + 1)
                }
                // LF
                return (i + 1, newlines + 1)
            }
        }
    }

    @inline(__always)
    static func countNewlines(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var n = 0
        var k = from
        while k < to {
            n &+= p[k] == 0x0A ? 1 : 0
            k &+= 1
        }
        return n
    }

    private func makeRecord(line: Int) -> CSVRecord {
        var fields: [String] = []
        fields.reserveCapacity(starts.count)
        var invalid: [Int] = []
        var invalidBytes: [(offset: Int, byte: UInt8)] = []
        do {
            let p = UnsafeBufferPointer(start: storage.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
            for k in 0..<starts.count {
                let slice = UnsafeBufferPointer(rebasing: p[starts[k]..<ends[k]])
                var valid = true
                let s: String
                if escaped[k] {
                    let b = Self.unescape(slice)
                    if let v = String(validating: b, as: UTF8.self) { s = v } else {
                        s = String(decoding: b, as: UTF8.self); valid = false
                        invalidBytes.append(firstInvalidUTF8(b) ?? (0, 0))
                    }
                } else if let v = String(validating: slice, as: UTF8.self) {
                    s = v
                } else {
                    s = String(decoding: slice, as: UTF8.self); valid = false
                    invalidBytes.append(firstInvalidUTF8(slice) ?? (0, 0))
                }
                if !valid { invalid.append(k) }
                fields.append(s)
            }
        }
        return CSVRecord(fields: fields, line: line, invalidFields: invalid, invalidBytes: invalidBytes)
    }

    /// A quoted field's text with doubled quotes made single (and a stray closing quote dropped).
    static func unescape(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == 0x22 {
                if i + 1 < s.count, s[i + 1] == 0x22 { out.append(0x22); i += 2; continue }
                i += 1
                continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
