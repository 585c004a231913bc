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
            // A message longer than the line takes the row above too, so its reason is never cut
            // off (issue 32: `…may adjudica`); past two rows it ends in ~.
            let lines = DisplayWidth.wrap(VisibleText.singleLine(m.text(L)), width: max(1, r.width - 1))
            if lines.count > 1, r.y > 0 {
                let second = lines.count > 2 ? DisplayWidth.truncate(lines[1...].joined(), to: r.width - 1) : lines[1]
                c.fill(x: r.x, y: r.y - 1, width: r.width, height: 1, role: .status)
                c.text(" " + lines[0], x: r.x, y: r.y - 1, role: m.role, maxWidth: r.width)
                c.text(" " + second, x: r.x, y: r.y, role: m.role, maxWidth: r.width)
            } else {
                c.text(" " + m.text(L), x: r.x, y: r.y, role: m.role, maxWidth: r.width)
            }
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
        c.fill(x: r.x, y: r.y, width: r.width, height: r.height, role: .footer)
        // The four labels are written key and name together (1业务缺失), shortened below 80 columns.
        let compact = r.width < 80
        typealias Entry = (keys: String, text: String, off: Bool, pinned: Bool, writes: Bool)
        let entries = bindings.compactMap { b -> Entry? in
            guard let footer = b.footer else { return nil }
            let off = b.requires.map { availability.unavailable($0) != nil } ?? false
            if case .label(let l) = b.command, b.footerKeys?.count == 1 {
                return (b.footerKeys ?? b.keys[0].name, compact ? shortName(l, L) : footer(L), off, false, true)
            }
            return (b.footerKeys ?? b.keys[0].name, " " + footer(L), off, pinned.contains(b.command), b.command.writes)
        }
        func width(_ e: Entry) -> Int { DisplayWidth.of(e.keys) + DisplayWidth.of(e.text) + 2 }
        func put(_ e: Entry, _ x: inout Int, _ y: Int) {
            x += c.text(e.keys, x: x, y: y, role: e.off ? .dim : .footerKey)
            x += c.text(e.text, x: x, y: y, role: e.off ? .dim : .footer)
            x += 2
        }
        // Two rows: what a key does to the record on the first, where to go and what to read on
        // the second (help and quit pinned at its right).
        let right = entries.filter(\.pinned)
        let rightWidth = right.map(width).reduce(0, +)
        var rows: [[Entry]] = [entries.filter { !$0.pinned }]
        if r.height >= 2 {
            let writing = rows[0].filter(\.writes), other = rows[0].filter { !$0.writes }
            if !writing.isEmpty, !other.isEmpty {
                rows = [writing, other]
            } else if rows[0].map(width).reduce(0, +) + rightWidth + 1 > r.width {
                // Nothing writes here (the filter bar, a prompt) and one row is not enough: the
                // keys flow over both rows.
                var first: [Entry] = [], used = 1
                for e in rows[0] {
                    if used + width(e) - 2 > r.width { break }
                    first.append(e)
                    used += width(e)
                }
                rows = [first, Array(rows[0].dropFirst(first.count))]
            } else {
                // One row is enough: the last one, beside help and quit.
                rows = [[], rows[0]]
            }
        }
        for (n, row) in rows.enumerated() {
            let y = r.y + n, last = n == rows.count - 1
            let room = r.x + r.width - (last ? rightWidth : 0)
            var x = r.x + 1
            for e in row {
                if x + width(e) - 2 > room { break }
                put(e, &x, y)
            }
            if last {
                x = max(x, r.x + r.width - rightWidth)
                for e in right where x + width(e) - 2 <= r.x + r.width { put(e, &x, y) }
            }
        }
    }
}
