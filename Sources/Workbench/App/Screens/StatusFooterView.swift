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
        let where_ = s.mode == .detail ? Localized("焦点：详情", "focus: detail") : Localized("焦点：列表", "focus: list")
        var text = " " + where_(L)
        if let rec = s.selectedRecord, s.keys.count > 0 {
            text += " · \(s.selection + 1)/\(grouped(s.keys.count)) · \(rec.id)"
        }
        c.text(text, x: r.x, y: r.y, role: .status, maxWidth: r.width)
    }
}

/// The footer: the current mode's keys, from the keymap; keys that cannot run now are dimmed.
enum FooterView {
    static func draw(_ s: ReviewSession, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .footer)
        var x = r.x + 1
        for b in Keymap.bindings(in: s.mode) {
            guard let footer = b.footer else { continue }
            let keys = b.footerKeys ?? b.keys[0].name
            let disabled = b.disabled?(s) != nil
            let w = DisplayWidth.of(keys) + 1 + DisplayWidth.of(footer(L))
            if x + w > r.x + r.width { break }
            x += c.text(keys, x: x, y: r.y, role: disabled ? .dim : .footerKey)
            x += c.text(" " + footer(L), x: x, y: r.y, role: disabled ? .dim : .footer)
            x += 2
        }
    }
}
