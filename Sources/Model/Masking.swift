/// Personal data masking (domain.md §8): applied to questions and answers on import, so neither the
/// screen nor an export can show it. One `*` per masked character keeps lengths and layout.
///
/// Works on UTF-8 bytes: ASCII digits never occur inside a multi-byte sequence, so digit runs found
/// byte by byte are exact, and text without a long digit run is returned untouched (the common case).
public enum Masking {
    /// 18-digit resident ID: first 6 and last 4 kept, only when the ISO 7064 MOD 11-2 check digit is
    /// valid (an order number of 18 digits is not personal data).
    /// Mobile `1[3-9]\d{9}` (also after `86`/`+86`): first 3 and last 4 kept.
    /// Bank card, 16–19 digits passing Luhn: first 6 and last 4 kept.
    public static func mask(_ text: String) -> String {
        guard hasLongDigitRun(text) else { return text }
        var bytes = Array(text.utf8)
        if maskInPlace(&bytes) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return text
    }

    /// Masks `bytes`; returns whether anything changed.
    @discardableResult
    public static func maskInPlace(_ bytes: inout [UInt8]) -> Bool {
        var changed = false
        let n = bytes.count
        var i = 0
        while i < n {
            guard isDigit(bytes[i]) else { i += 1; continue }
            var j = i
            while j < n, isDigit(bytes[j]) { j += 1 }
            var end = j
            // An ID may end in X.
            if j - i == 17, j < n, bytes[j] == 0x58 || bytes[j] == 0x78 { end = j + 1 }
            let len = end - i
            if len == 18, validIDChecksum(bytes, i) {
                star(&bytes, i + 6, i + 14); changed = true
            } else if len == 11, isMobile(bytes, i) {
                star(&bytes, i + 3, i + 7); changed = true
            } else if len == 13, bytes[i] == 0x38, bytes[i + 1] == 0x36, isMobile(bytes, i + 2) {
                star(&bytes, i + 5, i + 9); changed = true
            } else if (16...19).contains(len), end == j, luhn(bytes, i, end) {
                star(&bytes, i + 6, end - 4); changed = true
            }
            i = end
        }
        return changed
    }

    /// Whether the text has 11 or more digits in a row: nothing shorter is masked, and most
    /// records have none, so they skip the copy.
    static func hasLongDigitRun(_ text: String) -> Bool {
        var text = text
        // Native strings are contiguous UTF-8. Eight bytes at a time: a word with no ASCII digit
        // (most of Chinese text) ends any run and is skipped whole; only words with a digit are
        // walked byte by byte. (Iterating the UTF8View was 7.5% of an import, by perf.)
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return false }
            let n = bytes.count
            var run = 0
            // Counts one byte into the current run of digits; true once it reaches 11.
            func longRun(at k: Int) -> Bool {
                if base[k] &- 0x30 < 10 {
                    run += 1
                    return run >= 11
                }
                run = 0
                return false
            }
            var i = 0
            while i + 8 <= n {
                if hasDigitByte(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                    for k in i..<(i + 8) where longRun(at: k) { return true }
                } else {
                    run = 0
                }
                i += 8
            }
            for k in i..<n where longRun(at: k) { return true }
            return false
        }
    }

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

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    static func star(_ bytes: inout [UInt8], _ from: Int, _ to: Int) {
        for k in from..<to { bytes[k] = 0x2A }
    }

    static func isMobile(_ b: [UInt8], _ i: Int) -> Bool {
        b[i] == 0x31 && b[i + 1] >= 0x33 && b[i + 1] <= 0x39
    }

    /// ISO 7064 MOD 11-2 as GB 11643 uses it.
    public static func validIDChecksum(_ b: [UInt8], _ i: Int) -> Bool {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let checks: [UInt8] = Array("10X98765432".utf8)
        var sum = 0
        for k in 0..<17 { sum += Int(b[i + k] - 0x30) * weights[k] }
        let expected = checks[sum % 11]
        let actual = b[i + 17] == 0x78 ? 0x58 : b[i + 17]
        return expected == actual
    }

    public static func validIDChecksum(_ id: String) -> Bool {
        let b = Array(id.utf8)
        guard b.count == 18, b[0..<17].allSatisfy(isDigit) else { return false }
        return validIDChecksum(b, 0)
    }

    static func luhn(_ b: [UInt8], _ from: Int, _ to: Int) -> Bool {
        var sum = 0
        var double = false
        var k = to - 1
        while k >= from {
            var d = Int(b[k] - 0x30)
            if double { d *= 2; if d > 9 { d -= 9 } }
            sum += d
            double.toggle()
            k -= 1
        }
        return sum % 10 == 0
    }
}
