import Model

/// The live accuracy panel: 准确率 with its n and interval, a bar per organisation with the
/// figure inside, 命中率, and the label mix. It reads the session's tallies, which move the moment
/// a label is committed. Below n = 20 a figure is dimmed (domain.md §3).
enum AccuracyPanelView {
    static func draw(_ ctx: AppContext, _ s: ReviewListScreen, _ r: Rect, atSide: Bool, _ c: inout Canvas) {
        guard r.height > 0, r.width > 0 else { return }
        if atSide {
            for y in r.y..<r.bottom { c.put(ctx.glyphs.vertical, x: r.x - 1, y: y, role: .border) }
            side(ctx, s, r, &c)
        } else {
            strip(ctx, s, r, &c)
        }
    }


    static func figure(_ name: String, _ ratio: Ratio) -> String {
        "\(name) \(ratio.percentText) n=\(grouped(ratio.denominator))"
    }

    static func side(_ ctx: AppContext, _ s: ReviewListScreen, _ r: Rect, _ c: inout Canvas) {
        let L = ctx.lang, t = s.total, g = ctx.glyphs
        var y = r.y
        func line(_ text: String, _ role: Role = .normal) {
            guard y < r.bottom else { return }
            c.text(DisplayWidth.truncate(text, to: r.width - 1), x: r.x + 1, y: y, role: role, maxWidth: r.width - 1)
            y += 1
        }
        line(Localized("实时统计（当前筛选）", "Live figures (this filter)")(L)
             + (s.statisticsPending ? Localized(" 统计中…", " counting…")(L) : ""), .title)
        if ctx.disputes > 0 {
            line(Localized("待仲裁 \(grouped(ctx.disputes)) 条（双评不一致，未计入准确率）", "\(grouped(ctx.disputes)) disputed (not in the accuracy yet)")(L), .warning)
        }
        let acc = t.accuracy
        var head = figure(Localized("准确率", "Accuracy")(L), acc)
        if let w = acc.wilson95 {
            // Whole percents while the interval is wide; a decimal once it is narrower than that.
            let f = w.upper - w.lower < 0.02 ? " [%.1f–%.1f%%]" : " [%.0f–%.0f%%]"
            head += String(format: f, w.lower * 100, w.upper * 100)
        }
        line(head, acc.isReliable ? .normal : .dim)
        line(figure(Localized("全口径", "All labels")(L), t.accuracyAll), t.accuracyAll.isReliable ? .normal : .dim)
        let hit = t.hitRate
        line(figure(Localized("命中率", "Hit rate")(L), hit) + (t.judgedByTemplate > 0 ? Localized(" *模板", " *tmpl")(L) : ""),
             hit.isReliable ? .normal : .dim)
        if t.judgedByTemplate > 0 {
            line(Localized("*\(grouped(t.judgedByTemplate)) 条日志无命中字段，按兜底话术判断", "*\(grouped(t.judgedByTemplate)) judged by fallback wording (log has no hit fields)")(L), .dim)
        }
        y += 1
        // The same comparison bars as the dashboard: one scale for every organisation shown, the
        // length the figure, the figure beside it (issue 32).
        let target = ctx.reference.team.accuracyTarget
        let tallies = s.tallies
        let orgs = ctx.orgOrder.filter { tallies[$0] != nil }.prefix(max(0, r.bottom - 6 - y - 1))
        let ratios = orgs.map { tallies[$0]!.accuracy }
        let scale = Bars.Scale(fitting: ratios, target: target)
        line(Localized("各机构准确率 ", "Accuracy by organisation ")(L) + scale.text, .title)
        let nameWidth = 9, figureWidth = 14
        let barWidth = max(4, r.width - nameWidth - figureWidth - 3)
        let bars = Bars.comparisons(ratios, scale: scale, target: target, width: barWidth, glyphs: g)
        for (i, org) in orgs.enumerated() {
            let a = ratios[i]
            let below = a.isReliable && (a.value ?? 1) < target
            c.text(DisplayWidth.truncate(org, to: nameWidth, pad: true), x: r.x + 1, y: y, role: a.isReliable ? .normal : .dim)
            c.draw(bars[i], x: r.x + 2 + nameWidth, y: y)
            let text = a.value == nil ? "n=0" : a.percentText + (below ? String(g.below) : " ") + " n=\(grouped(a.denominator))"
            c.text(text, x: r.x + 3 + nameWidth + barWidth, y: y, role: !a.isReliable ? .dim : (below ? .warning : .normal),
                   maxWidth: r.x + r.width - (r.x + 3 + nameWidth + barWidth))
            y += 1
        }
        y += 1
        line(Localized("标注分布", "Label mix")(L), .title)
        for l in Label.allCases {
            guard y < r.bottom else { break }
            let n = t.count(l)
            let share = Ratio(n, of: t.labelled).percentText
            c.text(DisplayWidth.truncate("\(l.glyph) \(l.name(L))", to: 16, pad: true), x: r.x + 1, y: y, role: Role.of(l))
            c.text(String(grouped(n).leftPadded(to: 8)) + "  " + share, x: r.x + 18, y: y, maxWidth: r.width - 19)
            y += 1
        }
        line(Localized("未标注", "unlabelled")(L) + " \(grouped(t.valid - t.labelled))  "
             + Localized("闲聊", "small talk")(L) + " \(grouped(t.smallTalk))", .dim)
    }

