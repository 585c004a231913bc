/// CSV files are opened in Excel and WPS, which run a cell that starts with `=`, `+`, `-` or `@`
/// (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`) as a formula. As OWASP advises, such a cell is written
/// with a leading `'`; so that the round trip stays exact, a cell that already starts with `'`
/// before one of those gets one more. Plain numbers (`-3`, `+2.5%`) are left as they are: they are
/// no formula, and a report's figures stay numbers. Reading a CSV undoes it (`restore`). XLSX needs
/// none of this: every text cell there is a string cell.
public enum FormulaGuard {
    static func starts(_ u: Unicode.Scalar) -> Bool {
        u == "=" || u == "+" || u == "-" || u == "@" || u == "\t" || u == "\r"
    }

    /// Whether a cell is written with a leading `'`.
    public static func needsGuard(_ s: Substring.UnicodeScalarView) -> Bool {
        guard let first = s.first else { return false }
        if first == "'" { return needsGuard(s.dropFirst()) }
        return starts(first) && !isPlainNumber(s)
    }

    static func isPlainNumber(_ s: Substring.UnicodeScalarView) -> Bool {
        var digits = 0, i = s.startIndex
        if i < s.endIndex, s[i] == "+" || s[i] == "-" { i = s.index(after: i) }
        var dot = false
        while i < s.endIndex {
            let u = s[i]
            if u.properties.numericType != nil, u.value < 0x80 { digits += 1 }
            else if u == ".", !dot { dot = true }
            else if u == "%", s.index(after: i) == s.endIndex { break }
            else { return false }
            i = s.index(after: i)
        }
        return digits > 0
    }

    public static func guarded(_ s: String) -> String {
        needsGuard(Substring(s).unicodeScalars) ? "'" + s : s
    }

    /// The cell as it was before `guarded`.
    public static func restore(_ s: String) -> String {
        let u = Substring(s).unicodeScalars
        guard u.first == "'", needsGuard(u.dropFirst()) else { return s }
        return String(s.dropFirst())
    }
}
