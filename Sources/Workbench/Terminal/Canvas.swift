import Foundation
import Model

/// What a cell means, not how it looks: the terminal backend maps roles to colours, or to
/// attributes alone when there are no colours (NO_COLOR, monochrome terminals).
enum Role: UInt8, CaseIterable, Sendable {
    case normal, dim, title, header, headerDim, footer, footerKey, status, selected, focusTitle, border
    case labelMissing, labelMisunderstood, labelCorrect, labelOutOfScope, reviewed
    case barFill, barText, barEmpty, warning, error, ok, input, match
    /// Emphasis in a bot's answer (`**…**`); a bar below its target; a bar's part inside its 95% interval.
    case strong, barLow, barInterval

    static func of(_ label: Label) -> Role {
        switch label {
        case .missingKnowledge: .labelMissing
        case .misunderstood: .labelMisunderstood
        case .correct: .labelCorrect
        case .outOfScope: .labelOutOfScope
        }
    }
}

/// One terminal column. A wide character takes its cell (width 2) and the next one, a
/// continuation cell (width 0) that the backend skips.
struct Cell: Equatable, Sendable {
    var character: Character
    var role: Role
    var width: UInt8

    static let blank = Cell(character: " ", role: .normal, width: 1)
    var isContinuation: Bool { width == 0 }
}

/// The screen as data: screens draw here, the backend copies it to the terminal, tests read it.
/// Writing over either half of a wide character blanks the other half, and a wide character that
/// would straddle the right edge of a clip is replaced by a space: never half a character.
struct Canvas: Equatable, Sendable {
    let width: Int
    let height: Int
    private(set) var cells: [Cell]
    var ambiguousWide = false

    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Puts one character at (x, y), clipped to columns before `limit`; returns the columns used.
    @discardableResult
    mutating func put(_ c: Character, x: Int, y: Int, role: Role, limit: Int? = nil) -> Int {
        let edge = min(width, limit ?? width)
        guard y >= 0, y < height, x >= 0, x < edge else { return 0 }
        let w = DisplayWidth.of(c, ambiguousWide: ambiguousWide)
        if w == 0 { return 0 }  // a lone mark or control: VisibleText has already escaped real controls
        if w == 2, x + 1 >= edge {
            set(x, y, Cell(character: " ", role: role, width: 1))
            return 1
        }
        set(x, y, Cell(character: c, role: role, width: UInt8(w)))
        if w == 2 { set(x + 1, y, Cell(character: " ", role: role, width: 0)) }
        return w
    }

    /// Writes text from (x, y) without wrapping, clipped to `maxWidth` columns; returns columns used.
    @discardableResult
    mutating func text(_ s: some StringProtocol, x: Int, y: Int, role: Role = .normal, maxWidth: Int? = nil) -> Int {
        let limit = maxWidth.map { x + max(0, $0) } ?? width
        var col = x
        for c in s {
            if col >= min(limit, width) { break }
            // A control character that reached here unescaped (a name from a file, an option) is
            // shown as VisibleText shows it, clipped like any text: never dropped, never sent.
            if let u = c.unicodeScalars.first, c.unicodeScalars.count == 1, VisibleText.needsEscape(u, keepNewlines: false) {
                for e in VisibleText.singleLine(String(c)) where col < min(limit, width) {
                    col += put(e, x: col, y: y, role: role, limit: limit)
                }
                continue
            }
            col += put(c, x: col, y: y, role: role, limit: limit)
        }
        return col - x
    }

    /// Fills a rectangle with spaces of one role.
    mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: Role = .normal, with c: Character = " ") {
        for row in max(0, y)..<min(height, y + h) {
            var col = max(0, x)
            while col < min(width, x + w) { col += max(1, put(c, x: col, y: row, role: role, limit: x + w)) }
        }
    }

    /// Changes the role of a run of cells, keeping their characters (the selected row).
    /// Cells of the role `except` keep theirs (a search's words on the selected row).
    mutating func restyle(x: Int, y: Int, width w: Int, role: Role, except: Role? = nil) {
        guard y >= 0, y < height else { return }
        for col in max(0, x)..<min(width, x + w) where cells[y * width + col].role != except || except == nil {
            cells[y * width + col].role = role
        }
    }

    /// Marks every occurrence of `terms` in `shown` — text already drawn from (x, y), clipped to
    /// `maxWidth` columns — with the search-match role (bold and underlined without colour).
    mutating func highlight(_ shown: String, terms: [String], x: Int, y: Int, maxWidth: Int, role: Role = .match) {
        for t in terms where !t.isEmpty {
            var from = shown.startIndex
            while from < shown.endIndex, let r = shown.range(of: t, options: .literal, range: from..<shown.endIndex) {
                let col = DisplayWidth.of(shown[shown.startIndex..<r.lowerBound], ambiguousWide: ambiguousWide)
                guard col < maxWidth else { break }
                let w = DisplayWidth.of(shown[r], ambiguousWide: ambiguousWide)
                restyle(x: x + col, y: y, width: min(w, maxWidth - col), role: role)
                from = r.upperBound
            }
        }
    }

    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        let i = y * width + x
        // Overwriting half of a wide character blanks the other half.
        if cells[i].isContinuation, x > 0 { cells[i - 1] = Cell(character: " ", role: cells[i - 1].role, width: 1) }
        if cells[i].width == 2, x + 1 < width, cell.width != 2 {
            cells[i + 1] = Cell(character: " ", role: cells[i + 1].role, width: 1)
        }
        cells[i] = cell
    }

    /// The text of one row; continuation cells are written as nothing.
    func row(_ y: Int) -> String {
        var s = ""
        for x in 0..<width where !self[x, y].isContinuation { s.append(self[x, y].character) }
        return s
    }

    /// The whole screen as text for snapshot tests: continuation cells are written as nothing and
    /// every row ends in `|`, so a lost or doubled half of a wide character moves the bar.
    func dump() -> String {
        (0..<height).map { row($0) + "|" }.joined(separator: "\n") + "\n"
    }

    /// Every row's cells: wide leads followed by a continuation, no stray continuation. True when sound.
    var isWellFormed: Bool {
        for y in 0..<height {
            var x = 0
            while x < width {
                let c = self[x, y]
                if c.isContinuation { return false }
                if c.width == 2 {
                    if x + 1 >= width || !self[x + 1, y].isContinuation { return false }
                    x += 2
                } else {
                    x += 1
                }
            }
        }
        return true
    }
}
