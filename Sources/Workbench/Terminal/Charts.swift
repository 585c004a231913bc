import Foundation
import Model

/// Text charts as pure functions from numbers to lines (btop's Braille graphs, with an ASCII
/// fallback for terminals and reports that cannot show Braille): the dashboard draws the lines
/// into its canvas, `workbench report` prints them. Widths are display widths, so Chinese axis
/// labels line up.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Character] = ["_", ".", "-", "~", "=", "*", "#", "@"]

    /// One character per value, scaled from 0 to the largest; nil (no data) is a space.
    static func text(_ values: [Double?], ascii: Bool = false) -> String {
        let levels = ascii ? asciiLevels : blocks
        let top = values.compactMap { $0 }.max() ?? 0
        return String(values.map { v -> Character in
            guard let v else { return " " }
            guard top > 0 else { return levels[0] }
            return levels[max(0, min(levels.count - 1, Int((v / top * Double(levels.count - 1)).rounded())))]
        })
    }
}

/// A line chart with labelled axes.
struct LineChart {
    /// The chart's lines and where the plot is in them (for colouring): columns from `plotColumn`
    /// on rows `plotRows` are the plot, the rest are axes and labels.
    struct Lines: Equatable {
        var lines: [String]
        var plotColumn: Int
        var plotRows: Range<Int>
    }

    /// `values` one per point (nil: no point, the line breaks); `xLabels` one per point, shown
    /// where they fit; `format` writes a y value. `fixedRange` (e.g. 0…1 for shares) else from
    /// the data, widened to round figures. `height` counts every line, axes included (≥ 3).
    static func render(values: [Double?], xLabels: [String], width: Int, height: Int, ascii: Bool,
                       fixedRange: ClosedRange<Double>? = nil, fromZero: Bool = false, format: (Double) -> String,
                       empty: String) -> Lines {
        let plotHeight = max(1, height - 2)
        let present = values.compactMap { $0 }
        var lo = fixedRange?.lowerBound ?? 0, hi = fixedRange?.upperBound ?? 1
        if fixedRange == nil, let mx = present.max() {
            // Counts start at zero (a zoomed axis would make a slow week look like a collapse);
            // shares zoom in on their range, which the axis labels state.
            (lo, hi) = niceRange(min: fromZero ? 0 : present.min()!, max: mx)
        }
        let yLabels = [format(hi), format((lo + hi) / 2), format(lo)]
        let axisWidth = yLabels.map { DisplayWidth.of($0) }.max()! + 1
        let plotWidth = max(1, width - axisWidth - 1)
        var rows: [String]
        if present.isEmpty {
            rows = (0..<plotHeight).map { _ in String(repeating: " ", count: plotWidth) }
            let msg = DisplayWidth.truncate(empty, to: plotWidth, marker: "")
            let pad = (plotWidth - DisplayWidth.of(msg)) / 2
            let mid = plotHeight / 2
            rows[mid] = String(repeating: " ", count: pad) + msg
                + String(repeating: " ", count: Swift.max(0, plotWidth - pad - DisplayWidth.of(msg)))
        } else if ascii {
            rows = asciiPlot(values, width: plotWidth, height: plotHeight, lo: lo, hi: hi)
        } else {
            rows = braillePlot(values, width: plotWidth, height: plotHeight, lo: lo, hi: hi)
        }
        let vertical: Character = ascii ? "|" : "┤"
        var lines: [String] = []
        for (i, row) in rows.enumerated() {
            var label = ""
            if i == 0 { label = yLabels[0] }
            else if i == plotHeight - 1 { label = yLabels[2] }
            else if plotHeight >= 5, i == plotHeight / 2 { label = yLabels[1] }
            let axis: Character = label.isEmpty ? (ascii ? "|" : "│") : vertical
            lines.append(label.leftPadded(to: axisWidth) + String(axis) + row)
        }
        // The x axis, with a tick under each labelled point.
        let positions = values.indices.map { xPosition($0, count: values.count, width: plotWidth) }
        var axis = Array(repeating: ascii ? Character("-") : Character("─"), count: plotWidth)
        var labelLine = Array(repeating: Character(" "), count: plotWidth)
        var labelCells = Array(repeating: false, count: plotWidth)
        // First, last, then as many between as fit with a gap of two columns.
        var order: [Int] = []
        if !values.isEmpty { order = [0] + (values.count > 1 ? [values.count - 1] : []) }
        if values.count > 2 {
            let step = max(1, values.count / max(1, plotWidth / 8))
            order += stride(from: step, to: values.count - 1, by: step)
        }
        for i in order where i < xLabels.count {
            let text = xLabels[i]
            let w = DisplayWidth.of(text)
            var start = positions[i] - w / 2
            start = max(0, min(start, plotWidth - w))
            guard start >= 0, start + w <= plotWidth else { continue }
            let lo = max(0, start - 2), hi = min(plotWidth, start + w + 2)
            guard !labelCells[lo..<hi].contains(true) else { continue }
            axis[positions[i]] = ascii ? "+" : "┬"
            var col = start
            for ch in text {
                let cw = DisplayWidth.of(ch)
                labelLine[col] = ch
                // A wide character takes two columns: the one after it holds nothing.
                if cw == 2, col + 1 < plotWidth { labelLine[col + 1] = "\u{0}" }
                col += cw
            }
            for k in start..<(start + w) { labelCells[k] = true }
        }
        lines.append(String(repeating: " ", count: axisWidth) + (ascii ? "+" : "└") + String(axis))
        lines.append(String(repeating: " ", count: axisWidth + 1) + String(labelLine.filter { $0 != "\u{0}" }))
        return Lines(lines: lines.map { $0.trailingSpacesRemoved }, plotColumn: axisWidth + 1, plotRows: 0..<plotHeight)
    }

