// Reason this file is long (557 lines, not one file per feature part): the scanner's hot loop and its rare paths (a broken quote found and
// given up, limits) share one buffer's state; moving the rare paths out cost the reader 2% (decisions.md).
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
    /// Lines the scanner could not read as a record (a quote that swallows what follows, a line
    /// over the limit): `fields` is then empty and reading went on from `broken.resumeLine`.
    public var broken: CSVBrokenRecord? { brokenBox?.value }
    /// Boxed: a record is made and dropped a million times an import, and an optional of the
    /// struct itself (strings inside) made each one larger and dearer to drop (+2% for the reader).
    let brokenBox: Box?

    final class Box: Sendable {
        let value: CSVBrokenRecord
        init(_ value: CSVBrokenRecord) { self.value = value }
    }

    public init(fields: [String], line: Int, invalidFields: [Int] = [], invalidBytes: [(offset: Int, byte: UInt8)] = []) {
        self.fields = fields
        self.line = line
        self.invalidFields = invalidFields
        self.invalidBytes = invalidBytes
        brokenBox = nil
    }

    public init(broken: CSVBrokenRecord, line: Int) {
        fields = []
        self.line = line
        brokenBox = Box(broken)
    }

    public static func == (a: CSVRecord, b: CSVRecord) -> Bool {
        a.fields == b.fields && a.line == b.line && a.invalidFields == b.invalidFields && a.broken == b.broken
    }
}

