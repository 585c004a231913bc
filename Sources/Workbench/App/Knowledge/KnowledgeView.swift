import Foundation
import Model

/// The knowledge screen: entries by region × business type (stale ones in warning colour), the
/// coverage matrix of topics × regions (own entry, falls back to 全市, nothing), the gap
/// backlog from 业务缺失 labels, and one entry in full with its version history.
enum KnowledgeView {
    /// Where the views go: below the header and the tabs, above the status line.
    static func body(width: Int, height: Int) -> Rect { Rect(x: 0, y: 3, width: width, height: max(0, height - 5)) }

    static func draw(_ s: AppContext, _ screen: KnowledgeScreen, width: Int, height: Int, _ c: inout Canvas) {
        let L = s.lang, k = screen.state
        c.fill(x: 0, y: 0, width: width, height: 2, role: .header)
        let used = c.text(" " + Localized("区域差异知识库 · 人社问答审核工作台", "Regional knowledge base · 人社 answer review")(L)
                          + "  \(Localized("审核员", "reviewer")(L)) \(s.reviewer)", x: 0, y: 0, role: .header, maxWidth: width)
        c.text("  " + Localized("数据库", "db")(L) + " " + s.location, x: used, y: 0, role: .headerDim, maxWidth: width - used)
        let summary = " " + Localized("条目 \(k.entries.count) 个（生效 \(k.inForce)）· 主题 \(k.topics.count) 个 · 过期或 \(s.staleDays) 天未复查 \(k.stale) 个",
                                      "\(k.entries.count) entries (\(k.inForce) in force) · \(k.topics.count) topics · \(k.stale) stale (ended, or not reviewed for \(s.staleDays) days)")(L)
        c.text(DisplayWidth.truncate(summary, to: width), x: 0, y: 1, role: .header, maxWidth: width)
        var x = 1
        for v in KnowledgeState.View.allCases {
            x += c.text(" \(v.title(L)) ", x: x, y: 2, role: v == k.view && k.openEntry == nil ? .focusTitle : .title, maxWidth: width - x) + 1
        }
        let body = body(width: width, height: height)
        if k.openEntry != nil {
            entry(screen, body, &c)
        } else {
            switch k.view {
            case .entries: entries(s, k, body, &c)
            case .coverage: coverage(s, k, body, &c)
            case .gaps: gaps(s, k, body, &c)
            }
        }
    }

    /// The status line's own text.
    static func status(_ screen: KnowledgeScreen, lang L: Language) -> String {
        let k = screen.state
        var text = " " + Localized("知识库", "knowledge base")(L) + " · " + (k.openEntry.map { $0.id } ?? k.view.title(L))
        if k.openEntry == nil, k.rowCount > 0 { text += " · \(k.selected + 1)/\(k.rowCount)" }
        return text
    }

