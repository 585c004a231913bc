import Model

/// The line above the footer: the open prompt, else the last message, else where the focus is.
enum StatusLineView {
    static func draw(_ s: ReviewSession, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .status)
        if let p = s.prompt {
            let used = c.text(p.prefix(L), x: r.x, y: r.y, role: .focusTitle)
            let typed = p.input.text + "_"
            let room = r.width - used
            let shown = DisplayWidth.of(typed) > room ? String(typed.suffix(max(1, room / 2))) : typed
            c.text(shown, x: r.x + used, y: r.y, role: .input, maxWidth: room)
            return
        }
        if let m = s.message {
            c.text(" " + m.text(L), x: r.x, y: r.y, role: m.role, maxWidth: r.width)
            return
        }
        if let k = s.knowledge {
            var text = " " + Localized("知识库", "knowledge base")(L) + " · " + (k.openEntry.map { $0.id } ?? k.view.title(L))
            let n = k.rowCount(today: s.today, staleDays: s.staleDays)
            if k.openEntry == nil, n > 0 { text += " · \(k.selected + 1)/\(n)" }
            c.text(text, x: r.x, y: r.y, role: .status, maxWidth: r.width)
            return
        }
        if let d = s.dashboard {
            var text = " " + Localized("看板", "dashboard")(L) + " · " + d.view.title(L)
            let n = d.rowCount(s.orgOrder)
            if n > 0 { text += " · \(d.selected + 1)/\(n)" }
            if s.dashboardCounting { text += " · " + Localized("统计中…", "counting…")(L) }
            c.text(text, x: r.x, y: r.y, role: .status, maxWidth: r.width)
            return
        }
        let where_ = s.mode == .detail ? Localized("焦点：详情", "focus: detail") : Localized("焦点：列表", "focus: list")
        var text = " " + where_(L)
        if let rec = s.selectedRecord, s.keys.count > 0 {
            text += " · \(s.selection + 1)/\(grouped(s.keys.count)) · \(rec.id)"
        }
        c.text(text, x: r.x, y: r.y, role: .status, maxWidth: r.width)
    }
}

/// The footer: the current mode's keys, from the keymap; keys that cannot run now are dimmed.
/// Help and quit (or cancel) are pinned at the right so a narrow terminal never hides them.
enum FooterView {
    static let pinned: Set<Command> = [.help, .quit, .cancel]

    static func draw(_ s: ReviewSession, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .footer)
        let entries = Keymap.bindings(in: s.mode).compactMap { b -> (String, String, Bool, Bool)? in
            guard let footer = b.footer else { return nil }
            return (b.footerKeys ?? b.keys[0].name, footer(L), b.disabled?(s) != nil, pinned.contains(b.command))
        }
        func width(_ e: (String, String, Bool, Bool)) -> Int { DisplayWidth.of(e.0) + 1 + DisplayWidth.of(e.1) + 2 }
        let right = entries.filter(\.3)
        let rightWidth = right.map(width).reduce(0, +)
        func put(_ e: (String, String, Bool, Bool), _ x: inout Int) {
            x += c.text(e.0, x: x, y: r.y, role: e.2 ? .dim : .footerKey)
            x += c.text(" " + e.1, x: x, y: r.y, role: e.2 ? .dim : .footer)
            x += 2
        }
        var x = r.x + 1
        for e in entries where !e.3 {
            if x + width(e) > r.x + r.width - rightWidth { break }
            put(e, &x)
        }
        x = max(x, r.x + r.width - rightWidth)
        for e in right where x + width(e) - 2 <= r.x + r.width { put(e, &x) }
    }
}
