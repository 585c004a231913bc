import Foundation
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

    /// A bar over a stated range (`from`…100%), so counties that differ by a few points look
    /// different: the sure part (to the 95% interval's lower bound) filled, the interval shaded,
    /// the target a mark; the figure goes beside the bar, never inside (issue 16, point 4).
    static func scaled(_ ratio: Ratio, from lo: Double, target: Double?, width: Int, glyphs: Glyphs) -> [(Character, Role)] {
        guard width > 0 else { return [] }
        let span = max(0.0001, 1 - lo)
        func cell(_ f: Double) -> Int { Int(((f - lo) / span * Double(width)).rounded()) }
        let (lower, upper) = ratio.wilson95 ?? (ratio.value ?? 0, ratio.value ?? 0)
        let sure = ratio.value == nil ? 0 : max(0, min(width, cell(lower)))
        let shaded = ratio.value == nil ? 0 : max(sure, min(width, cell(upper)))
        let mark = target.map { max(0, min(width - 1, cell($0) - 1)) }
        let dim = !ratio.isReliable
        return (0..<width).map { i in
            if i == mark { return (glyphs.target, .title) }
            if i < sure { return (glyphs.fill, dim ? .dim : .barFill) }
            if i < shaded { return (glyphs.interval, dim ? .dim : .barFill) }
            return (glyphs.empty, .barEmpty)
        }
    }

    /// Where a set of bars starts: in tens, at least two points below the lowest lower bound and
    /// the target, and never above 80% (so a bar spans 20 points at least).
    static func rangeStart(_ ratios: [Ratio], target: Double?) -> Double {
        let lows = ratios.compactMap { r in r.value.map { v in r.wilson95?.lower ?? v } } + (target.map { [$0] } ?? [])
        guard let low = lows.min() else { return 0 }
        return max(0, min(0.8, floor((low - 0.02) * 10) / 10))
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