    /// The plot column of point `i` of `count`.
    static func xPosition(_ i: Int, count: Int, width: Int) -> Int {
        count <= 1 ? width / 2 : Int((Double(i) * Double(width - 1) / Double(count - 1)).rounded())
    }

    /// Bounds at round figures around the data (a tenth of a share, or a 1-2-5 step for counts).
    static func niceRange(min lo: Double, max hi: Double) -> (Double, Double) {
        if hi <= lo { return hi <= 0 ? (0, 1) : (Swift.max(0, lo - step(hi) ), hi + step(hi)) }
        let s = step(hi - lo)
        return (Swift.max(0, (lo / s).rounded(.down) * s), (hi / s).rounded(.up) * s)
    }

    static func step(_ span: Double) -> Double {
        let raw = span / 4
        let mag = pow(10, (log10(raw)).rounded(.down))
        for m in [1.0, 2, 5, 10] where raw <= m * mag { return m * mag }
        return 10 * mag
    }

    /// Braille cells: 2 × 4 dots each; points joined by straight segments.
    static func braillePlot(_ values: [Double?], width: Int, height: Int, lo: Double, hi: Double) -> [String] {
        let dw = width * 2, dh = height * 4
        var dots = Array(repeating: false, count: dw * dh)
        func dot(_ x: Int, _ y: Int) {
            guard x >= 0, x < dw, y >= 0, y < dh else { return }
            dots[y * dw + x] = true
        }
        func yDot(_ v: Double) -> Int {
            let f = hi > lo ? (v - lo) / (hi - lo) : 0.5
            return dh - 1 - Int((max(0, min(1, f)) * Double(dh - 1)).rounded())
        }
        let xs = values.indices.map { xPosition($0, count: values.count, width: dw) }
        var previous: (Int, Int)?
        for (i, v) in values.enumerated() {
            guard let v else { previous = nil; continue }
            let p = (xs[i], yDot(v))
            if let q = previous { line(q, p, dot) } else { dot(p.0, p.1) }
            previous = p
            // A point with no neighbour to join is drawn as a 2 × 2 block: one dot is hard to see.
            let alone = (i == 0 || values[i - 1] == nil) && (i == values.count - 1 || values[i + 1] == nil)
            if alone {
                let x0 = p.0 + 1 < dw ? p.0 : p.0 - 1, y0 = p.1 > 0 ? p.1 - 1 : p.1
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] { dot(x0 + dx, y0 + dy) }
            }
        }
        // Dot bits of a Braille cell (U+2800): left column 1,2,3,7; right column 4,5,6,8.
        let bits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
        return (0..<height).map { row in
            String((0..<width).map { col -> Character in
                var code: UInt32 = 0
                for dx in 0..<2 { for dy in 0..<4 where dots[(row * 4 + dy) * dw + col * 2 + dx] { code |= bits[dx][dy] } }
                return code == 0 ? " " : Character(Unicode.Scalar(0x2800 + code)!)
            })
        }
    }

    /// ASCII: `*` at each point, `.` along the segments between them.
    static func asciiPlot(_ values: [Double?], width: Int, height: Int, lo: Double, hi: Double) -> [String] {
        var grid = Array(repeating: Array(repeating: Character(" "), count: width), count: height)
        func row(_ v: Double) -> Int {
            let f = hi > lo ? (v - lo) / (hi - lo) : 0.5
            return height - 1 - Int((max(0, min(1, f)) * Double(height - 1)).rounded())
        }
        let xs = values.indices.map { xPosition($0, count: values.count, width: width) }
        var previous: (Int, Int)?
        for (i, v) in values.enumerated() {
            guard let v else { previous = nil; continue }
            let p = (xs[i], row(v))
            if let q = previous { line(q, p) { x, y in if grid[y][x] == " " { grid[y][x] = "." } } }
            previous = p
        }
        for (i, v) in values.enumerated() { if let v { grid[row(v)][xs[i]] = "*" } }
        return grid.map { String($0) }
    }

    /// Bresenham's line between two grid points.
    static func line(_ a: (Int, Int), _ b: (Int, Int), _ plot: (Int, Int) -> Void) {
        var (x0, y0) = a
        let (x1, y1) = b
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            plot(x0, y0)
            if x0 == x1 && y0 == y1 { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x0 += sx }
            if e2 <= dx { err += dx; y0 += sy }
        }
    }
}

extension String {
    var trailingSpacesRemoved: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