    static func entries(_ s: AppContext, _ k: KnowledgeState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang, today = s.today
        let list = k.visible
        let filter = Localized("区域：", "Region: ")(L) + (k.region ?? Localized("全部", "all")(L)) + " (r)  · "
            + Localized("业务类型：", "Business type: ")(L) + (k.biz1 ?? Localized("全部", "all")(L)) + " (b)"
            + (k.staleOnly ? Localized("  · 只看待复查 (S)", "  · stale only (S)")(L) : "")
        c.text(" " + filter, x: r.x, y: r.y, role: .dim, maxWidth: r.width)
        // Below 100 columns the dates give their room to the topic (the state still flags stale: 生效!).
        let idW = 9, regionW = 7, bizW = r.width < 100 ? 16 : min(26, max(10, r.width / 5)), stateW = 5
        let datesW = r.width < 100 ? 0 : 23
        let topicW = max(10, r.width - idW - regionW - bizW - stateW - datesW - 8)
        let head = DisplayWidth.truncate(Localized("条目ID", "ID")(L), to: idW, pad: true) + " "
            + DisplayWidth.truncate(Localized("区域", "Region")(L), to: regionW, pad: true) + " "
            + DisplayWidth.truncate(Localized("业务类型", "Business type")(L), to: bizW, pad: true) + " "
            + DisplayWidth.truncate(Localized("主题", "Topic")(L), to: topicW, pad: true) + " "
            + DisplayWidth.truncate(Localized("状态", "State")(L), to: stateW, pad: true) + " "
            + (datesW > 0 ? Localized("有效期", "Effective")(L) : "")
        c.text(" " + head, x: r.x, y: r.y + 1, role: .title, maxWidth: r.width)
        let shown = ListCursor.window(count: list.count, selected: k.selected, height: r.height - 2)
        var y = r.y + 2
        for i in shown {
            let e = list[i]
            let isStale = e.isStale(today: today, days: s.staleDays)
            let role: Role = i == k.selected ? .selected : (e.state == .retired ? .dim : (isStale ? .warning : .normal))
            let dates = ShanghaiTime.formatDate(e.effectiveFrom) + "~" + (e.effectiveTo.map(ShanghaiTime.formatDate) ?? "")
            let line = DisplayWidth.truncate(e.id, to: idW, pad: true) + " " + DisplayWidth.truncate(e.region, to: regionW, pad: true)
                + " " + DisplayWidth.truncate(e.businessType, to: bizW, pad: true) + " "
                + DisplayWidth.truncate(e.topic, to: topicW, pad: true) + " "
                + DisplayWidth.truncate(e.state.chineseName + (isStale ? "!" : ""), to: stateW, pad: true) + " " + (datesW > 0 ? dates : "")
            c.text((i == k.selected ? "▶" : " ") + line, x: r.x, y: y, role: role, maxWidth: r.width)
            y += 1
        }
        if list.isEmpty {
            c.text(Localized("  没有条目（n 新建；kb import 导入）", "  No entries (n creates one; kb import loads a table)")(L), x: r.x, y: y, role: .dim)
        }
    }

    static func coverage(_ s: AppContext, _ k: KnowledgeState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        let regions = s.reference.organisations.kbRegions
        let cityWide = s.reference.organisations.cityWideRegion
        let ascii = s.ambiguousWide
        let cellW = 6
        let topicW = max(10, r.width - regions.count * cellW - 3)
        let legend = ascii
            ? Localized(" # 本地条目  o 用全市条目  x 无生效条目  (!) 过期/待复查  ←→ 选区域", " # own entry  o falls back to 全市  x nothing in force  (!) stale  ←→ region")
            : Localized(" ● 本地条目  ○ 用全市  ○! 本地已过期  ✕ 无生效  黄色待复查  ←→选区域  Enter 打开", " ● own entry  ○ falls back to 全市  ○! own entry expired  ✕ nothing in force  yellow: stale  ←→ region  Enter opens")
        c.text(legend(L), x: r.x, y: r.y, role: .dim, maxWidth: r.width)
        var x = r.x + 1 + topicW + 1
        for (i, region) in regions.enumerated() {
            let name = region == cityWide ? region : String(region.dropLast())
            // " 全市 " over "  ●": the glyph sits under the name's middle.
            c.text(DisplayWidth.truncate(" " + name, to: cellW, pad: true), x: x, y: r.y + 1, role: i == k.column ? .focusTitle : .title)
            x += cellW
        }
        c.text(DisplayWidth.truncate(Localized("主题（业务类型）", "Topic (business type)")(L), to: topicW, pad: true), x: r.x + 1, y: r.y + 1, role: .title)
        let topics = k.topics
        let shown = ListCursor.window(count: topics.count, selected: k.selected, height: r.height - 3)
        var y = r.y + 2
        for i in shown {
            let t = topics[i]
            let selected = i == k.selected
            c.text((selected ? "▶" : " ") + DisplayWidth.truncate(t.topic, to: topicW, pad: true), x: r.x, y: y,
                   role: selected ? .selected : .normal)
            var cx = r.x + 1 + topicW + 1
            for j in regions.indices {
                let cell = k.coverage.indices.contains(i) && k.coverage[i].indices.contains(j) ? k.coverage[i][j] : .none
                let (glyph, role): (String, Role) = switch cell {
                case .own(let stale): (ascii ? (stale ? "#!" : "#") : "●", stale ? .warning : .ok)
                case .fallsBack: (ascii ? "o" : "○", .dim)
                case .expired: (ascii ? "o!" : "○!", .warning)
                case .none: (ascii ? "x" : "✕", .error)
                }
                let r2: Role = selected && j == k.column ? .selected : role
                c.text("  " + glyph, x: cx, y: y, role: r2, maxWidth: cellW)
                cx += cellW
            }
            y += 1
        }
        // Per region: how many topics have their own entry.
        if r.height > 3 {
            var cx = r.x + 1 + topicW + 1
            c.text(DisplayWidth.truncate(Localized(" 本地条目覆盖的主题数", " topics with an own entry")(L), to: topicW + 1, pad: true),
                   x: r.x, y: r.bottom - 1, role: .dim)
            for j in regions.indices {
                let n = k.ownTopics.indices.contains(j) ? k.ownTopics[j] : 0
                c.text(String(n).leftPadded(to: cellW - 2), x: cx, y: r.bottom - 1, role: .dim, maxWidth: cellW)
                cx += cellW
            }
        }
    }

