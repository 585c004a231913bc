import Model

/// The open filter bar: one line per condition with what was typed and how it was read.
enum FilterBarView {
    static func draw(_ s: AppContext, _ form: FilterForm, _ r: Rect, _ c: inout Canvas) {
        guard r.height > 0 else { return }
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .focusTitle)
        c.text(" " + Localized("筛选（列表随输入更新；回车确定，Esc 恢复）", "Filter (the list follows as you type; Enter applies, Esc restores)")(L),
               x: r.x, y: r.y, role: .focusTitle, maxWidth: r.width)
        let (_, _, readings) = form.parse(reference: s.reference, today: s.clock(), lang: L)
        let labelWidth = L == .zh ? 12 : 16
        for (i, field) in FilterForm.Field.allCases.enumerated() {
            let y = r.y + 1 + i
            guard y < r.bottom - 1 else { break }
            let current = field == form.field
            c.text((current ? "> " : "  ") + field.title(L), x: r.x, y: y, role: current ? .focusTitle : .title, maxWidth: labelWidth)
            let inputWidth = max(10, (r.width - labelWidth) / 2)
            let typed = form.text(field) + (current ? "_" : "")
            c.fill(x: r.x + labelWidth, y: y, width: inputWidth, height: 1, role: .input)
            // Show the end of a long input, where the cursor is.
            let shown = DisplayWidth.of(typed) > inputWidth ? String(typed.suffix(inputWidth / 2)) : typed
            c.text(shown, x: r.x + labelWidth, y: y, role: .input, maxWidth: inputWidth)
            let rx = r.x + labelWidth + inputWidth + 1
            switch readings[field] ?? .any {
            case .any: c.text(Localized("（不限）", "(any)")(L), x: rx, y: y, role: .dim, maxWidth: r.x + r.width - rx)
            case .value(let v): c.text("= " + v, x: rx, y: y, role: .ok, maxWidth: r.x + r.width - rx)
            case .problem(let p): c.text("! " + p(L), x: rx, y: y, role: .error, maxWidth: r.x + r.width - rx)
            }
        }
        // Last line: the organisations with ticks (in that field), else the field's hint.
        let y = r.bottom - 1
        if form.field == .orgs {
            let (chosen, _) = form.readOrgs(s.reference.organisations)
            var x = r.x + 2
            // Start a little before the cursor so it is always on screen.
            let start = max(0, form.orgCursor - 2)
            if start > 0 { x += c.text("< ", x: r.x, y: y, role: .dim) - 2 }
            for (i, name) in s.reference.organisations.names.enumerated() where i >= start {
                let mark = chosen.contains(name) ? "[x]" : "[ ]"
                let role: Role = i == form.orgCursor ? .selected : (chosen.contains(name) ? .ok : .dim)
                let w = DisplayWidth.of(mark + name)
                if x + w > r.x + r.width { break }
                c.text(mark + name, x: x, y: y, role: role)
                x += w + 1
            }
        } else {
            c.text("  " + form.field.hint(L), x: r.x, y: y, role: .dim, maxWidth: r.width)
        }
    }
}
