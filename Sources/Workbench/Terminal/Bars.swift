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

    /// One scale for a set of comparison bars (Model's, shared with the HTML report).
    typealias Scale = ComparisonScale

    /// How many sub-cell steps each bar fills (eighth blocks; halves in ASCII), for a set of
    /// figures on one scale. Ranked by the figure as shown (one decimal): a higher figure never
    /// gets the same or a shorter bar, even where the scale's step is coarser than their gap
    /// (such ties are parted by one step); equal figures get equal bars. nil: no figure.
    static func lengths(_ ratios: [Ratio], scale: Scale, width: Int, glyphs: Glyphs) -> [Int?] {
        let units = glyphs.partials.count + 1
        let most = max(0, width * units)
        func shown(_ v: Double) -> Int { Int((v * 1000).rounded()) }
        var out: [Int?] = ratios.map { r in
            r.value.map { v in max(1, min(most, Int(((v - scale.lo) / scale.span * Double(most)).rounded()))) }
        }
        // Distinct shown figures, lowest first, each at least one step above the one before.
        let figures = Set(ratios.compactMap { $0.value.map(shown) }).sorted()
        var length: [Int: Int] = [:]
        for f in figures {
            let base = ratios.indices.filter { ratios[$0].value.map(shown) == f }.compactMap { out[$0] }.max() ?? 1
            let previous = length.values.max() ?? 0
            length[f] = max(base, previous + 1)
        }
        // Pressed back under the width from the top, where the steps allow.
        var ceiling = most + 1
        for f in figures.reversed() {
            length[f] = max(1, min(length[f]!, ceiling - 1))
            ceiling = length[f]!
        }
        for i in ratios.indices { if let v = ratios[i].value { out[i] = length[shown(v)] } }
        return out
    }

    /// A comparison bar (the counties against each other): its length is the figure, on the set's
    /// scale, in eighth blocks; the 95% interval is a whisker beyond the bar's end to its upper
    /// bound (`──┤`); the target a mark where the bar does not reach; a bar below the target in the
    /// warning colour. Nothing but the bar itself is a block character, so with or without colour a
    /// longer bar is a higher figure. The figure goes beside the bar, never over it (the caller's).
    static func comparison(_ ratio: Ratio, length: Int?, scale: Scale, target: Double?, width: Int, glyphs: Glyphs)
        -> [(Character, Role)]
    {
        guard width > 0 else { return [] }
        let units = glyphs.partials.count + 1
        let filled = length ?? 0
        let full = filled / units, part = filled % units
        let end = full + (part > 0 ? 1 : 0)
        func cell(_ f: Double) -> Int { max(0, min(width - 1, Int(((f - scale.lo) / scale.span * Double(width)).rounded(.down)))) }
        let role: Role = !ratio.isReliable ? .dim : (target.map { (ratio.value ?? 1) < $0 } == true ? .barLow : .barFill)
        var out: [(Character, Role)] = Array(repeating: (glyphs.track, .barEmpty), count: width)
        for i in 0..<min(full, width) { out[i] = (glyphs.fill, role) }
        if part > 0, full < width { out[full] = (glyphs.partials[part - 1], role) }
        if ratio.isReliable, let w = ratio.wilson95 {
            let upper = cell(w.upper)
            if upper >= end {
                for i in end..<upper { out[i] = (glyphs.whisker, .barInterval) }
                out[upper] = (glyphs.whiskerEnd, .barInterval)
            }
        }
        if let t = target {
            let at = cell(t)
            if at >= end { out[at] = (glyphs.target, .title) }
        }
        return out
    }

    /// A set of comparison bars, each row's cells (scale and lengths made here).
    static func comparisons(_ ratios: [Ratio], scale: Scale, target: Double?, width: Int, glyphs: Glyphs) -> [[(Character, Role)]] {
        let ls = lengths(ratios, scale: scale, width: width, glyphs: glyphs)
        return ratios.indices.map { comparison(ratios[$0], length: ls[$0], scale: scale, target: target, width: width, glyphs: glyphs) }
    }

    /// How long a drawn comparison bar is, in steps, read back from its characters (tests read the
    /// screen with it): full blocks and the eighth block after them.
    static func measure(_ text: Substring, glyphs: Glyphs) -> Int {
        let units = glyphs.partials.count + 1
        var n = 0
        for ch in text {
            if ch == glyphs.fill { n += units; continue }
            if let i = glyphs.partials.firstIndex(of: ch) { n += i + 1 }
            break
        }
        return n
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