    static func gaps(_ s: AppContext, _ k: KnowledgeState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        guard let gaps = k.gaps else {
            if let (read, all) = k.gapLoading {
                c.text(" " + Localized("正在读取并按意思分组标为「业务缺失」的记录…", "Reading and grouping the records labelled missing KB…")(L),
                       x: r.x, y: r.y, role: .dim, maxWidth: r.width)
                if r.height > 1 {
                    let w = max(4, min(40, r.width - 24)), f = all > 0 ? min(1, Double(read) / Double(all)) : 0
                    let filled = Int(f * Double(w))
                    c.text(" [" + String(repeating: "█", count: filled) + String(repeating: "·", count: w - filled) + "] "
                           + "\(grouped(read))/\(grouped(all))", x: r.x, y: r.y + 1, role: .normal, maxWidth: r.width)
                }
            }
            return
        }
        c.text(" " + Localized("标为「业务缺失」的问题，按意思分组（同义词、相近问法）、按次数排序（最近 \(grouped(k.gapRecords)) 条）；n 起草条目",
                               "Questions labelled missing KB, grouped by meaning (synonyms, close wordings), by count (newest \(grouped(k.gapRecords))); n drafts an entry")(L),
               x: r.x, y: r.y, role: .dim, maxWidth: r.width)
        let countW = 6, regionW = min(24, max(7, r.width / 6)), answeredW = min(30, r.width / 4)
        let textW = max(10, r.width - countW - regionW - answeredW - 6)
        let head = Localized("次数", "Count")(L).leftPadded(to: countW) + " " + DisplayWidth.truncate(Localized("谁问的", "Asked in")(L), to: regionW, pad: true)
            + " " + DisplayWidth.truncate(Localized("问题（最常见问法，+n 种问法）", "Question (most common wording, +n more)")(L), to: textW, pad: true) + " "
            + Localized("知识库现在的回答", "What the KB answers now")(L)
        c.text(" " + head, x: r.x, y: r.y + 1, role: .title, maxWidth: r.width)
        // The selected gap's whole story under the list, when there is room: who asked, and what
        // the bot answered from (its knowledge ids and our entries for them).
        let detail = r.height >= 8 && gaps.indices.contains(k.selected) ? 2 : 0
        let shown = ListCursor.window(count: gaps.count, selected: k.selected, height: r.height - 2 - detail)
        if detail > 0 {
            let g = gaps[k.selected]
            let asked = Localized("\(g.wordings) 种问法 · 谁问的：", "\(g.wordings) wordings · asked in: ")(L) + g.regionsText
            let bot = g.botAnswers.isEmpty
                ? Localized("机器人答自：未用知识库（无命中知识）", "The bot answered from: no knowledge (no hit)")(L)
                : Localized("机器人答自：", "The bot answered from: ")(L) + VisibleText.singleLine(g.botAnswersText)
            c.text(" " + asked, x: r.x, y: r.bottom - 2, role: .dim, maxWidth: r.width)
            c.text(" " + bot, x: r.x, y: r.bottom - 1, role: g.botAnswers.contains { $0.entryId == nil } ? .warning : .dim,
                   maxWidth: r.width)
        }
        var y = r.y + 2
        for i in shown {
            let g = gaps[i]
            let selected = i == k.selected
            let more = g.wordings > 1 ? " +\(g.wordings - 1)" : ""
            let question = DisplayWidth.truncate(VisibleText.singleLine(g.wording), to: max(1, textW - more.count)) + more
            let answer = g.answeredBy.map { g.uncertain ? Localized("不确定 ", "uncertain ")(L) + $0 : $0 }
            let line = grouped(g.count).leftPadded(to: countW) + " " + DisplayWidth.truncate(g.regionsText, to: regionW, pad: true) + " "
                + DisplayWidth.truncate(question, to: textW, pad: true) + " "
                + (answer ?? Localized("（无）", "(none)")(L))
            c.text((selected ? "▶" : " ") + line, x: r.x, y: y, role: selected ? .selected : (g.answeredBy == nil ? .warning : .normal),
                   maxWidth: r.width)
            y += 1
        }
        if gaps.isEmpty {
            c.text(Localized("  没有标为「业务缺失」的记录", "  No record is labelled missing KB")(L), x: r.x, y: y, role: .dim)
        }
    }

