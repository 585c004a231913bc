import Model

/// Two header lines: who and where; then the filter, the list size, progress and pace.
enum HeaderView {
    static func draw(_ ctx: AppContext, _ s: ReviewListScreen, _ r: Rect, _ c: inout Canvas) {
        let L = ctx.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: 2, role: .header)
        var top = " " + Localized("人社问答审核工作台", "Workbench · 人社 answer review")(L)
        top += "  \(Localized("审核员", "reviewer")(L)) \(ctx.reviewer)"
        if s.reviewMode { top += "  [\(Localized("复核模式", "REVIEW MODE")(L))]" }
        if ctx.store.replaced != nil {
            top += "  [" + Localized("文件已被替换·不再写入", "FILE REPLACED · not writing")(L) + "]"
        } else if ctx.damageFound != nil {
            top += "  [" + Localized("已损坏·只读", "DAMAGED · read-only")(L) + "]"
        } else if ctx.store.readOnly != nil {
            top += "  [" + Localized("只读", "READ-ONLY")(L) + "]"
        }
        if let p = ctx.textIndexing {
            top += "  " + Localized("全文索引 \(Int(p.fraction * 100))%", "text index \(Int(p.fraction * 100))%")(L)
        }
        let db = "  " + Localized("数据库", "db")(L) + " " + ctx.location
        let total = s.total
        // 标注率's definition, as the dashboard and the panel count it: labelled ÷ valid questions,
        // 闲聊 apart (the panel's label counts, 未标注 and 闲聊 add up to the list).
        let done = total.labelRate
        var second = " " + Localized("筛选", "Filter")(L) + ": " + filterSummary(s.filter, preset: s.periodPreset, lang: L, todo: s.todo)
        second += "  │ " + (s.searching != nil ? Localized("搜索中…", "searching…")(L)
                                                : Localized("列表 \(grouped(s.keys.count)) 条", "\(grouped(s.keys.count)) listed")(L))
        second += "  │ " + Localized("已标注", "labelled")(L) + " "
            + (s.statisticsPending && total.records == 0 ? Localized("统计中…", "counting…")(L)
                                                         : "\(grouped(total.labelled))/\(grouped(total.valid)) (\(done.percentText))"
                                                           + (total.smallTalk > 0 ? Localized(" 闲聊\(grouped(total.smallTalk))不计", " +\(grouped(total.smallTalk)) small talk")(L) : ""))
        if s.filter.assignee != nil, !s.statisticsPending {
            second += "  │ " + Localized("任务剩余 \(grouped(total.records - total.labelledAll)) 条", "\(grouped(total.records - total.labelledAll)) left")(L)
        }
        second += "  │ \(itemsPerHour(ctx)) " + Localized("条/小时", "/hour")(L)
        if s.newSinceQuery > 0 {
            second += "  │ +\(s.newSinceQuery) " + Localized("新记录 (R 刷新)", "new (R refreshes)")(L)
        }
        let used = c.text(top, x: r.x, y: r.y, role: .header, maxWidth: r.width)
        c.text(db, x: r.x + used, y: r.y, role: .headerDim, maxWidth: r.width - used)
        c.text(DisplayWidth.truncate(second, to: r.width), x: r.x, y: r.y + 1, role: .header, maxWidth: r.width)
    }

    /// Labels and reviews per hour since the app started (over at least a minute, so the first
    /// label does not read as thousands an hour).
    static func itemsPerHour(_ ctx: AppContext) -> Int {
        let elapsed = max(60, ctx.clock() - ctx.startedAt)
        return Int((Double(ctx.writes.labelsThisSession) * 3600 / Double(elapsed)).rounded())
    }

    /// The filter in a line (for the dashboard, the parts it uses).
    static func filterSummary(_ f: RecordFilter, preset: PeriodPreset?, lang L: Language, todo: Bool = false) -> String {
        var parts: [String] = []
        if !f.orgs.isEmpty { parts.append(f.orgs.joined(separator: "、")) }
        if let p = preset {
            parts.append(p.name(L))
        } else if f.fromDay != nil || f.toDay != nil {
            let lo = f.fromDay.map(ShanghaiTime.formatDate) ?? "…", hi = f.toDay.map(ShanghaiTime.formatDate) ?? "…"
            parts.append(lo == hi ? lo : "\(lo)~\(hi)")
        }
        if let st = f.status, !todo { parts.append(st.name(L)) }
        if let l = f.label { parts.append("\(l.glyph)\(l.name(L))") }
        if f.biz1 != nil { parts.append(BusinessType(f.biz1, f.biz2).text) }
        if let t = f.text { parts.append("“\(t)”") }
        if let t = f.topic { parts.append(Localized("热点", "hot")(L) + "「\(t.title)」") }
        if todo {
            parts.insert(f.assignee != nil ? Localized("待办（分配给你的）", "to do (assigned to you)")(L) : Localized("待办", "to do")(L), at: 0)
        } else if f.assignee != nil {
            parts.insert(Localized("我的任务", "my tasks")(L), at: 0)
        }
        return parts.isEmpty ? Localized("全部", "all")(L) : parts.joined(separator: " · ")
    }
}

/// 1234567 → "1,234,567".
func grouped(_ n: Int) -> String {
    let digits = String(abs(n))
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
