// Reason this file is long (613 lines, not one file per feature part): the masking rules (numbers in every common form, names and addresses
// from the question, masked wherever they recur) run in one pass over a text and share its scanner.
import Foundation

/// Personal data masking (domain.md §8, issue 18): applied to questions and answers on import and
/// once more to every text an export writes, so neither the screen nor a file shows it.
///
/// Numbers however they are written: ASCII or full-width digits, groups separated by spaces, `-`,
/// `.` or their full-width forms, `+86`/`0086` before a mobile. Masked in place: one `*` per digit
/// (a full-width digit becomes `＊`, so the text keeps its shape), separators and the digits that
/// stay (first 6 and last 4 of an ID or a card, first 3 and last 4 of a mobile) untouched.
/// - resident ID: 17 digits and a check character (ISO 7064 MOD 11-2), a region code and a real
///   birth date (1900 to today), so an 18-digit order or record number is not a person;
/// - mobile: 11 digits `1[3-9]…`, alone or after 86 / 0086;
/// - bank card: 16–19 digits passing Luhn and starting as card numbers do (62, 60, 4, 51–55, 35,
///   95: record ids and timestamps start with 1 or 2).
/// Names (`我叫`/`本人`/`姓名`/`联系人` + surname + given name) keep the surname; addresses (a road,
/// community or building word followed by numbers and 号/栋/幢/单元/室) lose their numbers. Both are
/// looked for in the question (the citizen's words) and then masked wherever they recur (the bot
/// echoes them in its answer).
public enum Masking {
    public enum Kind: String, CaseIterable, Sendable, Comparable {
        case idNumber = "身份证号"
        case mobile = "手机号"
        case bankCard = "银行卡号"
        case name = "姓名"
        case address = "住址"

        public static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// Something personal found in a text: which kind, and the scalar offsets to mask.
    public struct Finding: Equatable, Sendable {
        public let kind: Kind
        /// Offsets (in `text.unicodeScalars`) of the characters that become `*`.
        public let masked: [Int]
    }

    /// The text with every number masked (any text: a question, an answer, a note).
    public static func mask(_ text: String) -> String { apply(text, findings(inNumbers: text)) }

    /// A question and its answer: numbers in both; names and addresses found in the question,
    /// masked in both wherever they occur.
    public static func mask(question: String, answer: String) -> (question: String, answer: String) {
        let f = findings(question: question, answer: answer)
        return (apply(question, f.question), apply(answer, f.answer))
    }

    /// `mask(question:answer:)` and how many findings it masked.
    public static func maskCounting(question: String, answer: String) -> (question: String, answer: String, count: Int) {
        let f = findings(question: question, answer: answer)
        let n = f.question.count + f.answer.count
        guard n > 0 else { return (question, answer, 0) }
        return (apply(question, f.question), apply(answer, f.answer), n)
    }

    /// What `mask(question:answer:)` would change, by kind (for `privacy scan` and exports).
    /// Full-width digits are looked for in the answer only when the question has some: citizens
    /// type them (an input method's habit) and the bot echoes them; the bot's own text has ASCII
    /// digits. (Looking in every answer cost ~0.7 s of an import at 1,000,000 records.)
    public static func findings(question: String, answer: String) -> (question: [Finding], answer: [Finding]) {
        let look = scanQuestion(question)
        let spans = look.personal ? personalSpans(question) : []
        let fullWidth = look.fullWidth
        // A question with no digit at all (most) holds no number.
        return ((look.digit ? findings(inNumbers: question, fullWidth: fullWidth) : []) + occurrences(of: spans, in: question),
                findings(inNumbers: answer, fullWidth: fullWidth) + occurrences(of: spans, in: answer))
    }

    /// Every occurrence of `needle` (a reviewer's own choice: a name or number the rules missed)
    /// masked the same way, one `*` (or `＊` for a wide character) per character but separators.
    public static func mask(_ needle: String, in text: String) -> (text: String, count: Int) {
        let n = Array(needle.unicodeScalars)
        guard !n.isEmpty else { return (text, 0) }
        let f = occurrences(of: [n], in: text, keepFirst: 0)
        return (apply(text, f), f.count)
    }

