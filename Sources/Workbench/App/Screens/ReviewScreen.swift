import Model

/// The whole review screen for a size: layout, then each part, then overlays. A pure function of
/// the session (apart from noting the pane heights it laid out), so tests draw it with no terminal.
enum ReviewScreen {
    static func layout(_ s: ReviewSession, width: Int, height: Int) -> Layout {
        Layout(width: width, height: height, detailShown: s.detailShown, filterOpen: s.filterForm != nil)
    }

    /// Tells the session how many rows its panes have (for paging) and loads what will show.
    static func prepare(_ s: ReviewSession, width: Int, height: Int) {
        let l = layout(s, width: width, height: height)
        s.listRows = max(1, l.list.height - 1)
        if let d = l.detail { s.detailRows = max(1, d.height - 1) }
        s.prepareVisible()
    }

    static func draw(_ s: ReviewSession, width: Int, height: Int) -> Canvas {
        var c = Canvas(width: width, height: height)
        c.ambiguousWide = s.ambiguousWide
        let l = layout(s, width: width, height: height)
        if l.tooSmall {
            let msg = Localized("窗口太小：至少需要 \(Layout.minWidth)×\(Layout.minHeight)，当前 \(width)×\(height)",
                                "Window too small: needs \(Layout.minWidth)×\(Layout.minHeight), now \(width)×\(height)")(s.lang)
            let lines = DisplayWidth.wrap(msg, width: max(1, width - 2))
            for (i, line) in lines.enumerated() {
                c.text(line, x: 1, y: height / 2 - lines.count / 2 + i, role: .warning, maxWidth: width - 2)
            }
            return c
        }
        if s.helpVisible {
            HelpView.draw(s, Rect(x: 0, y: 0, width: width, height: height - 1), &c)
            FooterView.draw(s, l.footer, &c)
            return c
        }
        if let k = s.knowledge {
            KnowledgeScreen.draw(s, k, width: width, height: height, &c)
            return c
        }
        if let d = s.dashboard {
            DashboardScreen.draw(s, d, width: width, height: height, &c)
            return c
        }
        HeaderView.draw(s, l.header, &c)
        RecordListView.draw(s, l.list, &c)
        if let d = l.detail { DetailView.draw(s, d, &c) }
        if let fr = l.filterBar, let form = s.filterForm { FilterBarView.draw(s, form, fr, &c) }
        AccuracyPanelView.draw(s, l.panel, atSide: l.panelAtSide, &c)
        StatusLineView.draw(s, l.status, &c)
        FooterView.draw(s, l.footer, &c)
        if let p = s.picker { PickerView.draw(s, p, Rect(x: 0, y: 0, width: width, height: height), &c) }
        return c
    }
}