/// A record given up on: where its bad quote opened, what was seen there, why it cannot be a
/// record, and the line reading went on from.
public struct CSVBrokenRecord: Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        /// The file ends inside the quote.
        case neverClosed
        /// The quoted field runs over lines past the field limit (bytes).
        case fieldTooLong(limit: Int)
        /// The record runs over lines past the record limit (bytes).
        case recordTooLong(limit: Int)
        /// The quote closes on line `closedAt` at a quote followed by `text`: another field's
        /// opening quote, not this one's closing.
        case runsIntoText(closedAt: Int, text: String)
        /// The quote closes on line `closedAt`, leaving `found` columns where `expected` are due.
        case wrongColumns(found: Int, expected: Int, closedAt: Int)
        /// One line (no line break at all) over the record limit: skipped.
        case lineTooLong(limit: Int)
    }
    public var reason: Reason
    /// Where the quote opened (1-based line, 1-based column); the record's own line for `lineTooLong`.
    public var quoteLine: Int
    public var quoteColumn: Int
    /// The field's first characters from its opening quote (at most 20).
    public var seen: String
    /// The line reading went on from.
    public var resumeLine: Int
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
    /// A quoted field over lines longer than this is taken for an unclosed quote (with `expectedFields`).
    var maxFieldBytes = ImportLimits.fieldBytes
    /// The columns a record must have (the header's), or 0. When set, a record whose quoted field
    /// runs over lines and then does not fit — the file ends inside it, it passes the field or
    /// record limit, its closing quote is followed by text, or the record has another number of
    /// columns — is given up on: its first line comes back as `broken` and reading goes on from
    /// the next line, so one bad quote costs one line, not the rest of the file. Records that fit
    /// are never looked at twice.
    public var expectedFields = 0
    /// How many more broken records get `seen` filled in (it costs a masking pass each).
    public var snippetsLeft = ImportSummary.keptProblems
    // What the scan of the current record saw that makes it suspect. Set on rare paths only and
    // cleared when the record is finished (or the buffer moves under a record scanned again), so
    // a well-formed record costs no writes here (a reset per record cost ~3% of the reader).
    private var suspect = false
    private var openAtEnd = false
    private var trailingField = -1
    private var trailingAt = 0
    /// The start of a quoted field still open where the buffer ended (the scan returned nil);
    /// read and cleared by `next`.
    private var openFieldStart = -1

    // The rare paths' notes, kept out of the scanning loop.
    @inline(never)
    private func noteOpenField(_ s: Int, _ end: Int, _ hasEscapes: Bool, atEnd: Bool) {
        starts.append(s); ends.append(end); escaped.append(hasEscapes)
        if atEnd {
            openAtEnd = true
            suspect = true
        } else {
            openFieldStart = s
        }
    }

    @inline(never)
    private func noteTrailingText(closingQuote: Int) {
        trailingField = starts.count
        trailingAt = closingQuote
        suspect = true
    }

    private func clearSuspects() {
        suspect = false
        openAtEnd = false
        trailingField = -1
    }

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
                // The record is scanned again from its start at its new place: what its last scan
                // saw (at the old offsets) is seen again.
                clearSuspects()
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
                if let record = try finish(end: end, newlines: newlines) { return record }
                continue
            }
            // The record runs past the buffer: read more and scan it again from its start.
            let before = count - pos
            let open = openFieldStart
            openFieldStart = -1
            if expectedFields > 0 {
                if open >= 0, count - open > maxFieldBytes,
                   let broken = try giveUp(recordEnd: nil, reason: .fieldTooLong(limit: maxFieldBytes), culprit: starts.count - 1) {
                    return broken
                }
                if before > maxRecordBytes {
                    if let broken = try giveUp(recordEnd: nil, reason: .recordTooLong(limit: maxRecordBytes), culprit: nil) { return broken }
                    return try skipLongLine()
                }
            } else if before > maxRecordBytes {
                throw CSVScanError.recordTooLong(line: line)
            }
            try fill(minimum: before + 1)
            if eof, count - pos == before {
                // Unterminated quote at the end of the file: take what is there.
                if let (end, newlines) = scanRecord(atEOF: true) {
                    if let record = try finish(end: end, newlines: newlines) { return record }
                    continue
                }
                return nil
            }
        }
    }

    /// The record just scanned (`pos..<end`), or nil for a blank line; a suspect record is looked
    /// at again and may come back `broken`.
    @inline(__always)
    private func finish(end: Int, newlines: Int) throws -> CSVRecord? {
        let startLine = line
        if starts.count == 1 && ends[0] == starts[0] && !escaped[0] && !startsQuoted(starts[0]) {
            line += newlines
            pos = end
            return nil
        }
        if suspect || (expectedFields > 0 && (starts.count != expectedFields || end - pos > maxFieldBytes)) {
            let broken = expectedFields > 0 ? try giveUp(recordEnd: end, reason: nil, culprit: nil) : nil
            clearSuspects()
            if let broken { return broken }
        }
        line += newlines
        let record = makeRecord(line: startLine)
        pos = end
        return record
    }

    /// Whether `from..<to` holds a line break (CR or LF).
    private func hasLineBreak(_ from: Int, _ to: Int) -> Bool {
        guard to > from else { return false }
        let base = UnsafeRawPointer(storage.baseAddress!)
        return memchr(base + from, 0x0A, to - from) != nil || memchr(base + from, 0x0D, to - from) != nil
    }

    /// The first line break at or after `from` before `to`, or nil.
    private func firstLineBreak(_ from: Int, _ to: Int) -> Int? {
        var k = from
        while k < to {
            let c = storage[k]
            if c == 0x0A || c == 0x0D { return k }
            k += 1
        }
        return nil
    }

    /// Decides whether the record at `pos` (ending at `recordEnd`, or still open at the buffer's
    /// end when nil) is a quote swallowing the lines after it. If so, its first line is given
    /// back as `broken` and reading goes on from the next line; nil: an ordinary record (a ragged
    /// row is the reader's to report).
    private func giveUp(recordEnd: Int?, reason given: CSVBrokenRecord.Reason?, culprit pick: Int?) throws -> CSVRecord? {
        let spans = { (k: Int) -> Bool in self.startsQuoted(self.starts[k]) && self.hasLineBreak(self.starts[k], self.ends[k]) }
        var culprit: Int?
        var reason = given
        if let k = pick {
            guard k >= 0, k < starts.count, spans(k) else { return nil }
            culprit = k
        } else if recordEnd != nil {
            let ragged = starts.count != expectedFields
            // A field over the limit (only a record that long can hold one).
            let longField = recordEnd! - pos > maxFieldBytes
                ? starts.indices.first { ends[$0] - starts[$0] > maxFieldBytes && spans($0) } ?? -1 : -1
            if openAtEnd, spans(starts.count - 1) {
                culprit = starts.count - 1
                reason = .neverClosed
            } else if longField >= 0 {
                culprit = longField
                reason = .fieldTooLong(limit: maxFieldBytes)
            } else if trailingField >= 0, spans(trailingField) {
                culprit = trailingField
            } else if ragged {
                // A quote over lines that leaves the wrong number of columns; else one on this
                // line that closed on another field's quote, or never closed.
                culprit = starts.indices.first(where: spans)
                    ?? (trailingField >= 0 ? trailingField : nil)
                    ?? (openAtEnd ? starts.count - 1 : nil)
            }
        } else {
            culprit = starts.indices.first(where: spans)
        }
        guard let k = culprit else { return nil }
        let p = UnsafeBufferPointer(start: storage.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count)
        let quote = starts[k] - 1
        let quoteLine = line + Self.countNewlines(p, pos, quote)
        let closedAt = quoteLine + Self.countNewlines(p, quote, ends[k])
        if reason == nil {
            if k == trailingField {
                let from = trailingAt + 1
                var to = from
                while to < count, to - from < 40, p[to] != delimiter, p[to] != 0x0A, p[to] != 0x0D { to += 1 }
                reason = .runsIntoText(closedAt: closedAt, text: snippetsLeft > 0 ? Self.snippet(p, from, to, characters: 10) : "")
            } else if openAtEnd && k == starts.count - 1 {
                reason = .neverClosed
            } else {
                reason = .wrongColumns(found: starts.count, expected: expectedFields, closedAt: closedAt)
            }
        }
        // What was there, for the first records given up (an importer lists no more than these).
        var seen = ""
        if snippetsLeft > 0 {
            snippetsLeft -= 1
            seen = Self.snippet(p, quote, firstLineBreak(quote, ends[k]) ?? ends[k], characters: 20)
        }
        // Go on from the line after the record's first line (the record's end for a record on one line).
        let startLine = line
        let end = recordEnd ?? count
        if let b = firstLineBreak(pos, end), b + 1 < end || recordEnd == nil {
            var resume = b + 1
            if p[b] == 0x0D {
                if resume >= count, !eof {
                    // A CR at the buffer's end: read on to see whether an LF follows.
                    let offset = b - pos
                    try fill(minimum: count - pos + 1)
                    resume = pos + offset + 1
                }
                if resume < count, storage[resume] == 0x0A { resume += 1 }
            }
            pos = resume
        } else {
            pos = end
        }
        line = startLine + 1
        clearSuspects()
        let broken = CSVBrokenRecord(reason: reason!, quoteLine: quoteLine, quoteColumn: k + 1, seen: seen, resumeLine: line)
        return CSVRecord(broken: broken, line: startLine)
    }

    /// A line over `maxRecordBytes` with no line break in it: read past, never held whole.
    private func skipLongLine() throws -> CSVRecord {
        let startLine = line
        clearSuspects()
        while true {
            if let b = firstLineBreak(pos, count) {
                pos = b + 1
                if storage[b] == 0x0D {
                    if pos >= count, !eof { try fill(minimum: 1) }
                    if pos < count, storage[pos] == 0x0A { pos += 1 }
                }
                break
            }
            pos = count
            if eof { break }
            try fill(minimum: 1)
            if pos >= count { break }
        }
        line = startLine + 1
        let broken = CSVBrokenRecord(reason: .lineTooLong(limit: maxRecordBytes), quoteLine: startLine, quoteColumn: 1,
                                     seen: "", resumeLine: line)
        return CSVRecord(broken: broken, line: startLine)
    }

    /// Up to `characters` characters of `from..<to` (with "…" when cut), for a message: numbers
    /// masked as on import (a question may hold an ID or a phone number), over a stretch long
    /// enough that a number is whole where it is masked.
    static func snippet(_ p: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, characters: Int) -> String {
        let bytes = UnsafeBufferPointer(rebasing: p[from..<min(to, from + characters * 4 + 256)])
        var text = String(decoding: bytes, as: UTF8.self)
        // A character cut at the byte limit decodes as U+FFFD: not shown.
        while text.last == "\u{FFFD}", to > from + bytes.count { text.removeLast() }
        return shortened(Masking.mask(text), characters: characters, more: to > from + bytes.count)
    }

    static func shortened(_ text: String, characters: Int, more: Bool = false) -> String {
        String(text.prefix(characters)) + (text.count > characters || more ? "…" : "")
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
                        if j + 1 >= n, !finalChunk {
                            // May be a doubled quote split across chunks.
                            noteOpenField(s, n, hasEscapes, atEnd: false)
                            return nil
                        }
                        closed = true
                        break
                    }
                    if !closed {
                        noteOpenField(s, n, hasEscapes, atEnd: finalChunk)
                        return finalChunk ? (n, newlines) : nil
                    }
                    // Text between the closing quote and the delimiter (malformed, but seen in the
                    // wild) is kept as part of the field.
                    var k = j + 1
                    while k < n, p[k] != delim, p[k] != 0x0A, p[k] != 0x0D { k += 1 }
                    if k > j + 1 {
                        if trailingField < 0 { noteTrailingText(closingQuote: j) }
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
