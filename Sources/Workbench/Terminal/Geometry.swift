/// A rectangle of the canvas.
struct Rect: Equatable, Sendable {
    var x: Int, y: Int, width: Int, height: Int
    var bottom: Int { y + height }
}

/// Characters for bars and rules: block elements when ambiguous-width characters are narrow (the
/// default), ASCII when the user's terminal draws them wide, so bars never break the layout.
struct Glyphs: Sendable {
    let fill: Character
    let empty: Character
    let vertical: Character
    let horizontal: Character
    /// A bar's 95% interval beyond its sure part, and the target's mark on it.
    var interval: Character = "▒"
    var target: Character = "┃"
    /// Comparison bars: the cells a bar ends in (an eighth to seven eighths of a cell; ASCII: a
    /// half), the track beyond it, and the whisker to the interval's upper bound.
    var partials: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]
    var track: Character = " "
    var whisker: Character = "─"
    var whiskerEnd: Character = "┤"
    /// A figure below its target, and the selected row (▼ and ▶ are ambiguous-width).
    var below: Character = "▼"
    var pointer: Character = "▶"

    static func forTerminal(ambiguousWide: Bool) -> Glyphs {
        ambiguousWide ? Glyphs(fill: "#", empty: ".", vertical: "|", horizontal: "-", interval: ":", target: "|",
                               partials: ["+"], track: " ", whisker: "-", whiskerEnd: ">", below: "v", pointer: ">")
                      : Glyphs(fill: "█", empty: "░", vertical: "│", horizontal: "─")
    }
}
