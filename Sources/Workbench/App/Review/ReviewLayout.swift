/// Where each part of the review screen goes for a terminal size. Wide terminals (≥ 110
/// columns) put the accuracy panel at the right; narrower ones give it a three-line strip.
struct Layout: Equatable, Sendable {
    static let minWidth = 60
    static let minHeight = 16
    static let sidePanelWidth = 40
    static let filterBarHeight = 8

    let tooSmall: Bool
    let header: Rect
    let filterBar: Rect?
    let list: Rect
    let detail: Rect?
    let panel: Rect
    let panelAtSide: Bool
    let status: Rect
    let footer: Rect

    /// `reading`: the reading mode (`v`): one row of the list, the detail takes the rest, and the
    /// figures give way (issue 16, point 10: at 80×24 the detail had 10 lines, 9 of them metadata).
    init(width: Int, height: Int, detailShown: Bool, filterOpen: Bool, reading: Bool = false) {
        tooSmall = width < Self.minWidth || height < Self.minHeight
        // Below 130 columns the footer takes two rows, so the keys a newcomer needs next (read
        // more, filter, search, dashboard) are named beside the labels (issue 32).
        let footerRows = Self.footerRows(width: width, height: height)
        header = Rect(x: 0, y: 0, width: width, height: 2)
        footer = Rect(x: 0, y: height - footerRows, width: width, height: footerRows)
        status = Rect(x: 0, y: footer.y - 1, width: width, height: 1)
        var body = Rect(x: 0, y: 2, width: width, height: max(0, status.y - 2))
        panelAtSide = width >= 110 && !reading
        // A short terminal gives the figures one line: the answer needs the rows more.
        let stripRows = height < 30 ? 1 : 3
        if reading {
            panel = Rect(x: 0, y: body.bottom, width: width, height: 0)
        } else if panelAtSide {
            panel = Rect(x: width - Self.sidePanelWidth, y: body.y, width: Self.sidePanelWidth, height: body.height)
            body.width -= Self.sidePanelWidth + 1
        } else {
            panel = Rect(x: 0, y: body.bottom - stripRows, width: width, height: stripRows)
            body.height -= stripRows
        }
        if filterOpen {
            let h = min(Self.filterBarHeight, max(0, body.height - 3))
            filterBar = Rect(x: body.x, y: body.y, width: body.width, height: h)
            body.y += h
            body.height -= h
        } else {
            filterBar = nil
        }
        if reading, body.height >= 4 {
            list = Rect(x: body.x, y: body.y, width: body.width, height: 2)
            detail = Rect(x: body.x, y: body.y + 2, width: body.width, height: body.height - 2)
        } else if detailShown, body.height >= 8 {
            // The answer is what a reviewer judges: the detail keeps at least 13 rows (its title,
            // the label line, the question, and five or more lines of the answer at 80×24); the
            // list takes two fifths of the rest, and never fewer than four rows.
            let listHeight = max(4, min(body.height * 2 / 5, body.height - Self.detailMinimum))
            list = Rect(x: body.x, y: body.y, width: body.width, height: listHeight)
            detail = Rect(x: body.x, y: body.y + listHeight, width: body.width, height: body.height - listHeight)
        } else {
            list = body
            detail = nil
        }
    }

    /// The detail pane's rows the list leaves it when the terminal is short.
    static let detailMinimum = 13

    static func footerRows(width: Int, height: Int) -> Int { width < 130 && height >= 20 ? 2 : 1 }
}
