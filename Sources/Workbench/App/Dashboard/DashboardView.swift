import Foundation
import Model

/// The supervisors' dashboard: headline figures over four views (counties as bars, the trend as
/// line charts, business types level 1 → level 2, hot questions), drawn from the session's
/// `Dashboard`. Figures with n < 20 are dimmed (domain.md §3).
enum DashboardView {
    static func draw(_ s: AppContext, _ screen: DashboardScreen, filterForm: FilterForm?, width: Int, height: Int, _ c: inout Canvas) {
        let L = s.lang, d = screen.state
        header(s, screen, d, Rect(x: 0, y: 0, width: width, height: 2), &c)
        tabs(s, d, Rect(x: 0, y: 2, width: width, height: 1), &c)
        var body = Rect(x: 0, y: 5, width: width, height: max(0, height - 7))
        if let board = d.board {
            headline(s, d, board, Rect(x: 0, y: 3, width: width, height: 2), &c)
        } else {
            c.text(" " + Localized("统计中…（首次打开时载入统计索引）", "Counting… (loading the statistics index the first time)")(L),
                   x: 0, y: 3, role: .dim, maxWidth: width)
        }
        if let form = filterForm {
            let h = min(Layout.filterBarHeight, max(0, body.height - 3))
            FilterBarView.draw(s, form, Rect(x: 0, y: body.y, width: width, height: h), &c)
            body.y += h
            body.height -= h
        }
        if d.view == .reviewers, body.height > 0 {
            reviewers(s, d, body, &c)
        } else if d.view == .exports, body.height > 0 {
            exports(s, d, body, &c)
        } else if let board = d.board, body.height > 0 {
            switch d.view {
            case .counties: counties(s, d, board, body, &c)
            case .trend: trend(s, d, board, body, &c)
            case .business: business(s, d, board, body, &c)
            case .hot: hot(s, d, board, board.hot, body, &c)
            case .missed: missed(s, d, board, body, &c)
            case .reviewers, .exports: break
            }
        }
    }

    /// The status line's own text: the view, which row of how many, still counting.
    static func status(_ s: AppContext, _ screen: DashboardScreen) -> String {
        let L = s.lang, d = screen.state
        var text = " " + Localized("看板", "dashboard")(L) + " · " + d.view.title(L)
        let n = d.rowCount(s.orgOrder)
        if n > 0 { text += " · \(d.selected + 1)/\(n)" }
        if screen.counting { text += " · " + Localized("统计中…", "counting…")(L) }
        return text
    }

    static func glyphs(_ s: AppContext) -> Glyphs { s.glyphs }