    /// Three lines for terminals without room for the side panel.
    static func strip(_ ctx: AppContext, _ s: ReviewListScreen, _ r: Rect, _ c: inout Canvas) {
        let L = ctx.lang, t = s.total, g = ctx.glyphs
        if r.height == 1 {
            // A short terminal: the figures in one rule line (the header counts the labels).
            c.fill(x: r.x, y: r.y, width: r.width, height: 1, with: g.horizontal)
            var x = r.x + 1
            func put(_ text: String, _ role: Role) { x += c.text(text, x: x, y: r.y, role: role, maxWidth: max(0, r.x + r.width - 1 - x)) }
            put(" " + (s.statisticsPending ? Localized("统计中… ", "counting… ")(L) : ""), .title)
            put(figure(Localized("准确率", "Accuracy")(L), t.accuracy), t.accuracy.isReliable ? .title : .dim)
            if let w = t.accuracy.wilson95 { put(String(format: " [%.0f–%.0f%%]", w.lower * 100, w.upper * 100), .dim) }
            put(" · " + figure(Localized("命中率", "Hit rate")(L), t.hitRate) + (t.judgedByTemplate > 0 ? "*" : ""), t.hitRate.isReliable ? .normal : .dim)
            if ctx.disputes > 0 { put(Localized(" · 待仲裁 \(grouped(ctx.disputes))", " · \(grouped(ctx.disputes)) disputed")(L), .warning) }
            put(" ", .normal)
            return
        }
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, with: g.horizontal)
        let used = c.text(" " + Localized("实时统计", "Live figures")(L) + (s.statisticsPending ? Localized(" 统计中…", " counting…")(L) : "") + " ",
                          x: r.x + 2, y: r.y, role: .title)
        if ctx.disputes > 0 {
            c.text(Localized(" 待仲裁 \(grouped(ctx.disputes)) ", " \(grouped(ctx.disputes)) disputed ")(L), x: r.x + 2 + used, y: r.y, role: .warning,
                   maxWidth: r.width - 2 - used)
        }
        let acc = t.accuracy
        var x = r.x
        x += c.text(figure(Localized("准确率", "Accuracy")(L), acc) + " ", x: x, y: r.y + 1, role: acc.isReliable ? .normal : .dim)
        let barWidth = min(20, max(0, r.width - x - 40))
        if barWidth >= 6 {
            c.draw(Bars.cells(fraction: acc.value, width: barWidth, text: acc.percentText, glyphs: g, dim: !acc.isReliable), x: x, y: r.y + 1)
            x += barWidth + 1
        }
        x += c.text("  " + figure(Localized("命中率", "Hit rate")(L), t.hitRate) + (t.judgedByTemplate > 0 ? "*" : ""),
                    x: x, y: r.y + 1, role: t.hitRate.isReliable ? .normal : .dim, maxWidth: r.x + r.width - x)
        c.text("  " + figure(Localized("全口径", "all")(L), t.accuracyAll), x: x, y: r.y + 1, role: .dim, maxWidth: r.x + r.width - x)
        // Every count the header's 已标注 n/total adds up from, 闲聊 too, at every width: names
        // when they fit, else glyphs (issue 16, point 6).
        let rest = [(Localized("未标注", "unlabelled")(L), t.valid - t.labelled), (Localized("闲聊", "small talk")(L), t.smallTalk)]
        let full = Label.allCases.map { "\($0.glyph)\($0.name(L)) \(grouped(t.count($0)))  " }.joined()
            + rest.map { "\($0.0) \(grouped($0.1))  " }.joined()
        let compact = DisplayWidth.of(full) > r.width
        x = r.x
        for l in Label.allCases {
            let item = compact ? "\(l.glyph)\(grouped(t.count(l))) " : "\(l.glyph)\(l.name(L)) \(grouped(t.count(l)))  "
            x += c.text(item, x: x, y: r.y + 2, role: Role.of(l), maxWidth: r.x + r.width - x)
        }
        for (name, n) in rest {
            x += c.text(compact ? "\(name)\(grouped(n)) " : "\(name) \(grouped(n))  ", x: x, y: r.y + 2, role: .dim, maxWidth: r.x + r.width - x)
        }
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        let w = DisplayWidth.of(self)
        return w >= width ? self : String(repeating: " ", count: width - w) + self
    }
}