    /// The parts of `mask`, one at a time, for `workbench bench` (WB_MASK_PARTS=1).
    public static func benchPart(_ part: Int, _ text: String) -> Int {
        switch part {
        case 0: numberRuns(text, fullWidth: false).count
        case 1: hasFullWidthDigit(text) ? 1 : 0
        case 2: mayHoldPersonal(text) ? 1 : 0
        default: scanQuestion(text).personal ? personalSpans(text).count : 0
        }
    }

    // MARK: numbers

    /// A digit (ASCII or full-width), its value; X for the ID's check character.
    @inline(__always) static func digit(_ v: UInt32) -> UInt8? {
        if v >= 0x30, v <= 0x39 { return UInt8(v - 0x30) }
        if v >= 0xFF10, v <= 0xFF19 { return UInt8(v - 0xFF10) }
        return nil
    }

    @inline(__always) static func isCheckX(_ v: UInt32) -> Bool { v == 0x58 || v == 0x78 || v == 0xFF38 || v == 0xFF58 }

    /// Between two groups of digits: space, -, ., and their full-width or ideographic forms.
    @inline(__always) static func isSeparator(_ v: UInt32) -> Bool {
        v == 0x20 || v == 0x2D || v == 0x2E || v == 0x3000 || v == 0xFF0D || v == 0xFF0E || v == 0x2010 || v == 0x2011 || v == 0x2012
            || v == 0x2013 || v == 0xA0
    }

    /// A run of digits: where each digit is (a byte offset), its value, and where the groups start
    /// (after a separator).
    struct Run {
        var positions: [Int] = []
        var values: [UInt8] = []
        var groupStarts: [Int] = []  // indexes into positions
        var endsWithX = false
    }

    /// Numbers in a text. One pass over its UTF-8 bytes finds the runs of 11 digits or more (one
    /// separator at most between two digits), passing over eight bytes at a time where no run can
    /// be; only a run that is an ID, a mobile or a card costs the walk that turns its byte places
    /// into character offsets. (Splitting every text with such a run into scalars — office
    /// landlines 0513-… are in many answers — made masking 1.7 s of a 13.5 s import.)
    static func findings(inNumbers text: String, fullWidth: Bool? = nil) -> [Finding] {
        let runs = numberRuns(text, fullWidth: fullWidth ?? hasFullWidthDigit(text))
        guard !runs.isEmpty else { return [] }
        var byteFindings: [Finding] = []
        for r in runs { byteFindings += match(r) }
        guard !byteFindings.isEmpty else { return [] }
        // Byte offsets → scalar offsets, in one walk.
        var text = text
        let scalarAt: [Int: Int] = text.withUTF8 { u in
            let wanted = Set(byteFindings.flatMap(\.masked))
            var map: [Int: Int] = [:]
            var scalar = 0
            for b in 0..<u.count where u[b] & 0xC0 != 0x80 {
                if wanted.contains(b) { map[b] = scalar }
                scalar += 1
            }
            return map
        }
        return byteFindings.map { Finding(kind: $0.kind, masked: $0.masked.compactMap { scalarAt[$0] }) }
    }

    /// Whether the text has a run of 11 digits or more, one separator at most between two.
    static func mayHoldNumber(_ text: String) -> Bool { !numberRuns(text, fullWidth: hasFullWidthDigit(text)).isEmpty }

    /// Whether a full-width digit (EF BC 90–99) is anywhere in the text.
    static func hasFullWidthDigit(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            guard let p = bytes.baseAddress else { return false }
            let n = bytes.count
            var at = 0
            while at < n, let hit = memchr(p + at, 0xEF, n - at) {
                let k = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - p
                if k + 2 < n, p[k + 1] == 0xBC, p[k + 2] &- 0x90 < 10 { return true }
                at = k + 1
            }
            return false
        }
    }

