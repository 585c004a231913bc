import Model

/// The dashboard's two question tables: 热点TOP10 (by standard question / knowledge id, else
/// normalised text) and 未命中TOP10 (what the knowledge base lacks), with the selected row's
/// details below each; their rows start alike (`questionRowStart`).
extension DashboardView {
    /// 热点TOP10 (`list` = the board's hot).
    static func hot(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ list: [HotQuestion], _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        let hot = list
        let numbers = 8 + 18 + 18
        let textWidth = max(10, r.width - numbers - 6)
        let title = Localized("热点问题 TOP\(b.query.top)（按标准问/知识ID，否则按归一化问题文字分组；Enter 打开其记录）",
                              "Hot questions TOP\(b.query.top) (by standard question / knowledge id, else normalised text; Enter opens its records)")
        c.text(" " + title(L), x: r.x, y: r.y, role: .title, maxWidth: r.width)
        let head = "  # " + DisplayWidth.truncate(Localized("问题", "Question")(L), to: textWidth, pad: true)
            + Localized("次数", "Count")(L).leftPadded(to: 8) + Localized("命中率", "Hit rate")(L).leftPadded(to: 18)
            + Localized("准确率", "Accuracy")(L).leftPadded(to: 18)
        c.text(head, x: r.x, y: r.y + 1, role: .dim, maxWidth: r.width)
        let detailHeight = 5
        let shown = ListCursor.window(count: hot.count, selected: d.selected, height: max(1, r.height - 2 - detailHeight))
        var y = r.y + 2
        for i in shown {
            let h = hot[i]
            var x = questionRowStart(s, h, rank: i, selected: i == d.selected, textWidth: textWidth, r, y, &c)
            x += c.text(ratioCell(h.tally.hitRate).leftPadded(to: 18), x: x, y: y, role: h.tally.hitRate.isReliable ? .normal : .dim,
                        maxWidth: r.x + r.width - x)
            c.text(ratioCell(h.tally.accuracy).leftPadded(to: 18), x: x, y: y, role: h.tally.accuracy.isReliable ? .normal : .dim,
                   maxWidth: r.x + r.width - x)
            y += 1
        }
        if hot.isEmpty {
            c.text(Localized("  这个筛选没有记录", "  No records in this filter")(L), x: r.x, y: y, role: .dim)
            return
        }
        guard hot.indices.contains(d.selected), r.height > detailHeight + 3 else { return }
        let h = hot[d.selected]
        let lines = [
            // What the columns mean, at every width (issue 16, point 13).
            Localized("次数=有效问题 · 命中率=命中知识÷次数 · 准确率=正确÷(缺失+错误+正确)",
                      "count = valid questions · hit rate = from knowledge ÷ count · accuracy = correct ÷ judged")(L),
            Localized("常见问法：", "Most common wording: ")(L) + VisibleText.escapeControls(h.wording),
            Localized("分组：", "Grouped by: ")(L)
                + (h.knowledgeId.map { id in
                    Localized("知识ID ", "knowledge id ")(L) + id
                        + (d.botEntries[id].map { Localized(" = 本库 \($0.id)（\($0.region)）", " = our \($0.id) (\($0.region))")(L) } ?? "") }
                   ?? (h.standardQuestion != nil ? Localized("标准问", "standard question")(L) : Localized("归一化问题文字", "normalised question text")(L)))
                + Localized("  · 不同问法 \(h.wordings) 种", "  · \(h.wordings) distinct wordings")(L),
            Localized("全口径 ", "All labels ")(L) + ratioCell(h.tally.accuracyAll) + "  · "
                + Localized("已标注 ", "labelled ")(L) + "\(h.tally.labelled)/\(h.count)",
        ]
        selectedLines(s, lines, height: detailHeight, r, &c)
    }
}

