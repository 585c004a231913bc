import Model

/// A plain-text table for the terminal, laid out by display width (Chinese takes two columns):
/// every line exactly `width` wide, columns shrunk in a set order when the terminal is narrow, and
/// cells cut with `~` rather than wrapped.
struct TextTable {
    struct Column {
        let title: String
        var preferred: Int
        let minimum: Int
        /// Whether this column takes what is left after the others.
        var fills = false
    }

    var columns: [Column]
    /// Column indexes in the order they give up width on a narrow terminal.
    let shrinkOrder: [Int]
    /// Column indexes in the order they are left out when even their minimums do not fit.
    var dropOrder: [Int] = []

    /// Widths for a terminal `width` columns wide (a space between columns); 0 for a column left out.
    func widths(for width: Int) -> [Int] {
        var w = columns.map { $0.fills ? $0.minimum : $0.preferred }
        func used() -> Int { w.reduce(0, +) + w.filter { $0 > 0 }.count - 1 }
        for i in shrinkOrder where used() > width {
            w[i] -= min(used() - width, w[i] - columns[i].minimum)
        }
        for i in dropOrder where used() > width { w[i] = 0 }
        if let fill = columns.firstIndex(where: \.fills) {
            w[fill] += max(0, width - used())
        }
        return w
    }

    func render(_ rows: [[String]], widths w: [Int]) -> String {
        func line(_ cells: [String]) -> String {
            zip(cells, w).filter { $0.1 > 0 }
                .map { DisplayWidth.truncate(VisibleText.singleLine($0.0), to: $0.1, pad: true) }
                .joined(separator: " ") + "\n"
        }
        return line(columns.map(\.title)) + rows.map(line).joined()
    }
}
