import Model

/// Horizontal bars as pure functions from numbers to cells (htop's bar meter): the filled part,
/// the rest, and the figure written inside the bar at its right end.
enum Bars {
    static func cells(fraction: Double?, width: Int, text: String, glyphs: Glyphs, dim: Bool = false)
        -> [(Character, Role)]
    {
        guard width > 0 else { return [] }
        let filled = fraction.map { Int(($0 * Double(width)).rounded()) }.map { max(0, min(width, $0)) } ?? 0
        let label = Array(DisplayWidth.truncate(text, to: width, marker: ""))
        // Figures are ASCII (digits, %, n=), so one character is one column.
        let start = width - label.count
        return (0..<width).map { i in
            let inFill = i < filled
            if i >= start {
                return (label[i - start], dim ? .dim : (inFill ? .barText : .normal))
            }
            return inFill ? (glyphs.fill, dim ? .dim : .barFill) : (glyphs.empty, .barEmpty)
        }
    }

    /// The bar as plain text (for tests and reports).
    static func text(fraction: Double?, width: Int, text: String, glyphs: Glyphs) -> String {
        String(cells(fraction: fraction, width: width, text: text, glyphs: glyphs).map(\.0))
    }
}

extension Canvas {
    mutating func draw(_ cells: [(Character, Role)], x: Int, y: Int) {
        var col = x
        for (c, role) in cells { col += put(c, x: col, y: y, role: role) }
    }
}