    /// The runs long enough to be an ID, a mobile or a card, with the byte offset of each digit.
    static func numberRuns(_ text: String, fullWidth: Bool) -> [Run] {
        var text = text
        return text.withUTF8 { bytes -> [Run] in
            guard let p = bytes.baseAddress else { return [] }
            let n = bytes.count
            let ones: UInt64 = 0x0101_0101_0101_0101, highs = ones &* 0x80
            var runs: [Run] = []
            // The open run as plain numbers (nothing allocated for the many short ones: "1.",
            // "2025年", "12333"); only a run of 11 digits or more is read again into a `Run`.
            var start = -1, digits = 0, lastDigitEnd = -1
            var separatorSeen = false
            var k = 0
            while k <= n {
                var width = 1
                var isDigit = false, separator = false
                if k < n {
                    if digits == 0 {
                        // Every run of 11 digits or more that starts in k...k+10 covers the byte at
                        // k+10: when that byte can be in no run (most bytes of Chinese text), none
                        // starts there. Landing inside a character is harmless: continuation bytes
                        // are neither digits nor separators, and no run starts inside a character.
                        let table = fullWidth ? Self.runBytesWide : Self.runBytes
                        while k + 11 <= n, table[Int(p[k + 10])] == 0 { k += 11 }
                        if k >= n { continue }
                    }
                    // Without full-width digits (most texts) a word with no ASCII digit is passed
                    // over whole while no run is open.
                    if digits == 0, k + 8 <= n {
                        let w = UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self)
                        if !hasDigitByte(w) {
                            let x = w ^ (ones &* 0xEF)
                            if !fullWidth || ((x &- ones) & ~x & highs) == 0 { k += 8; continue }
                        }
                    }
                    let b = p[k]
                    if b &- 0x30 < 10 {
                        isDigit = true
                    } else if b == 0x20 || b == 0x2D || b == 0x2E {
                        separator = true
                    } else if b >= 0xC0 {
                        width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                        if width == 3, k + 2 < n {
                            let b1 = p[k + 1], b2 = p[k + 2]
                            if b == 0xEF, b1 == 0xBC, b2 &- 0x90 < 10 { isDigit = true }
                            else if b == 0xEF, b1 == 0xBC, b2 == 0x8D || b2 == 0x8E { separator = true }   // － ．
                            else if b == 0xE3, b1 == 0x80, b2 == 0x80 { separator = true }                  // ideographic space
                            else if b == 0xE2, b1 == 0x80, b2 &- 0x90 < 4 { separator = true }              // ‐ ‑ ‒ –
                        } else if width == 2, k + 1 < n, b == 0xC2, p[k + 1] == 0xA0 {
                            separator = true                                                                  // no-break space
                        }
                    }
                }
                if isDigit {
                    if digits == 0 { start = k }
                    digits += 1
                    lastDigitEnd = k + width
                    separatorSeen = false
                } else if separator, digits > 0, !separatorSeen, k == lastDigitEnd {
                    separatorSeen = true
                } else if digits > 0 {
                    if digits >= 11, let run = Self.readRun(p, n, from: start, to: lastDigitEnd) { runs.append(run) }
                    digits = 0
                    separatorSeen = false
                }
                k += width
            }
            return runs
        }
    }

    /// The bytes that can be part of a run (ASCII digits and separators, every byte of the
    /// multi-byte separators); `runBytesWide` adds those of the full-width digits.
    static let runBytes: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 256)
        for b in Array(0x30...0x39) + [0x20, 0x2D, 0x2E] { t[b] = 1 }
        // － ． (EF BC 8D/8E), ideographic space (E3 80 80), ‐ ‑ ‒ – (E2 80 90–93), no-break space (C2 A0)
        for b in [0xEF, 0xBC, 0x8D, 0x8E, 0xE3, 0x80, 0xE2, 0x90, 0x91, 0x92, 0x93, 0xC2, 0xA0] { t[b] = 1 }
        return t
    }()
    static let runBytesWide: [UInt8] = {
        var t = runBytes
        for b in 0x90...0x99 { t[b] = 1 }  // ０–９: EF BC 90–99
        return t
    }()

    /// A run of digits found by `numberRuns`, read again: each digit's byte offset and value, the
    /// group starts, an X after a 17th digit; nil when glued to a letter or digit (a code).
    static func readRun(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int, to end: Int) -> Run? {
        var run = Run()
        var k = from
        var separated = false
        while k < end {
            let b = p[k]
            if b &- 0x30 < 10 {
                if run.values.isEmpty || separated { run.groupStarts.append(run.values.count) }
                run.positions.append(k); run.values.append(b - 0x30); separated = false
                k += 1
            } else if b == 0xEF, k + 2 < end + 2, p[k + 1] == 0xBC, p[k + 2] &- 0x90 < 10 {
                if run.values.isEmpty || separated { run.groupStarts.append(run.values.count) }
                run.positions.append(k); run.values.append(p[k + 2] - 0x90); separated = false
                k += 3
            } else {
                separated = true
                k += b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            }
        }
        var after = end
        if run.values.count == 17 {
            if after < n, p[after] == 0x58 || p[after] == 0x78 { run.endsWithX = true; after += 1 }
            else if after + 2 < n, p[after] == 0xEF, (p[after + 1] == 0xBC && p[after + 2] == 0xB8) || (p[after + 1] == 0xBD && p[after + 2] == 0x98) {
                run.endsWithX = true; after += 3
            }
        }
        let glued = from > 0 && isASCIIAlnum(UInt32(p[from - 1]))
        let gluedAfter = after < n && isASCIIAlnum(UInt32(p[after]))
        return glued || gluedAfter ? nil : run
    }

    @inline(__always) static func isASCIIAlnum(_ v: UInt32) -> Bool {
        (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
    }

    /// Spans of whole groups that form a number of a known kind, left to right.
    static func match(_ run: Run) -> [Finding] {
        var out: [Finding] = []
        let n = run.values.count
        guard n >= 11 || (n == 17 && run.endsWithX) else { return [] }
        var starts = run.groupStarts
        starts.append(n)
        var g = 0
        while g < starts.count - 1 {
            let from = starts[g]
            var found: Finding?
            var nextGroup = g + 1
            // Ends at a group boundary: the longest kind first.
            for e in stride(from: starts.count - 1, to: g, by: -1) {
                let to = starts[e]
                let len = to - from
                let v = Array(run.values[from..<to])
                let atEnd = to == n
                if len == 17, atEnd, run.endsWithX, isID(v + [10]) {
                    found = Finding(kind: .idNumber, masked: Array(run.positions[(from + 6)..<(from + 14)]))
                } else if len == 18, isID(v) {
                    found = Finding(kind: .idNumber, masked: Array(run.positions[(from + 6)..<(from + 14)]))
                } else if (16...19).contains(len), isCard(v) {
                    found = Finding(kind: .bankCard, masked: Array(run.positions[(from + 6)..<(to - 4)]))
                } else if let m = mobileStart(v) {
                    found = Finding(kind: .mobile, masked: Array(run.positions[(from + m + 3)..<(from + m + 7)]))
                }
                if found != nil { nextGroup = e; break }
            }
            if let found { out.append(found) }
            g = nextGroup
        }
        return out
    }

    /// Where the 11 mobile digits start in `v` (0, or 2 after 86, or 4 after 0086), nil when `v` is no mobile.
    static func mobileStart(_ v: [UInt8]) -> Int? {
        func mobile(_ at: Int) -> Bool { v.count - at == 11 && v[at] == 1 && v[at + 1] >= 3 }
        if mobile(0) { return 0 }
        if v.count == 13, v[0] == 8, v[1] == 6, mobile(2) { return 2 }
        if v.count == 15, v[0] == 0, v[1] == 0, v[2] == 8, v[3] == 6, mobile(4) { return 4 }
        return nil
    }

    /// 17 digits and a check value (10 for X): region code, birth date and MOD 11-2.
    static func isID(_ v: [UInt8]) -> Bool {
        guard v.count == 18, (1...8).contains(v[0]), v[0..<17].allSatisfy({ $0 <= 9 }) else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let checks: [UInt8] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]
        var sum = 0
        for k in 0..<17 { sum += Int(v[k]) * weights[k] }
        guard checks[sum % 11] == v[17] else { return false }
        let year = Int(v[6]) * 1000 + Int(v[7]) * 100 + Int(v[8]) * 10 + Int(v[9])
        let month = Int(v[10]) * 10 + Int(v[11]), day = Int(v[12]) * 10 + Int(v[13])
        return plausibleBirthDate(year: year, month: month, day: day)
    }

    static func plausibleBirthDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1900...currentYear).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    static let currentYear: Int = {
        let now = Int64(Date().timeIntervalSince1970)
        return Int(ShanghaiTime.format(now).prefix(4)) ?? 2100
    }()

    static func isCard(_ v: [UInt8]) -> Bool {
        // How bank cards start: UnionPay 62 and 60, Visa 4, Mastercard 51–55, JCB 35, the older
        // domestic debit cards 95. (Record ids and timestamps start with 1 or 2, IDs with 1–8.)
        let two = Int(v[0]) * 10 + Int(v[1])
        guard [62, 60, 35, 95].contains(two) || v[0] == 4 || (51...55).contains(two) else { return false }
        var sum = 0
        var double = false
        for d in v.reversed() {
            var x = Int(d)
            if double { x *= 2; if x > 9 { x -= 9 } }
            sum += x
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// Whether a question may give a name or an address: a trigger's first two characters
    /// (我叫, 本人, 姓名 …), or a digit and an address word (路, 小区 …) somewhere in it. Read as
    /// bytes, so most questions are passed over without being split into scalars.
    static func mayHoldPersonal(_ text: String) -> Bool { scanQuestion(text).personal }

    /// One pass over a question's bytes: whether it may give a name or an address, and whether
    /// it has full-width digits (then its answer is searched for them too).
    static func scanQuestion(_ text: String) -> (personal: Bool, fullWidth: Bool, digit: Bool) {
        var text = text
        let bits = firstCharBits, triggers = triggerPrefixes, chars = addressChars, pairs = addressPairs
        return text.withUTF8 { bytes -> (personal: Bool, fullWidth: Bool, digit: Bool) in
            guard let p = bytes.baseAddress else { return (false, false, false) }
            let n = bytes.count
            var digit = false, addressWord = false, fullWidth = false, trigger = false
            var k = 0
            while k < n {
                let b = p[k]
                if b < 0xE0 {
                    if b &- 0x30 < 10 { digit = true }
                    k += 1
                    continue
                }
                guard k + 3 <= n else { break }
                let b1 = p[k + 1], b2 = p[k + 2]
                if b == 0xEF, b1 == 0xBC, b2 &- 0x90 < 10 { digit = true; fullWidth = true; k += 3; continue }
                // One look in a 4,096-bit table of the triggers' and address words' first
                // characters (by their last two bytes) passes over nearly every character.
                let slot = Int(b1 & 0x3F) << 6 | Int(b2 & 0x3F)
                if bits[slot >> 6] & (1 << UInt64(slot & 63)) != 0 {
                    let three = UInt32(b) << 16 | UInt32(b1) << 8 | UInt32(b2)
                    if !addressWord, chars.contains(three) { addressWord = true }
                    if k + 6 <= n {
                        let six = UInt64(three) << 24 | UInt64(p[k + 3]) << 16 | UInt64(p[k + 4]) << 8 | UInt64(p[k + 5])
                        if !trigger, triggers.contains(six) { trigger = true }
                        if !addressWord, pairs.contains(six) { addressWord = true }
                    }
                }
                k += b >= 0xF0 ? 4 : 3
            }
            return (trigger || digit && addressWord, fullWidth, digit)
        }
    }

    /// The first characters of the name triggers and address words, by the low six bits of their
    /// second and third UTF-8 bytes.
    static let firstCharBits: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 64)
        for w in nameTriggers + addressWords {
            let u = Array(String(w[0]).utf8)
            guard u.count == 3 else { continue }
            let slot = Int(u[1] & 0x3F) << 6 | Int(u[2] & 0x3F)
            bits[slot >> 6] |= 1 << UInt64(slot & 63)
        }
        return bits
    }()

    /// Address words as UTF-8 codes: the one-character ones (three bytes), the two-character ones (six).
    static let addressChars: [UInt32] = addressWords.filter { $0.count == 1 }.map { w in
        Array(String(w[0]).utf8).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
    static let addressPairs: [UInt64] = addressWords.filter { $0.count == 2 }.map { w in
        Array(String(String.UnicodeScalarView(w)).utf8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The first two characters of every name trigger, as six UTF-8 bytes.
    static let triggerPrefixes: [UInt64] = Array(Set(nameTriggers.map { t in
        Array(String(String.UnicodeScalarView(t.prefix(2))).utf8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }))

    /// Whether any byte of `x` is an ASCII digit (0x30...0x39): the "has between" bit trick, exact
    /// for bytes under 0x80 and never true for bytes at or over it.
    @inline(__always) static func hasDigitByte(_ x: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = x & (ones &* 127)
        let m: UInt64 = 0x2F, n: UInt64 = 0x3A
        // Swift's & binds tighter than &+ and &-, unlike C's: every step in its own parentheses.
        let belowN = (ones &* (127 &+ n)) &- low7
        let aboveM = low7 &+ (ones &* (127 &- m))
        return (belowN & ~x & aboveM & (ones &* 128)) != 0
    }

    // MARK: names and addresses (in the question)

    /// Names and addresses in a question, as the exact character sequences to mask elsewhere too,
    /// each with how many leading characters stay (a name keeps its surname).
    struct Span: Hashable {
        let kind: Kind
        let scalars: [Unicode.Scalar]
        /// Offsets within `scalars` that become `*`.
        let masked: [Int]
    }

    /// (Their first two characters gate the search, so common openings — 我的, 我妈 — are left
    /// out: 我的名字叫 is found as 名字叫, 我妈叫 as 妈叫.)
    static let nameTriggers: [[Unicode.Scalar]] = ["我叫", "名字叫", "名字是", "本人", "姓名", "联系人",
                                                   "申请人", "当事人", "家属", "老公叫", "老婆叫", "爸叫", "妈叫", "孩子叫"]
        .map { Array($0.unicodeScalars) }
    /// What follows a name and is not part of it.
    static let afterName = Set("，。、；：！？,.;:!? （）()的想要在是身电手联住今去从问咨办于和与及也已今年岁男女先生士，\n\t0123456789０１２３４５６７８９".unicodeScalars)
    /// The commonest surnames (two-character ones first), covering most of the population.
    static let compoundSurnames: [[Unicode.Scalar]] = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯"]
        .map { Array($0.unicodeScalars) }
    static let surnames = Set("""
        王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝
        """.unicodeScalars.filter { $0.value > 0x7F })
    /// A road, a community, a building: numbers after these (with 号, 栋 …) are a home address.
    /// (Office words — 大厦, 广场, 政府, 中心 — are left out: an office's address is public.)
    static let addressWords: [[Unicode.Scalar]] = ["路", "街", "巷", "弄", "大道", "小区", "花园", "家园", "新村", "公寓", "苑", "庄园", "村", "组"]
        .map { Array($0.unicodeScalars) }
    static let addressUnits = Set("号栋幢楼单元室层座户组-－".unicodeScalars)

    @inline(__always) static func isCJK(_ u: Unicode.Scalar) -> Bool { (0x4E00...0x9FFF).contains(u.value) || (0x3400...0x4DBF).contains(u.value) }

    static func starts(_ s: [Unicode.Scalar], _ at: Int, with p: [Unicode.Scalar]) -> Bool {
        at + p.count <= s.count && s[at..<(at + p.count)].elementsEqual(p)
    }

    /// Triggers and address words by their first character: most questions hold none of these
    /// and are passed over after one look at each character.
    static let nameTriggersByFirst = Dictionary(grouping: nameTriggers, by: { $0[0] })
    static let addressWordsByFirst = Dictionary(grouping: addressWords, by: { $0[0] })

    static func personalSpans(_ question: String) -> [Span] {
        let s = Array(question.unicodeScalars)
        guard s.count >= 3 else { return [] }
        let hasDigit = s.contains { digit($0.value) != nil }
        guard s.contains(where: { nameTriggersByFirst[$0] != nil || hasDigit && addressWordsByFirst[$0] != nil }) else { return [] }
        var out: [Span] = []
        var i = 0
        outer: while i < s.count {
            for t in nameTriggersByFirst[s[i]] ?? [] where starts(s, i, with: t) {
                var k = i + t.count
                while k < s.count, s[k] == "：" || s[k] == ":" || s[k] == " " || s[k] == "是" && t.last != "是" { k += 1 }
                if let name = nameAt(s, k) {
                    out.append(name)
                    i = k + name.scalars.count
                    continue outer
                }
            }
            if hasDigit {
                for w in addressWordsByFirst[s[i]] ?? [] where starts(s, i, with: w) {
                    if let tail = addressTail(s, i + w.count) {
                        // The word goes with the numbers, so only this address is masked where it recurs.
                        out.append(Span(kind: .address, scalars: w + tail.scalars, masked: tail.masked.map { $0 + w.count }))
                        i += w.count + tail.scalars.count
                        continue outer
                    }
                }
            }
            i += 1
        }
        return out
    }

    /// A surname and one to three given-name characters, ending before a word that is no name.
    static func nameAt(_ s: [Unicode.Scalar], _ at: Int) -> Span? {
        var surname = 0
        if let c = compoundSurnames.first(where: { starts(s, at, with: $0) }) { surname = c.count } else if at < s.count, surnames.contains(s[at]) { surname = 1 }
        guard surname > 0 else { return nil }
        var end = at + surname
        while end < s.count, end - at - surname < 3, isCJK(s[end]), !afterName.contains(s[end]) { end += 1 }
        let given = end - at - surname
        guard given >= 1 else { return nil }
        // Four characters straight on with no stop after them: most likely the name ran into words.
        if given == 3, surname == 1, end < s.count, isCJK(s[end]), !afterName.contains(s[end]) { end -= 1 }
        let scalars = Array(s[at..<end])
        return Span(kind: .name, scalars: scalars, masked: Array(surname..<scalars.count))
    }

    /// After an address word: numbers with 号, 栋, 单元, 室 … (at least one number and one unit,
    /// or numbers joined by a dash: 3-201). Every digit in it is masked.
    static func addressTail(_ s: [Unicode.Scalar], _ at: Int) -> Span? {
        var end = at
        var digits: [Int] = []
        var units = 0
        while end < s.count, end - at < 16 {
            let u = s[end]
            if digit(u.value) != nil {
                digits.append(end - at)
            } else if addressUnits.contains(u) {
                units += 1
            } else {
                break
            }
            end += 1
        }
        guard !digits.isEmpty, units >= 1 else { return nil }
        // Trailing units without numbers after them (号楼) stay in the span; it ends at its last character.
        return Span(kind: .address, scalars: Array(s[at..<end]), masked: digits)
    }

    /// Every place a span occurs in `text`, as findings (its masked offsets moved there).
    static func occurrences(of spans: [Span], in text: String) -> [Finding] {
        guard !spans.isEmpty else { return [] }
        let s = Array(text.unicodeScalars)
        var out: [Finding] = []
        for span in Set(spans) {
            var i = 0
            while i + span.scalars.count <= s.count {
                if starts(s, i, with: span.scalars) {
                    out.append(Finding(kind: span.kind, masked: span.masked.map { $0 + i }))
                    i += span.scalars.count
                } else {
                    i += 1
                }
            }
        }
        return out
    }

    static func occurrences(of needles: [[Unicode.Scalar]], in text: String, keepFirst: Int) -> [Finding] {
        let spans = needles.filter { !$0.isEmpty }.map { n in
            Span(kind: .name, scalars: n, masked: n.indices.filter { $0 >= keepFirst && !isSeparator(n[$0].value) })
        }
        return occurrences(of: spans, in: text)
    }

    // MARK: applying

    /// The text with the findings' characters replaced: `＊` for a wide character, `*` otherwise.
    static func apply(_ text: String, _ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return text }
        var s = Array(text.unicodeScalars)
        for f in findings {
            for k in f.masked where k < s.count {
                s[k] = DisplayWidth.of(s[k]) == 2 ? "＊" : "*"
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: s)
        return String(out)
    }

    /// ISO 7064 MOD 11-2 as GB 11643 uses it (the check alone; `isID` also wants a birth date).
    public static func validIDChecksum(_ id: String) -> Bool {
        let v = id.unicodeScalars.map { u -> UInt8 in isCheckX(u.value) ? 10 : (digit(u.value) ?? 99) }
        guard v.count == 18, v[0..<17].allSatisfy({ $0 <= 9 }) else { return false }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let checks: [UInt8] = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]
        var sum = 0
        for k in 0..<17 { sum += Int(v[k]) * weights[k] }
        return checks[sum % 11] == v[17]
    }
}
