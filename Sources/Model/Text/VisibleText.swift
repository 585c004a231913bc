/// Record text as a terminal may show it: control characters become visible escapes (caret
/// notation, as `cat -v` and `less` write them: BEL → `^G`, ESC → `^[`, DEL → `^?`; C1 controls as
/// `<U+0085>`), so a log line can never move the cursor or change colours. The detail screen and the
/// exports are to use this one function, so what is exported is what was shown.
public enum VisibleText {
    public static func escapeControls(_ s: String, keepNewlines: Bool = true) -> String {
        // Fast path: most answers have no control characters besides newlines.
        if !s.unicodeScalars.contains(where: { needsEscape($0, keepNewlines: keepNewlines) }) { return s }
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

    static func needsEscape(_ u: Unicode.Scalar, keepNewlines: Bool) -> Bool {
        let v = u.value
        if v == 0x0A || v == 0x09 || v == 0x0D { return !keepNewlines }
        // U+FFFE and U+FFFF are not characters: XML cannot carry them either.
        return v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0xFFFE || v == 0xFFFF
    }

    /// One line for a list cell: newlines and tabs as spaces, other controls escaped.
    public static func singleLine(_ s: String) -> String { escapeControls(s, keepNewlines: false) }
}

import Foundation

/// The one place record text becomes what a person sees: the detail screen and every export call
/// these, so the exported 问答结果 is the string the screen shows (domain.md §7).
public enum RecordText {
    public static func question(_ r: InteractionRecord) -> String { VisibleText.escapeControls(r.question) }
    public static func answer(_ r: InteractionRecord) -> String { VisibleText.escapeControls(r.answer) }
}