    /// The open entry's lines before wrapping (`KnowledgeScreen.prepare` wraps them once).
    static func entryLines(_ e: KnowledgeEntry, history: [String], today: Int64, staleDays: Int, lang L: Language) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        let stale = e.isStale(today: today, days: staleDays)
        lines.append(("\(e.id) · \(e.region) · \(e.businessType) · \(e.state.chineseName) · " + Localized("版本", "version")(L) + " \(e.version)"
                      + (e.inForce(on: today) ? Localized(" · 今天有效", " · in force today")(L) : Localized(" · 今天无效（不在有效期）", " · not in force today")(L)),
                      .title))
        lines.append((Localized("主题：", "Topic: ")(L) + e.topic, .normal))
        lines.append((Localized("有效期：", "Effective: ")(L) + ShanghaiTime.formatDate(e.effectiveFrom) + " ~ "
                      + (e.effectiveTo.map(ShanghaiTime.formatDate) ?? Localized("长期", "open")(L))
                      + Localized("  · 政策依据：", "  · basis: ")(L) + e.policyBasis, stale ? .warning : .normal))
        lines.append((Localized("修改：", "Changed: ")(L) + "\(e.updatedBy) \(ShanghaiTime.format(e.updatedAt))"
                      + Localized("  · 最近复查：", "  · last reviewed: ")(L) + (e.lastReviewedAt.map(ShanghaiTime.format) ?? "—")
                      + (stale ? Localized("  · 待复查", "  · stale")(L) : ""), stale ? .warning : .dim))
        lines.append((Localized("机器人知识ID：", "Bot knowledge ids: ")(L)
                      + (e.botIds.isEmpty ? Localized("（未关联）", "(none linked)")(L) : e.botIds.joined(separator: " ")), .dim))
        lines.append((Localized("标准问：", "Standard question: ")(L) + e.standardQuestion, .normal))
        for q in e.similarQuestions { lines.append(("  " + Localized("相似问：", "similar: ")(L) + q, .dim)) }
        lines.append((Localized("答案：", "Answer:")(L), .title))
        for l in VisibleText.escapeControls(e.answer).split(separator: "\n", omittingEmptySubsequences: false) {
            lines.append(("  " + l, .normal))
        }
        lines.append(("", .normal))
        lines.append((Localized("版本历史", "Version history")(L), .title))
        lines += history.map { ($0, $0.hasPrefix("版本") ? .normal : .dim) }
        return lines
    }

    static func entry(_ screen: KnowledgeScreen, _ r: Rect, _ c: inout Canvas) {
        let top = screen.state.detailScroll.line
        for (i, line) in screen.entryLines.dropFirst(top).prefix(r.height).enumerated() {
            c.text(line.0, x: r.x + 1, y: r.y + i, role: line.1, maxWidth: r.width - 2)
        }
    }
}