    static func header(_ s: AppContext, _ screen: DashboardScreen, _ d: DashboardState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: 2, role: .header)
        let top = " " + Localized("统计看板 · 人社问答审核工作台", "Dashboard · 人社 answer review")(L)
            + "  \(Localized("审核员", "reviewer")(L)) \(s.reviewer)"
        let used = c.text(top, x: r.x, y: r.y, role: .header, maxWidth: r.width)
        c.text("  " + Localized("数据库", "db")(L) + " " + s.location, x: r.x + used, y: r.y, role: .headerDim, maxWidth: r.width - used)
        var second = " " + Localized("筛选", "Filter")(L) + ": " + HeaderView.filterSummary(screen.list.dashboardFilter, preset: screen.list.periodPreset, lang: L)
        if let b = d.board {
            let step = b.bucket.name(L) + (d.bucket == nil ? Localized("（自动）", " (auto)")(L) : "")
            second += "  │ " + Localized("粒度", "step")(L) + " " + step
            if b.lastDay >= b.firstDay {
                second += "  │ " + TimeBucket.date(b.firstDay) + "~" + TimeBucket.date(b.lastDay)
            }
        }
        if screen.ignoresSomeFilter {
            second += "  │ " + Localized("状态/标注/文本条件不用于看板", "status/label/text conditions do not apply here")(L)
        }
        c.text(DisplayWidth.truncate(second, to: r.width), x: r.x, y: r.y + 1, role: .header, maxWidth: r.width)
    }

    static func tabs(_ s: AppContext, _ d: DashboardState, _ r: Rect, _ c: inout Canvas) {
        var x = r.x + 1
        for v in DashboardState.View.allCases {
            let title = " \(v.title(s.lang)) "
            x += c.text(title, x: x, y: r.y, role: v == d.view ? .focusTitle : .title, maxWidth: r.x + r.width - x)
            x += 1
        }
        // 审核员/质量 is outside the Tab cycle (w opens and closes it; `?` lists it).
        if d.view == .reviewers || d.view == .exports {
            let key = d.view == .reviewers ? "w" : "x"
            x += c.text(" \(d.view.title(s.lang)) (\(key)) ", x: x, y: r.y, role: .focusTitle, maxWidth: r.x + r.width - x) + 1
        }
        if d.view == .counties {
            c.text(Localized("  排序：", "  sort: ")(s.lang) + d.sort.title(s.lang) + " (o)", x: x, y: r.y, role: .dim,
                   maxWidth: r.x + r.width - x)
        }
    }

    static func figure(_ name: String, _ ratio: Ratio) -> String {
        "\(name) \(ratio.percentText) n=\(grouped(ratio.denominator))"
    }

    static func headline(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang, t = b.total
        var x = r.x + 1, y = r.y
        func put(_ text: String, _ ratio: Ratio?, role: Role? = nil) {
            // Whole items only: a figure cut in half would read as another figure.
            guard x + DisplayWidth.of(text) <= r.x + r.width else { x = r.x + r.width; return }
            let fallback: Role = ratio.map { $0.isReliable ? .normal : .dim } ?? .normal
            x += c.text(text, x: x, y: y, role: role ?? fallback, maxWidth: r.x + r.width - x)
            x += c.text("  ", x: x, y: y, role: .dim, maxWidth: r.x + r.width - x)
        }
        // Line 1: the two headline metrics (domain.md §1) and the secondary accuracy.
        var acc = figure(Localized("准确率", "Accuracy")(L), t.accuracy)
        if let w = t.accuracy.wilson95 { acc += String(format: " [%.0f–%.0f%%]", w.lower * 100, w.upper * 100) }
        put(acc, t.accuracy, role: t.accuracy.isReliable ? .title : .dim)
        put(figure(Localized("命中率", "Hit rate")(L), t.hitRate) + (t.judgedByTemplate > 0 ? "*" : ""), t.hitRate,
            role: t.hitRate.isReliable ? .title : .dim)
        put(figure(Localized("全口径", "All labels")(L), t.accuracyAll), t.accuracyAll)
        put(Localized("有效问题", "Questions")(L) + " \(grouped(t.valid))", nil)
        // Line 2: the label-side shares, the volume as a sparkline, how hits were judged.
        x = r.x + 1
        y = r.y + 1
        put(Localized("知识覆盖率", "KB coverage")(L) + " " + t.knowledgeCoverage.percentText, t.knowledgeCoverage)
        put(Localized("非人社占比", "Out of scope")(L) + " " + t.outOfScopeShare.percentText, t.outOfScopeShare)
        put(Localized("标注率", "Labelled")(L) + " " + t.labelRate.percentText, t.labelRate)
        let series = b.series()
        let room = min(series.count, max(0, r.x + r.width - x - 12))
        if room > 0 {
            let spark = Sparkline.text(series.suffix(room).map { Double($0.tally.valid) }, ascii: d.ascii || s.ambiguousWide)
            x += c.text(spark, x: x, y: y, role: .barFill, maxWidth: r.x + r.width - x)
            put(" " + Localized("问题量/\(b.bucket.name(.zh))", "questions/\(b.bucket.name(.en))")(L), nil, role: .dim)
        }
        if t.judgedByTemplate > 0 {
            put(Localized("*\(grouped(t.judgedByTemplate)) 条按兜底话术判断命中", "*\(grouped(t.judgedByTemplate)) hits judged by fallback wording")(L),
                nil, role: .dim)
        }
    }


    static func counties(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang, g = glyphs(s)
        let rows = d.countyRows(s.orgOrder)
        let team = s.reference.team
        // Whole names when there is room (南通经济技术开发区 is 18 columns), else cut with ~.
        let longest = rows.map { DisplayWidth.of($0.name) }.max() ?? 8
        let nameWidth = max(8, min(longest, r.width >= 120 ? 18 : 12)), countWidth = 8, figureWidth = 7
        // Each metric: a bar over a stated range, then its figure (▼ below target), never inside.
        let barWidth = max(6, (r.width - nameWidth - countWidth - 5 - 2 * (figureWidth + 1)) / 2)
        let xAcc = r.x + 1 + nameWidth + 1, xHit = xAcc + barWidth + figureWidth + 2, xCount = xHit + barWidth + figureWidth + 2
        // One scale per metric for every county (not only those on screen), lengths ranked by figure.
        let accScale = Bars.Scale(fitting: rows.map(\.1.accuracy), target: team.accuracyTarget)
        let hitScale = Bars.Scale(fitting: rows.map(\.1.hitRate), target: team.hitRateTarget)
        let accBars = Bars.comparisons(rows.map(\.1.accuracy), scale: accScale, target: team.accuracyTarget, width: barWidth, glyphs: g)
        let hitBars = Bars.comparisons(rows.map(\.1.hitRate), scale: hitScale, target: team.hitRateTarget, width: barWidth, glyphs: g)
        c.text(DisplayWidth.truncate(Localized("组织机构", "Organisation")(L), to: nameWidth, pad: true), x: r.x + 1, y: r.y, role: .title)
        c.text(Localized("准确率 ", "Accuracy ")(L) + accScale.text + " \(g.target)\(Int((team.accuracyTarget * 100).rounded()))%", x: xAcc, y: r.y, role: .title, maxWidth: barWidth + figureWidth + 1)
        c.text(Localized("命中率 ", "Hit rate ")(L) + hitScale.text + " \(g.target)\(Int((team.hitRateTarget * 100).rounded()))%", x: xHit, y: r.y, role: .title, maxWidth: barWidth + figureWidth + 1)
        c.text(Localized("有效问题", "Questions")(L).leftPadded(to: countWidth), x: xCount, y: r.y, role: .title,
               maxWidth: r.x + r.width - xCount)
        // The selected county's figures keep their five lines at the bottom; the list scrolls above.
        let detailHeight = r.height >= 12 ? 5 : 0
        let shown = ListCursor.window(count: rows.count, selected: d.selected, height: max(1, r.height - 2 - detailHeight))
        var y = r.y + 1
        func putFigure(_ ratio: Ratio, target: Double, x: Int) {
            guard let v = ratio.value else {
                c.text("—".leftPadded(to: figureWidth - 1), x: x, y: y, role: .dim)
                return
            }
            let below = ratio.isReliable && v < target
            let text = ratio.percentText + (below ? String(g.below) : " ")
            c.text(text.leftPadded(to: figureWidth), x: x, y: y, role: !ratio.isReliable ? .dim : (below ? .warning : .normal), maxWidth: figureWidth)
        }
        for i in shown {
            let (name, t) = rows[i]
            let acc = t.accuracy, hit = t.hitRate
            let selected = i == d.selected
            let below = (acc.isReliable && (acc.value ?? 1) < team.accuracyTarget) || (hit.isReliable && (hit.value ?? 1) < team.hitRateTarget)
            c.text(DisplayWidth.truncate(name, to: nameWidth, pad: true), x: r.x + 1, y: y,
                   role: selected ? .selected : (below ? .warning : (acc.isReliable ? .normal : .dim)))
            c.draw(accBars[i], x: xAcc, y: y)
            putFigure(acc, target: team.accuracyTarget, x: xAcc + barWidth + 1)
            c.draw(hitBars[i], x: xHit, y: y)
            putFigure(hit, target: team.hitRateTarget, x: xHit + barWidth + 1)
            c.text(grouped(t.valid).leftPadded(to: countWidth), x: xCount, y: y, role: .normal, maxWidth: r.x + r.width - xCount)
            if selected { c.put(g.pointer, x: r.x, y: y, role: .selected) }
            y += 1
        }
        if rows.isEmpty {
            c.text(Localized("  这个筛选没有记录", "  No records in this filter")(L), x: r.x, y: y, role: .dim)
        } else if rows.indices.contains(d.selected), detailHeight > 0 {
            // The selected organisation in full: every metric with its n and interval, and its labels.
            let (name, t) = rows[d.selected]
            let teamPath = WorkbenchPaths.dataDirectory().appendingPathComponent(ReferenceData.teamFile).path
            y = r.bottom - 1 - detailHeight
            c.fill(x: r.x, y: y, width: r.width, height: 1, role: .border, with: g.horizontal)
            c.text(" \(name) ", x: r.x + 2, y: y, role: .title)
            func withInterval(_ name: String, _ ratio: Ratio) -> String {
                var s = figure(name, ratio)
                if let w = ratio.wilson95 { s += String(format: " [95%%: %.1f–%.1f%%]", w.lower * 100, w.upper * 100) }
                return s
            }
            let lines: [(String, Role)] = [
                (withInterval(Localized("准确率", "Accuracy")(L), t.accuracy) + "   " + figure(Localized("全口径", "All labels")(L), t.accuracyAll), t.accuracy.isReliable ? .normal : .dim),
                (withInterval(Localized("命中率", "Hit rate")(L), t.hitRate) + "   " + figure(Localized("知识覆盖率", "KB coverage")(L), t.knowledgeCoverage)
                    + "   " + figure(Localized("非人社占比", "Off-scope")(L), t.outOfScopeShare), t.hitRate.isReliable ? .normal : .dim),
                (Label.allCases.map { "\($0.glyph) \($0.name(L)) \(grouped(t.count($0)))" }.joined(separator: "   ")
                    + "   " + Localized("未标注", "unlabelled")(L) + " \(grouped(t.valid - t.labelled))", .normal),
                (Localized("目标：准确率 \(Int(team.accuracyTarget * 100))%、命中率 \(Int(team.hitRateTarget * 100))%（在 \(teamPath) 修改），\(g.below) 低于目标",
                           "Targets: accuracy \(Int(team.accuracyTarget * 100))%, hit rate \(Int(team.hitRateTarget * 100))% (set in \(teamPath)), \(g.below) below target")(L), .dim),
            ]
            for (k, line) in lines.enumerated() where y + 1 + k < r.bottom - 1 {
                c.text(" " + line.0, x: r.x, y: y + 1 + k, role: line.1, maxWidth: r.width)
            }
        }
        c.text(Localized(" 条长=数值 \(g.whisker)\(g.whiskerEnd)95%上限 \(g.target)目标 \(g.below)低于目标 · 有效问题不含闲聊 · n<20 灰显 · Enter 打开 · o 排序",
                         " bar = figure \(g.whisker)\(g.whiskerEnd)95% upper \(g.target)target \(g.below)below · questions: no small talk · dim: n<20 · Enter · o")(L),
               x: r.x, y: r.bottom - 1, role: .dim, maxWidth: r.width)
    }

    static func barText(_ ratio: Ratio) -> String {
        ratio.value == nil ? "n=0" : "\(ratio.percentText) n=\(grouped(ratio.denominator))"
    }

    static func trend(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        let series = b.series()
        // A partial first step is labelled by its first day in the period (not 10-26 for a week
        // that holds only 11-01); the caption says which steps are partial.
        let labels = series.map { b.bucket.label(max($0.start, b.firstDay)) }
        let ascii = d.ascii || s.ambiguousWide
        let each = max(4, r.height / 3)
        func ratioValues(_ pick: (Tally) -> Ratio) -> ([Double?], Int) {
            var skipped = 0
            let v = series.map { e -> Double? in
                let ratio = pick(e.tally)
                if ratio.denominator > 0, !ratio.isReliable { skipped += 1 }
                return ratio.isReliable ? ratio.value : nil
            }
            return (v, skipped)
        }
        let percent = { (v: Double) in String(format: "%.0f%%", v * 100) }
        let (hits, hitSkipped) = ratioValues(\.hitRate)
        let (accs, accSkipped) = ratioValues(\.accuracy)
        let charts: [(String, [Double?], (Double) -> String, Int)] = [
            (Localized("有效问题量（每\(b.bucket.name(.zh))）", "Questions per \(b.bucket.name(.en))")(L)
                + partialNote(b, L), series.map { Double($0.tally.valid) }, { grouped(Int($0.rounded())) }, 0),
            (Localized("命中率", "Hit rate")(L), hits, percent, hitSkipped),
            (Localized("准确率", "Accuracy")(L), accs, percent, accSkipped),
        ]
        // Three charts stacked when each gets five plot rows; else the two rates side by side under
        // the questions (at 80×24 three stacked charts had two plot rows each: issue 16, point 5).
        let stacked = r.height >= 3 * 8
        let boxes: [Rect] = stacked
            ? [Rect(x: r.x, y: r.y, width: r.width, height: each), Rect(x: r.x, y: r.y + each, width: r.width, height: each),
               Rect(x: r.x, y: r.y + 2 * each, width: r.width, height: r.bottom - r.y - 2 * each)]
            : {
                let top = max(4, r.height / 2), half = r.width / 2
                return [Rect(x: r.x, y: r.y, width: r.width, height: top), Rect(x: r.x, y: r.y + top, width: half, height: r.height - top),
                        Rect(x: r.x + half, y: r.y + top, width: r.width - half, height: r.height - top)]
            }()
        for (k, (title, values, format, skipped)) in charts.enumerated() {
            let box = boxes[k]
            guard box.height >= 4 else { continue }
            var caption = " " + title
            if skipped > 0 {
                caption += Localized("（\(skipped) 个时段 n<20 未画）", " (\(skipped) steps, n < 20, not drawn)")(L)
            }
            c.text(caption, x: box.x, y: box.y, role: .title, maxWidth: box.width)
            let chart = LineChart.render(values: values, xLabels: labels, width: box.width - 1, height: box.height - 1, ascii: ascii,
                                         fromZero: k == 0, format: format, empty: Localized("无数据", "no data")(L))
            for (i, line) in chart.lines.enumerated() {
                let role: Role = chart.plotRows.contains(i) ? .normal : .dim
                let used = c.text(String(line.prefix(chart.plotColumn)), x: box.x + 1, y: box.y + 1 + i, role: .dim)
                c.text(String(line.dropFirst(chart.plotColumn)), x: box.x + 1 + used, y: box.y + 1 + i,
                       role: chart.plotRows.contains(i) ? .barFill : role, maxWidth: box.width - 1 - used)
            }
        }
    }

    /// Says when the first or last step covers only part of its week or month.
    static func partialNote(_ b: Dashboard, _ L: Language) -> String {
        let partial = b.partialSteps
        switch (partial.first != nil, partial.last != nil) {
        case (true, true): return Localized("，首末\(b.bucket.name(.zh))不完整", ", first and last \(b.bucket.name(.en)) partial")(L)
        case (true, false): return Localized("，首\(b.bucket.name(.zh))不完整", ", first \(b.bucket.name(.en)) partial")(L)
        case (false, true): return Localized("，末\(b.bucket.name(.zh))不完整", ", last \(b.bucket.name(.en)) partial")(L)
        default: return ""
        }
    }

    static func business(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        let rows = d.businessRows
        let total = max(1, rows.reduce(0) { $0 + $1.tally.valid })
        let numbers = 10 + 8 + 20 + 20
        let nameWidth = max(10, r.width - numbers - 3)
        let title = d.level1.map { "\($0) › " + Localized("二级业务类型（Esc 回到一级）", "level 2 (Esc: back to level 1)")(L) }
            ?? Localized("一级业务类型（Enter 查看二级）", "Level-1 business types (Enter: level 2)")(L)
        c.text(" " + title, x: r.x, y: r.y, role: .title, maxWidth: r.width)
        let head = DisplayWidth.truncate(Localized("业务类型", "Business type")(L), to: nameWidth, pad: true)
            + Localized("问题量", "Questions")(L).leftPadded(to: 10) + Localized("占比", "Share")(L).leftPadded(to: 8)
            + Localized("命中率", "Hit rate")(L).leftPadded(to: 20) + Localized("准确率", "Accuracy")(L).leftPadded(to: 20)
        c.text(head, x: r.x + 2, y: r.y + 1, role: .dim, maxWidth: r.width - 2)
        let shown = ListCursor.window(count: rows.count, selected: d.selected, height: r.height - 2)
        var y = r.y + 2
        for i in shown {
            let (name, t) = rows[i]
            let selected = i == d.selected
            var x = r.x + 2
            if selected { c.put("▶", x: r.x, y: y, role: .selected) }
            x += c.text(DisplayWidth.truncate(name, to: nameWidth, pad: true), x: x, y: y, role: selected ? .selected : .normal)
            x += c.text(grouped(t.valid).leftPadded(to: 10), x: x, y: y)
            x += c.text(Ratio(t.valid, of: total).percentText.leftPadded(to: 8), x: x, y: y, maxWidth: r.x + r.width - x)
            x += c.text(ratioCell(t.hitRate).leftPadded(to: 20), x: x, y: y, role: t.hitRate.isReliable ? .normal : .dim,
                        maxWidth: r.x + r.width - x)
            c.text(ratioCell(t.accuracy).leftPadded(to: 20), x: x, y: y, role: t.accuracy.isReliable ? .normal : .dim,
                   maxWidth: r.x + r.width - x)
            y += 1
        }
    }

    static func ratioCell(_ ratio: Ratio) -> String {
        ratio.value == nil ? "— n=0" : "\(ratio.percentText) n=\(grouped(ratio.denominator))"
    }
}

extension TimeBucket {
    func name(_ lang: Language) -> String {
        switch self {
        case .day: Localized("日", "day")(lang)
        case .week: Localized("周", "week")(lang)
        case .month: Localized("月", "month")(lang)
        }
    }
}
