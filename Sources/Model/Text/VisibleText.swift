/// Record text as a terminal may show it: control characters become visible escapes (caret
/// notation, as `cat -v` and `less` write them: BEL → `^G`, ESC → `^[`, DEL → `^?`; C1 controls as
/// `<U+0085>`), so a log line can never move the cursor or change colours. The detail screen and the
/// exports are to use this one function, so what is exported is what was shown.
public enum VisibleText {
    public static func escapeControls(_ s: String, keepNewlines: Bool = true) -> String {
        // Fast path: most answers have no control characters besides newlines; looked for in the
        // UTF-8 bytes (a scalar walk was 6% of a 1,000,000-row export).
        if !mayNeedEscape(s, keepNewlines: keepNewlines) { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            guard needsEscape(u, keepNewlines: keepNewlines) else { out.append(u); continue }
            if !keepNewlines, u == "\n" || u == "\r" || u == "\t" {
                out.append(" ")
            } else if u.value < 0x20 {
                out.append("^"); out.append(Unicode.Scalar(UInt8(u.value) + 0x40))
            } else if u.value == 0x7F {
                out.append("^"); out.append("?")
            } else {
                out.append(contentsOf: String(format: "<U+%04X>", u.value).unicodeScalars)
            }
        }
        return String(out)
    }

    /// False only when no character needs an escape: C0 bytes, DEL, the lead byte 0xC2 of C1
    /// controls (U+0080–U+009F) and 0xEF of U+FFFE/U+FFFF are the only bytes that can start one.
    static func mayNeedEscape(_ s: String, keepNewlines: Bool) -> Bool {
        var s = s
        return s.withUTF8 { u in
            let n = u.count
            var i = 0
            // Eight bytes at a time: a word with no byte below 0x20, no 0x7F, 0xC2 or 0xEF cannot
            // start an escape (a byte loop was 7% of a 1,000,000-row export).
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
            while i + 8 <= n {
                let w = UnsafeRawPointer(u.baseAddress! + i).loadUnaligned(as: UInt64.self)
                let suspicious = ((w &- ones &* 0x20) & ~w & highs) != 0 || hasZero(w ^ (ones &* 0x7F))
                    || hasZero(w ^ (ones &* 0xC2)) || hasZero(w ^ (ones &* 0xEF))
                if !suspicious { i += 8; continue }
                if exactCheck(u, from: i, to: i + 8, keepNewlines: keepNewlines) { return true }
                i += 8
            }
            return exactCheck(u, from: i, to: n, keepNewlines: keepNewlines)
        }
    }

    private static func exactCheck(_ u: UnsafeBufferPointer<UInt8>, from: Int, to: Int, keepNewlines: Bool) -> Bool {
        let n = u.count
        for i in from..<to {
            let b = u[i]
            if b < 0x20 {
                if !keepNewlines || !(b == 0x0A || b == 0x09 || b == 0x0D) { return true }
            } else if b == 0x7F {
                return true
            } else if b == 0xC2, i + 1 < n, u[i + 1] >= 0x80, u[i + 1] <= 0x9F {
                return true  // C1 control
            } else if b == 0xEF, i + 2 < n, u[i + 1] == 0xBF, u[i + 2] >= 0xBE {
                return true  // U+FFFE, U+FFFF
            }
        }
        return false
    }

    public static func needsEscape(_ u: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        let v = u.value
        if v == 0x0A || v == 0x09 || v == 0x0D { return !keepNewlines }
        // U+FFFE and U+FFFF are not characters: XML cannot carry them either.
        return v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0xFFFE || v == 0xFFFF
    }

    /// One line for a list cell: newlines and tabs as spaces, other controls escaped.
    public static func singleLine(_ s: String) -> String { escapeControls(s, keepNewlines: false) }
}

import Foundation

/// The one place record text becomes what a person sees on a screen: control characters as
/// visible escapes. Exports carry the stored characters themselves (issue 15, case 6: a file must
/// give back, on import, exactly what was imported), with the count and SHA-256 of those.
public enum RecordText {
    /// Characters as 问答结果字符数 counts them (Unicode code points, Python's `len`): UTF-8
    /// bytes that start a character.
    public static func count(_ s: String) -> Int {
        var s = s
        return s.withUTF8 { u in
            // Continuation bytes (10xxxxxx) counted eight at a time, then subtracted.
            let n = u.count
            var continuation = 0
            var i = 0
            while i + 8 <= n {
                let w = UnsafeRawPointer(u.baseAddress! + i).loadUnaligned(as: UInt64.self)
                continuation += (w & ~(w << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
                i += 8
            }
            while i < n { if u[i] & 0xC0 == 0x80 { continuation += 1 }; i += 1 }
            return n - continuation
        }
    }

    public static func question(_ r: InteractionRecord) -> String { VisibleText.escapeControls(r.question) }
    public static func answer(_ r: InteractionRecord) -> String { VisibleText.escapeControls(r.answer) }
}
