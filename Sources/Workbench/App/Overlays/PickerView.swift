import Model

/// The business-type picker, a box over the screen.
enum PickerView {
    static func draw(_ s: AppContext, _ p: BusinessTypePicker, _ screen: Rect, _ c: inout Canvas) {
        let L = s.lang
        let w = min(64, screen.width - 4), h = min(22, screen.height - 4)
        let r = Rect(x: (screen.width - w) / 2, y: (screen.height - h) / 2, width: w, height: h)
        // A frame one column and row outside the box, so it stands apart from the screen below.
        let g = Glyphs.forTerminal(ambiguousWide: s.ambiguousWide)
        c.fill(x: r.x - 1, y: r.y, width: r.width + 2, height: r.height + 1, role: .border)
        for y in r.y..<r.bottom {
            c.put(g.vertical, x: r.x - 1, y: y, role: .border)
            c.put(g.vertical, x: r.x + r.width, y: y, role: .border)
        }
        c.fill(x: r.x - 1, y: r.bottom, width: r.width + 2, height: 1, role: .border, with: g.horizontal)
        c.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .focusTitle)
        c.text(" " + Localized("修正业务类型 · 现为 ", "Correct the business type · now ")(L) + (p.current.nonEmpty ?? "—"),
               x: r.x, y: r.y, role: .focusTitle, maxWidth: r.width)
        c.text("> " + p.query.text + "_", x: r.x + 1, y: r.y + 1, role: .input, maxWidth: r.width - 2)
        let options = p.matches
        let rows = r.height - 3
        let top = max(0, min(p.selected - rows / 2, options.count - rows))
        for i in 0..<rows {
            let n = top + i
            guard n < options.count else { break }
            let o = options[n]
            let text = o.level1 == nil ? Localized("（清除修正，用日志中的分类）", "(clear the correction: use the log's type)")(L) : o.text
            let y = r.y + 2 + i
            c.text(DisplayWidth.truncate(text, to: r.width - 4), x: r.x + 2, y: y, role: o.level1 == nil ? .dim : .normal)
            if n == p.selected {
                c.restyle(x: r.x, y: y, width: r.width, role: .selected)
                c.put(">", x: r.x, y: y, role: .selected)
            }
        }
        if options.isEmpty {
            c.text(Localized("没有匹配的业务类型", "no business type matches")(L), x: r.x + 2, y: r.y + 2, role: .dim)
        }
        c.text(Localized("输入以筛选（如 养老/退休），↑↓ 移动，回车选定，Esc 取消", "type to narrow (e.g. 养老/退休), ↑↓ move, Enter chooses, Esc cancels")(L),
               x: r.x + 1, y: r.bottom - 1, role: .dim, maxWidth: r.width - 2)
    }
}
