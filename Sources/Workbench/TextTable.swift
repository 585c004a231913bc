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

    /// Widths for a terminal `width` columns wide (a space between columns).
    func widths(for width: Int) -> [Int] {
        var w = columns.map { $0.fills ? $0.minimum : $0.preferred }
        let gaps = columns.count - 1
        var excess = w.reduce(0, +) + gaps - width
        for i in shrinkOrder where excess > 0 {
            let give = min(excess, w[i] - columns[i].minimum)
            w[i] -= give
            excess -= give
        }
        if let fill = columns.firstIndex(where: \.fills) {
            w[fill] += max(0, width - (w.reduce(0, +) + gaps))
        }
        return w
    }

    func render(_ rows: [[String]], width: Int) -> String {
        let w = widths(for: width)
        func line(_ cells: [String]) -> String {
            zip(cells, w).map { DisplayWidth.truncate(VisibleText.singleLine($0), to: $1, pad: true) }
                .joined(separator: " ") + "\n"
        }
        return line(columns.map(\.title)) + rows.map(line).joined()
    }
}
