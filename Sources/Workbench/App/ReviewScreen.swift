import Model

/// The frame: what the stack shows at a size. `prepare` runs before keys are handled and before
/// drawing (it gives each screen its layout sizes, loads the rows that will show and wraps long
/// texts, once); `draw` is a pure function of the session's values into a canvas, so tests draw
/// it with no terminal.
enum ReviewScreen {
    static func tooSmall(width: Int, height: Int) -> Bool { width < Layout.minWidth || height < Layout.minHeight }

    /// The overlays above the drawn screen that change how it is laid out or what its status line says.
    static func overlays(_ s: ReviewSession) -> (filter: FilterOverlay?, prompt: PromptOverlay?, picker: PickerOverlay?, help: HelpOverlay?) {
        guard let baseIndex = s.stack.lastIndex(where: { !$0.isOverlay }) else { return (nil, nil, nil, nil) }
        let above = s.stack[(baseIndex + 1)...]
        return (above.last { $0 is FilterOverlay } as? FilterOverlay, above.last { $0 is PromptOverlay } as? PromptOverlay,
                above.last { $0 is PickerOverlay } as? PickerOverlay, above.last { $0 is HelpOverlay } as? HelpOverlay)
    }

    static func layout(_ list: ReviewListScreen, _ s: ReviewSession, width: Int, height: Int) -> Layout {
        Layout(width: width, height: height, detailShown: list.detailShown, filterOpen: overlays(s).filter != nil, reading: list.reading)
    }

    /// Sizes and data for the frame about to be drawn, before any key is handled.
    static func prepare(_ s: ReviewSession, width: Int, height: Int) {
        // Every list on the stack keeps its paging right, not only the one shown.
        for list in s.lists { list.prepare(layout(list, s, width: width, height: height)) }
        if let help = overlays(s).help { help.prepare(Rect(x: 0, y: 0, width: width, height: height - 1), lang: s.ctx.lang) }
        if let k = s.baseScreen as? KnowledgeScreen { k.prepare(body: KnowledgeView.body(width: width, height: height)) }
        if let a = s.baseScreen as? AdjudicationScreen { a.prepare(width: width, height: height) }
    }

    static func draw(_ s: ReviewSession, width: Int, height: Int) -> Canvas {
        let ctx = s.ctx, L = ctx.lang
        var c = Canvas(width: width, height: height)
        c.ambiguousWide = ctx.ambiguousWide
        if tooSmall(width: width, height: height) {
            let msg = Localized("窗口太小：至少需要 \(Layout.minWidth)×\(Layout.minHeight)，当前 \(width)×\(height)",
                                "Window too small: needs \(Layout.minWidth)×\(Layout.minHeight), now \(width)×\(height)")(L)
            let lines = DisplayWidth.wrap(msg, width: max(1, width - 2))
            for (i, line) in lines.enumerated() {
                c.text(line, x: 1, y: height / 2 - lines.count / 2 + i, role: .warning, maxWidth: width - 2)
            }
            return c
        }
        let over = overlays(s)
        var status = Rect(x: 0, y: height - 2, width: width, height: 1)
        var footer = Rect(x: 0, y: height - 1, width: width, height: 1)
        if let help = over.help {
            HelpView.draw(help, lang: L, Rect(x: 0, y: 0, width: width, height: height - 1), &c)
            FooterView.draw(Keymap.bindings(in: s.top.mode), availability: s.top, lang: L, footer, &c)
            return c
        }
        let base = s.baseScreen
        var idle = ""
        switch base {
        case let k as KnowledgeScreen:
            KnowledgeView.draw(ctx, k, width: width, height: height, &c)
            idle = KnowledgeView.status(k, lang: L)
        case let a as AdjudicationScreen:
            AdjudicationView.draw(ctx, a, width: width, height: height, &c)
            idle = AdjudicationView.status(a, lang: L)
        case let d as DashboardScreen:
            DashboardView.draw(ctx, d, filterForm: over.filter?.form, width: width, height: height, &c)
            idle = DashboardView.status(ctx, d)
        case let list as ReviewListScreen:
            let l = layout(list, s, width: width, height: height)
            HeaderView.draw(ctx, list, l.header, &c)
            let onTop = s.top === list
            RecordListView.draw(ctx, list, onTop: onTop, l.list, &c)
            if let d = l.detail { DetailView.draw(ctx, list, onTop: onTop, d, &c) }
            if let fr = l.filterBar, let form = over.filter?.form { FilterBarView.draw(ctx, form, fr, &c) }
            if l.panel.height > 0 { AccuracyPanelView.draw(ctx, list, l.panel, atSide: l.panelAtSide, &c) }
            idle = RecordListView.status(list, lang: L)
            status = l.status
            footer = l.footer
        default:
            break
        }
        // An open question stays in the status line whatever else is said meanwhile.
        let message = (s.top as? ConfirmOverlay).map { Message(text: $0.statusText, role: .warning) } ?? ctx.message
        StatusLineView.draw(prompt: over.prompt?.prompt, message: message, idle: idle, lang: L, status, &c)
        FooterView.draw(Keymap.bindings(in: s.top.mode), availability: s.top, lang: L, footer, &c)
        if let p = over.picker { PickerView.draw(ctx, p.picker, Rect(x: 0, y: 0, width: width, height: height), &c) }
        return c
    }
}