extension DashboardView {
    /// 未命中TOP10: what the knowledge base lacks. Only the bureau's own questions (not 非人社事项,
    /// not labelled 非人社职能, not small talk); every row is a miss, so no hit rate: how many, their
    /// share of all misses, the most common wording and which organisations asked.
    static func missed(_ s: AppContext, _ d: DashboardState, _ b: Dashboard, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        let list = b.missed
        let askedWidth = min(26, max(12, r.width / 5))
        let numbers = 8 + 10 + 2 + askedWidth
        let textWidth = max(10, r.width - numbers - 6)
        let title = Localized("未命中/兜底问题 TOP\(b.query.top)（人社事项中机器人未用知识库回答的问题，按归一化问题文字分组：知识库缺什么；Enter 打开其记录）",
                              "Missed TOP\(b.query.top): HR questions answered from no knowledge (no hit or a fallback), by normalised text: what the knowledge base lacks; Enter opens them")
        c.text(" " + title(L), x: r.x, y: r.y, role: .title, maxWidth: r.width)
        let head = "  # " + DisplayWidth.truncate(Localized("问题", "Question")(L), to: textWidth, pad: true)
            + Localized("次数", "Count")(L).leftPadded(to: 8) + Localized("占未命中", "Of misses")(L).leftPadded(to: 10) + "  "
            + Localized("提问机构", "Asked by")(L)
        c.text(head, x: r.x, y: r.y + 1, role: .dim, maxWidth: r.width)
        /// `如皋市 2 · 海安市 1 …`
        func askedBy(_ h: HotQuestion, limit: Int?) -> String {
            let shown = limit.map { Array(h.askedBy.prefix($0)) } ?? h.askedBy
            return shown.map { "\($0.org) \(grouped($0.count))" }.joined(separator: limit == nil ? "、" : " · ")
                + (shown.count < h.askedBy.count ? " …" : "")
        }
        let detailHeight = 5
        let shown = ListCursor.window(count: list.count, selected: d.selected, height: max(1, r.height - 2 - detailHeight))
        var y = r.y + 2
        for i in shown {
            let h = list[i]
            var x = questionRowStart(s, h, rank: i, selected: i == d.selected, textWidth: textWidth, r, y, &c)
            x += c.text(Ratio(h.count, of: b.missedTotal).percentText.leftPadded(to: 10) + "  ", x: x, y: y, maxWidth: r.x + r.width - x)
            c.text(DisplayWidth.truncate(askedBy(h, limit: 3), to: askedWidth), x: x, y: y, role: .dim, maxWidth: r.x + r.width - x)
            y += 1
        }
        if list.isEmpty {
            c.text(Localized("  这个筛选中没有未命中的人社问题", "  No missed HR questions in this filter")(L), x: r.x, y: y, role: .dim)
            return
        }
        guard list.indices.contains(d.selected), r.height > detailHeight + 3 else { return }
        let h = list[d.selected]
        let t = h.tally
        let lines = [
            Localized("次数=未命中的有效问题 · 占未命中=次数÷全部未命中 \(grouped(b.missedTotal)) 条 · 不含非人社事项、标为非人社职能的问题和闲聊",
                      "count = missed questions · of misses = count ÷ all \(grouped(b.missedTotal)) misses · without 非人社事项, 非人社职能 labels and small talk")(L),
            Localized("常见问法：", "Most common wording: ")(L) + VisibleText.escapeControls(h.wording)
                + Localized("  · 不同问法 \(h.wordings) 种", "  · \(h.wordings) distinct wordings")(L),
            Localized("提问机构：", "Asked by: ")(L) + askedBy(h, limit: nil),
            Localized("已标注 ", "Labelled ")(L) + "\(grouped(t.labelled))/\(grouped(h.count))：" + [Label.missingKnowledge, .misunderstood, .correct]
                .map { "\($0.name(L)) \(grouped(t.count($0)))" }.joined(separator: " · "),
        ]
        selectedLines(s, lines, height: detailHeight, r, &c)
    }

    /// A question table row's first cells (pointer, rank, the question, its count); where the next goes.
    static func questionRowStart(_ s: AppContext, _ h: HotQuestion, rank: Int, selected: Bool, textWidth: Int, _ r: Rect, _ y: Int,
                                 _ c: inout Canvas) -> Int {
        var x = r.x
        x += c.text((selected ? String(s.glyphs.pointer) : " ") + String(rank + 1).leftPadded(to: 2) + " ", x: x, y: y,
                    role: selected ? .selected : .dim)
        x += c.text(DisplayWidth.truncate(VisibleText.escapeControls(h.title), to: textWidth, pad: true), x: x, y: y,
                    role: selected ? .selected : .normal)
        x += c.text(grouped(h.count).leftPadded(to: 8), x: x, y: y, maxWidth: r.x + r.width - x)
        return x
    }

    /// The selected row's lines under a rule at the bottom of the view.
    static func selectedLines(_ s: AppContext, _ lines: [String], height: Int, _ r: Rect, _ c: inout Canvas) {
        var dy = r.bottom - height
        c.fill(x: r.x, y: dy, width: r.width, height: 1, role: .border, with: glyphs(s).horizontal)
        dy += 1
        for line in lines where dy < r.bottom {
            c.text(" " + line, x: r.x, y: dy, role: .dim, maxWidth: r.width)
            dy += 1
        }
    }
}
