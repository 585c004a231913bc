/// Terminal columns a text takes, from the bundled East Asian Width table — never the locale's
/// wcwidth, which answers -1 for every Chinese character under LANG=C (platform.md).
public enum DisplayWidth {
    /// Columns of one scalar: 0 for marks and controls, 2 for wide and fullwidth, else 1
    /// (ambiguous characters narrow unless `ambiguousWide`).
    public static func of(_ s: Unicode.Scalar, ambiguousWide: Bool = false) -> Int {
        let v = s.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return ambiguousWide && inTable(WidthTable.ambiguous, v) ? 2 : 1 }
        if inTable(WidthTable.zero, v) { return 0 }
        if inTable(WidthTable.wide, v) { return 2 }
        if ambiguousWide, inTable(WidthTable.ambiguous, v) { return 2 }
        return 1
    }

    /// Columns of a character (a grapheme): its first scalar decides; an emoji presentation
    /// selector (U+FE0F) makes it wide.
    public static func of(_ c: Character, ambiguousWide: Bool = false) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        var w = of(first, ambiguousWide: ambiguousWide)
        if w == 1, scalars.contains(where: { $0.value == 0xFE0F }) { w = 2 }
        return w
    }

    public static func of(_ text: some StringProtocol, ambiguousWide: Bool = false) -> Int {
        var n = 0
        for c in text { n += of(c, ambiguousWide: ambiguousWide) }
        return n
    }

    static func inTable(_ t: [(UInt32, UInt32)], _ v: UInt32) -> Bool {
        var lo = 0, hi = t.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if v < t[mid].0 { hi = mid - 1 } else if v > t[mid].1 { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// The longest prefix that fits `width` columns; when it had to cut, the last column(s) hold
    /// `marker` (tig's `~`). A wide character that would straddle the edge is left out, and the
    /// result is padded with spaces to exactly `width` when `pad` is set.
    public static func truncate(_ text: String, to width: Int, marker: String = "~", pad: Bool = false,
                                ambiguousWide: Bool = false) -> String {
        guard width > 0 else { return "" }
        let total = of(text, ambiguousWide: ambiguousWide)
        if total <= width {
            return pad ? text + String(repeating: " ", count: width - total) : text
        }
        let markerWidth = of(marker)
        let budget = max(0, width - markerWidth)
        var out = ""
        var used = 0
        for c in text {
            let w = of(c, ambiguousWide: ambiguousWide)
            if used + w > budget { break }
            out.append(c)
            used += w
        }
        out += marker
        used += markerWidth
        if used < width, pad { out += String(repeating: " ", count: width - used) }
        return out
    }
}

extension DisplayWidth {
    /// Characters no line may start with (closing punctuation: 禁则, GB/T 15834) and none may end
    /// with (opening brackets).
    static let noLineStart: Set<Character> = Set("，。、；：？！）」』》〉】〕〗｝”’％‰·…—～,.;:?!)]}%")
    static let noLineEnd: Set<Character> = Set("（「『《〈【〔〖｛“‘([{")

    /// Part of a run that must not be broken: an ID, a number, a code, a word (ASCII letters,
    /// digits and the marks inside them, and the * of a masked number).
    @inline(__always) static func isWordPart(_ c: Character) -> Bool {
        guard let a = c.asciiValue else { return false }
        return (a >= 0x30 && a <= 0x39) || (a >= 0x41 && a <= 0x5A) || (a >= 0x61 && a <= 0x7A) || "*-_./@:#%+=&?".utf8.contains(a)
    }

    /// Lines of at most `width` columns: breaks at newlines (CRLF and CR too), then wherever the
    /// next character would not fit (Chinese has no spaces to break at), by Chinese line-breaking
    /// rules: no line starts with closing punctuation (，。）」 …) or ends with an opening one
    /// (（「 …) — a character or two moves down with it — and an ASCII run (an ID, a number, a URL)
    /// moves down whole when it fits on a line. Tabs become spaces to the next multiple of 4.
    /// Control characters must already be escaped (`VisibleText`).
    public static func wrap(_ text: String, width: Int, ambiguousWide: Bool = false) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line: [(Character, Int)] = []
        var used = 0
        func flush() { lines.append(String(line.map(\.0))); line.removeAll(keepingCapacity: true); used = 0 }
        for c in text {
            if c == "\n" || c == "\r\n" || c == "\r" {
                flush()
                continue
            }
            if c == "\t" {
                let spaces = 4 - used % 4
                if used + spaces > width {
                    flush()
                } else {
                    line.append(contentsOf: Array(repeating: (" ", 1), count: spaces)); used += spaces
                }
                continue
            }
            let w = of(c, ambiguousWide: ambiguousWide)
            if used + w > width, !line.isEmpty {
                var cut = line.count
                if isWordPart(c) {
                    // Back to the start of the run, if the run (with c) fits a whole line.
                    var start = cut
                    while start > 0, isWordPart(line[start - 1].0) { start -= 1 }
                    let runWidth = line[start...].reduce(0) { $0 + $1.1 } + w
                    if start > 0, runWidth <= width { cut = start }
                } else if noLineStart.contains(c) {
                    // Closing punctuation takes the character before it down (twice at most).
                    var moved = 0
                    while cut > 1, moved < 2 {
                        cut -= 1; moved += 1
                        if !noLineStart.contains(line[cut].0) { break }
                    }
                }
                // An opening bracket never ends a line.
                while cut > 1, noLineEnd.contains(line[cut - 1].0) { cut -= 1 }
                let carried = Array(line[cut...])
                line.removeSubrange(cut...)
                flush()
                line = carried
                used = carried.reduce(0) { $0 + $1.1 }
                if used + w > width { flush() }
            }
            line.append((c, w))
            used += w
        }
        flush()
        return lines
    }
}
