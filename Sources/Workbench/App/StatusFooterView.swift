import Model

/// The line above the footer: the open prompt, else the last message, else the screen's own line
/// (where the focus is, which row of how many).
enum StatusLineView {
    static func draw(prompt: Prompt?, message: Message?, idle: String, lang L: Language, _ r: Rect, _ c: inout Canvas) {
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .status)
        if let p = prompt {
            let used = c.text(p.prefix(L), x: r.x, y: r.y, role: .focusTitle)
            let typed = p.input.text + "_"
            let room = r.width - used
            let shown = DisplayWidth.of(typed) > room ? String(typed.suffix(max(1, room / 2))) : typed
            c.text(shown, x: r.x + used, y: r.y, role: .input, maxWidth: room)
            return
        }
        if let m = message {
            c.text(" " + m.text(L), x: r.x, y: r.y, role: m.role, maxWidth: r.width)
            return
        }
        c.text(idle, x: r.x, y: r.y, role: .status, maxWidth: r.width)
    }
}

/// The footer: the top screen's keys, from the keymap; keys that cannot run now are dimmed.
/// Help and quit (or cancel) are pinned at the right so a narrow terminal never hides them.
enum FooterView {
    static let pinned: Set<Command> = [.help, .quit, .cancel]

    /// Label names short enough for four of them in a narrow footer.
    static func shortName(_ l: Label, _ L: Language) -> String {
        switch (l, L) {
        case (.missingKnowledge, .zh): "缺失"
        case (.misunderstood, .zh): "错误"
        case (.correct, .zh): "正确"
        case (.outOfScope, .zh): "非人社"
        case (.missingKnowledge, .en): "miss"
        case (.misunderstood, .en): "misr"
        case (.correct, .en): "ok"
        case (.outOfScope, .en): "off"
        }
    }

    static func draw(_ bindings: [Binding], availability: any KeyAvailability, lang L: Language, _ r: Rect, _ c: inout Canvas) {
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .footer)
        // The four labels are written key and name together (1业务缺失), shortened below 80 columns.
        let compact = r.width < 80
        let entries = bindings.compactMap { b -> (String, String, Bool, Bool)? in
            guard let footer = b.footer else { return nil }
            let off = b.requires.map { availability.unavailable($0) != nil } ?? false
            if case .label(let l) = b.command, b.footerKeys?.count == 1 {
                return (b.footerKeys ?? b.keys[0].name, compact ? shortName(l, L) : footer(L), off, false)
            }
            return (b.footerKeys ?? b.keys[0].name, " " + footer(L), off, pinned.contains(b.command))
        }
        func width(_ e: (String, String, Bool, Bool)) -> Int { DisplayWidth.of(e.0) + DisplayWidth.of(e.1) + 2 }
        let right = entries.filter(\.3)
        let rightWidth = right.map(width).reduce(0, +)
        func put(_ e: (String, String, Bool, Bool), _ x: inout Int) {
            x += c.text(e.0, x: x, y: r.y, role: e.2 ? .dim : .footerKey)
            x += c.text(e.1, x: x, y: r.y, role: e.2 ? .dim : .footer)
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
