import Foundation
import Model

/// `workbench report` as pure functions from a `Dashboard` to text: the same figures as the
/// dashboard screen, for scripts (CSV, JSON with English keys and numbers as numbers) and for
/// meetings (text and markdown with tables and text charts).
struct Report {
    let board: Dashboard
    let by: Grouping
    let orgOrder: [String]
    let filterText: String
    let generatedAt: Int64
    /// The database read (a report names its source).
    var database = ""
    /// 本期与上期 and the error examples (text, markdown, html, xlsx).
    var parts = MeetingParts()
    var team = Team()
    let ascii: Bool
    /// Text width for tables and charts (text format).
    let width: Int

    var groups: [(name: String, tally: Tally)] { board.groups(by, orgOrder: orgOrder) }

    static let unreliableMark = "†"

    /// `66.7%`, with † when n < 20.
    static func share(_ r: Ratio) -> String {
        r.value == nil ? "—" : r.percentText + (r.isReliable ? "" : unreliableMark)
    }

    static func interval(_ r: Ratio) -> String {
        guard let w = r.wilson95 else { return "—" }
        return String(format: "%.1f–%.1f%%", w.lower * 100, w.upper * 100)
    }

    var groupTitle: String {
        switch by {
        case .org: "组织机构"
        case .biz1: "一级业务类型"
        case .biz2: "二级业务类型"
        case .day: "日期"
        case .week: "周（起始日）"
        case .month: "月"
        }
    }

    var periodText: String {
        board.lastDay >= board.firstDay ? "\(TimeBucket.date(board.firstDay)) ~ \(TimeBucket.date(board.lastDay))" : "—"
    }

    /// The grouping's own step when the groups are weeks or months (days are always whole).
    var groupBucket: TimeBucket? {
        switch by {
        case .week: .week
        case .month: .month
        default: nil
        }
    }

    static func stepName(_ b: TimeBucket) -> String { b == .day ? "日" : b == .week ? "周" : "月" }

    /// Which steps of `bucket` over the report's period are partial, as one sentence
    /// (`首周不完整：2025-11-27 ~ 2025-11-30 只有 4 天（整周 7 天）…`), or nil when all are whole.
    /// The dashboard says the same as `首末周不完整` (`TimeBucket.partialSteps`).
    func partialNote(_ bucket: TimeBucket) -> String? {
        let p = bucket.partialSteps(firstDay: board.firstDay, lastDay: board.lastDay)
        let name = Self.stepName(bucket)
        var said: [String] = []
        if let f = p.first, let l = p.last, f == l {
            said.append("唯一的一\(name)不完整：" + Self.partialSpan(f, bucket))
        } else {
            if let f = p.first { said.append("首\(name)不完整：" + Self.partialSpan(f, bucket)) }
            if let l = p.last { said.append("末\(name)不完整：" + Self.partialSpan(l, bucket)) }
        }
        guard !said.isEmpty else { return nil }
        return said.joined(separator: "；") + "。这样的\(name)问题量偏少、比率的样本也少，不宜与整\(name)直接比较。"
    }

    /// `2025-11-27 ~ 2025-11-30 只有 4 天（整周 7 天）`: the days of a partial step inside the period.
    static func partialSpan(_ s: PartialStep, _ bucket: TimeBucket) -> String {
        (s.from == s.to ? TimeBucket.date(s.from) : "\(TimeBucket.date(s.from)) ~ \(TimeBucket.date(s.to))")
            + " 只有 \(s.days) 天（整\(stepName(bucket)) \(s.fullDays) 天）"
    }

    /// The partial step starting on `start` (a trend point or a time group), if any.
    func partialStep(_ bucket: TimeBucket, start: Int32) -> PartialStep? {
        bucket.partialStep(starting: start, firstDay: board.firstDay, lastDay: board.lastDay)
    }

    /// The headline lines, shared by text and markdown.
    var headline: [String] {
        let t = board.total
        return [
            "准确率 \(Self.share(t.accuracy))（n=\(grouped(t.accuracy.denominator))，95% 区间 \(Self.interval(t.accuracy))）",
            "命中率 \(Self.share(t.hitRate))（n=\(grouped(t.hitRate.denominator))，95% 区间 \(Self.interval(t.hitRate))）"
                + (t.judgedByTemplate > 0 ? "，其中 \(grouped(t.judgedByTemplate)) 条日志无命中字段，按兜底话术判断" : ""),
            "准确率(全口径) \(Self.share(t.accuracyAll))（n=\(grouped(t.accuracyAll.denominator))）· 知识覆盖率 \(Self.share(t.knowledgeCoverage)) · 非人社占比 \(Self.share(t.outOfScopeShare)) · 标注率 \(Self.share(t.labelRate))",
            "记录 \(grouped(t.records)) 条：有效问题 \(grouped(t.valid))，闲聊/无效 \(grouped(t.smallTalk))；已标注 \(grouped(t.labelled))（"
                + Label.allCases.map { "\($0.chineseName) \(grouped(t.count($0)))" }.joined(separator: "，") + "）",
        ]
    }

    static let tableHeader = ["有效问题", "命中率", "准确率", "n", "95% 区间", "全口径", "知识覆盖率", "非人社占比", "标注率"]
    /// Room for each figure column: an interval is `100.0–100.0%`.
    static let tableWidths = [9, 7, 7, 7, 12, 7, 10, 10, 7]
    static var figureColumns: [TextTable.Column] {
        zip(tableHeader, tableWidths).map { .init(title: $0.0, preferred: $0.1, minimum: 5) }
    }

    static func tableCells(_ t: Tally) -> [String] {
        [grouped(t.valid), share(t.hitRate), share(t.accuracy), grouped(t.accuracy.denominator), interval(t.accuracy),
         share(t.accuracyAll), share(t.knowledgeCoverage), share(t.outOfScopeShare), share(t.labelRate)]
    }

    var hotRows: [[String]] { Self.rows(board.hot) }
    /// 未命中TOP10: every row is a miss, so no hit rate; how many, their share of all misses, how
    /// many wordings, how many a reviewer confirmed as 业务缺失, and who asked.
    var missedRows: [[String]] {
        board.missed.enumerated().map { i, h in
            [String(i + 1), VisibleText.singleLine(h.title), grouped(h.count), Self.share(Ratio(h.count, of: board.missedTotal)),
             grouped(h.wordings), grouped(h.tally.count(.missingKnowledge)),
             VisibleText.singleLine(h.askedBy.prefix(3).map { "\($0.org) \(grouped($0.count))" }.joined(separator: "、"))]
        }
    }

    /// A TOP10 table as text: the question column fills, the last (a wording, who asked) gives way
    /// first (`last`: its preferred and least width).
    static func questionTable(_ header: [String], _ rows: [[String]], last: (Int, Int), width: Int) -> String {
        let table = TextTable(
            columns: header.enumerated().map { i, t in
                i == 1 ? .init(title: t, preferred: 30, minimum: 12, fills: true)
                    : .init(title: t, preferred: i == 6 ? last.0 : max(4, DisplayWidth.of(t)), minimum: i == 6 ? last.1 : 2)
            },
            shrinkOrder: [6, 1], dropOrder: [6])
        return table.render(rows, widths: table.widths(for: width)).trimmingCharacters(in: .newlines)
    }

    static let missedHeader = ["#", "问题（最常见问法）", "次数", "占全部未命中", "问法数", "已标业务缺失", "提问机构（前三）"]
    static let missedTitle = "未命中/兜底问题 TOP10（人社事项中机器人未用知识库回答的，按归一化问题文字分组：知识库缺什么；不含非人社事项与闲聊）"

    static func rows(_ list: [HotQuestion]) -> [[String]] {
        list.enumerated().map { i, h in
            [String(i + 1), VisibleText.singleLine(h.title), grouped(h.count), share(h.tally.hitRate), share(h.tally.accuracy),
             grouped(h.tally.accuracy.denominator), VisibleText.singleLine(h.wording)]
        }
    }

    static let hotHeader = ["#", "问题（标准问或最常见问法）", "次数", "命中率", "准确率", "n", "最常见问法"]

    /// The three trend charts as text lines.
    func charts(width: Int) -> [(String, [String])] {
        let series = board.series()
        let labels = series.map { board.bucket.label($0.start) }
        func ratio(_ pick: (Tally) -> Ratio) -> [Double?] { series.map { pick($0.tally).isReliable ? pick($0.tally).value : nil } }
        let percent = { (v: Double) in String(format: "%.0f%%", v * 100) }
        let step = board.bucket == .day ? "日" : board.bucket == .week ? "周" : "月"
        let defs: [(String, [Double?], (Double) -> String, Bool)] = [
            ("有效问题量（每\(step)）", series.map { Double($0.tally.valid) }, { grouped(Int($0.rounded())) }, true),
            ("命中率（每\(step)，n<20 的时段不画）", ratio(\.hitRate), percent, false),
            ("准确率（每\(step)，n<20 的时段不画）", ratio(\.accuracy), percent, false),
        ]
        return defs.map { title, values, format, zero in
            (title, LineChart.render(values: values, xLabels: labels, width: width, height: 9, ascii: ascii, fromZero: zero,
                                     format: format, empty: "无数据").lines)
        }
    }

    // MARK: text

    func text() -> String {
        var out: [String] = []
        out.append("人社问答质量报告")
        out.append("筛选：\(filterText)　时间：\(periodText)　分组：\(groupTitle)　生成：\(ShanghaiTime.format(generatedAt))")
        if !database.isEmpty { out.append("数据库：\(database)") }
        out.append("")
        out += headline
        out.append("")
        out.append("按\(groupTitle)")
        let g = Glyphs.forTerminal(ambiguousWide: ascii)
        let scale = Bars.Scale(fitting: groups.map(\.1.accuracy), target: team.accuracyTarget)
        let nameWidth = min(24, max(8, groups.map { DisplayWidth.of($0.name) }.max() ?? 8))
        let table = TextTable(
            columns: [.init(title: groupTitle, preferred: nameWidth, minimum: 6)]
                + Self.figureColumns + [.init(title: "准确率 " + scale.text, preferred: 20, minimum: 10, fills: true)],
            shrinkOrder: [0, 10], dropOrder: [10, 9, 8, 7, 6])
        let widths = table.widths(for: width)
        // The app's comparison bars: the figure's length on one scale, the interval's upper part a
        // whisker, the target a mark where the bar does not reach.
        let bars = Bars.comparisons(groups.map(\.1.accuracy), scale: scale, target: team.accuracyTarget,
                                    width: max(1, widths[10]), glyphs: g)
        let rows = groups.enumerated().map { i, group -> [String] in
            [group.0] + Self.tableCells(group.1) + [String(bars[i].map(\.0))]
        }
        out.append(table.render(rows + [["合计"] + Self.tableCells(board.total) + [""]], widths: widths)
            .trimmingCharacters(in: .newlines))
        if let b = groupBucket, let note = partialNote(b) { out.append(note) }
        out.append("")
        if let note = partialNote(board.bucket) {
            out.append("趋势：" + note)
            out.append("")
        }
        for (title, lines) in charts(width: min(width, 100)) {
            out.append(title)
            out += lines
            out.append("")
        }
        if by != .biz1 && by != .biz2 {
            out.append("一级业务类型")
            let bizTable = TextTable(
                columns: [.init(title: "一级业务类型", preferred: 16, minimum: 8)]
                    + Self.figureColumns,
                shrinkOrder: [0], dropOrder: [9, 8, 7, 6])
            out.append(bizTable.render(board.byBiz1().map { [$0.name] + Self.tableCells($0.tally) }, widths: bizTable.widths(for: width))
                .trimmingCharacters(in: .newlines))
            out.append("")
        }
        out.append("热点问题 TOP\(board.query.top)")
        out.append(Self.questionTable(Self.hotHeader, hotRows, last: (30, 10), width: width))
        out.append("")
        out.append("次数 = 有效问题数；命中率 = 命中知识的问题 ÷ 次数；准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；n = 准确率的分母。")
        out.append("")
        out.append(Self.missedTitle.replacingOccurrences(of: "TOP10", with: "TOP\(board.query.top)") + "：共 \(grouped(board.missedTotal)) 条")
        out.append(Self.questionTable(Self.missedHeader, missedRows, last: (24, 8), width: width))
        out.append("")
        if let c = parts.byOrg, let z = parts.byBiz1 {
            out.append("本期与上期（上期 \(TimeBucket.date(c.previousFrom)) ~ \(TimeBucket.date(c.previousTo))，与本期等长）")
            for (title, comparison) in [("组织机构", c), ("一级业务类型", z)] {
                let table = TextTable(columns: [.init(title: title, preferred: 14, minimum: 6)]
                                        + MeetingParts.comparisonHeader.map { .init(title: $0, preferred: max(10, DisplayWidth.of($0)), minimum: 6) },
                                      shrinkOrder: [0], dropOrder: [8, 7, 6, 2])
                out.append(table.render(comparison.rows.map { [$0.name] + MeetingParts.comparisonCells($0) }, widths: table.widths(for: width))
                    .trimmingCharacters(in: .newlines))
            }
            out.append("")
        }
        out.append("错误示例（每类最新 3 条）")
        for (l, records) in parts.examples {
            out.append("\(l.glyph) \(l.chineseName)" + (records.isEmpty ? "：这段时间没有" : ""))
            for r in records {
                let (head, answer) = MeetingParts.exampleLine(r)
                out.append("  " + head)
                out.append("    " + answer)
            }
        }
        out.append("")
        out.append("\(Self.unreliableMark) n < 20，样本太少，仅供参考。准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；命中率 = 命中知识的有效问题 ÷ 有效问题。")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: markdown

    static func md(_ s: String) -> String {
        VisibleText.singleLine(s).replacingOccurrences(of: "|", with: "\\|")
    }

    /// Columns from `numericFrom` are right-aligned, except the `text` ones.
    static func mdTable(_ header: [String], _ rows: [[String]], numericFrom: Int = 1, text: Set<Int> = []) -> [String] {
        var out = ["| " + header.map(md).joined(separator: " | ") + " |"]
        out.append("|" + header.indices.map { $0 >= numericFrom && !text.contains($0) ? " ---: " : " --- " }.joined(separator: "|") + "|")
        for r in rows { out.append("| " + r.map(md).joined(separator: " | ") + " |") }
        return out
    }

    func markdown() -> String {
        var out: [String] = []
        out.append("# 人社问答质量报告")
        out.append("")
        out.append("- 筛选：\(filterText)")
        out.append("- 时间：\(periodText)（趋势按\(board.bucket == .day ? "日" : board.bucket == .week ? "周" : "月")）")
        out.append("- 生成：\(ShanghaiTime.format(generatedAt))")
        if !database.isEmpty { out.append("- 数据库：\(Self.md(database))") }
        out.append("")
        out.append("## 总体")
        out.append("")
        out += headline.map { "- " + $0 }
        out.append("")
        out.append("## 按\(groupTitle)")
        out.append("")
        out += Self.mdTable([groupTitle] + Self.tableHeader, groups.map { [$0.name] + Self.tableCells($0.tally) }
                            + [["**合计**"] + Self.tableCells(board.total)])
        out.append("")
        if let b = groupBucket, let note = partialNote(b) {
            out.append("> " + Self.md(note))
            out.append("")
        }
        out.append("## 趋势")
        out.append("")
        if let note = partialNote(board.bucket) {
            out.append("> " + Self.md(note))
            out.append("")
        }
        for (title, lines) in charts(width: 90) {
            out.append("**\(title)**")
            out.append("")
            out.append("```")
            out += lines
            out.append("```")
            out.append("")
        }
        if by != .biz1 && by != .biz2 {
            out.append("## 一级业务类型")
            out.append("")
            out += Self.mdTable(["一级业务类型"] + Self.tableHeader, board.byBiz1().map { [$0.name] + Self.tableCells($0.tally) })
            out.append("")
        }
        out.append("## 热点问题 TOP\(board.query.top)")
        out.append("")
        // The last column (wording) is text: left-aligned.
        out += Self.mdTable(Self.hotHeader, hotRows, numericFrom: 2, text: [Self.hotHeader.count - 1])
        out.append("")
        out.append("## " + Self.missedTitle.replacingOccurrences(of: "TOP10", with: "TOP\(board.query.top)") + "：共 \(grouped(board.missedTotal)) 条")
        out.append("")
        out += Self.mdTable(Self.missedHeader, missedRows, numericFrom: 2, text: [Self.missedHeader.count - 1])
        out.append("")
        out.append("次数 = 有效问题数；命中率 = 命中知识的问题 ÷ 次数；准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；n = 准确率的分母。")
        out.append("")
        out += parts.markdown(periodOf: parts.byOrg)
        out.append("\(Self.unreliableMark) n < 20，样本太少，仅供参考。")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: csv

    static let csvHeader = [
        "group", "records", "valid", "smallTalk", "hits", "hitRate", "hitRateLow", "hitRateHigh", "judgedByTemplate",
        "missingKnowledge", "misunderstood", "correct", "outOfScope", "labelled", "accuracy", "accuracyN", "accuracyLow",
        "accuracyHigh", "accuracyReliable", "accuracyAll", "knowledgeCoverage", "outOfScopeShare", "labelRate", "partial",
    ]

    static func number(_ v: Double?) -> String {
        v.map { String(format: "%.6f", $0) } ?? ""
    }

    /// `partial`: `true` for a week or month the period covers only in part, `false` for a whole
    /// one (and for days), empty where the row is not a time step.
    static func csvRow(_ name: String, _ t: Tally, partial: Bool? = nil) -> [String] {
        [name, String(t.records), String(t.valid), String(t.smallTalk), String(t.hits), number(t.hitRate.value),
         number(t.hitRate.wilson95?.lower), number(t.hitRate.wilson95?.upper), String(t.judgedByTemplate),
         String(t.count(.missingKnowledge)), String(t.count(.misunderstood)), String(t.count(.correct)), String(t.count(.outOfScope)),
         String(t.labelled), number(t.accuracy.value), String(t.accuracy.denominator), number(t.accuracy.wilson95?.lower),
         number(t.accuracy.wilson95?.upper), t.accuracy.isReliable ? "true" : "false", number(t.accuracyAll.value),
         number(t.knowledgeCoverage.value), number(t.outOfScopeShare.value), number(t.labelRate.value),
         partial.map { $0 ? "true" : "false" } ?? ""]
    }

    /// For each group, whether it is a partial step (nil: the groups are not time steps).
    var groupPartial: [Bool?] {
        let timed = by == .day || by == .week || by == .month
        guard timed else { return groups.map { _ in nil } }
        let b = TimeBucket(rawValue: by.rawValue)!
        return board.series(b).map { partialStep(b, start: $0.start) != nil }
    }

    /// The grouped table, one row per group and a first row `(total)`; shares as fractions.
    func csv() -> String {
        let partial = groupPartial
        let rows = [Self.csvHeader, Self.csvRow("(total)", board.total)]
            + groups.enumerated().map { i, g in Self.csvRow(g.name, g.tally, partial: partial[i]) }
        return "\u{FEFF}" + rows.map { $0.map(CSVWriter.field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    // MARK: json

    static func ratioJSON(_ r: Ratio) -> [String: Any] {
        var o: [String: Any] = ["numerator": r.numerator, "denominator": r.denominator, "reliable": r.isReliable]
        o["value"] = r.value ?? NSNull()
        o["low"] = r.wilson95?.lower ?? NSNull()
        o["high"] = r.wilson95?.upper ?? NSNull()
        return o
    }

    static func tallyJSON(_ t: Tally) -> [String: Any] {
        [
            "records": t.records, "valid": t.valid, "smallTalk": t.smallTalk, "hits": t.hits,
            "judgedByTemplate": t.judgedByTemplate, "labelled": t.labelled,
            "labels": Dictionary(uniqueKeysWithValues: Label.allCases.map { ($0.code, t.count($0)) }),
            "accuracy": ratioJSON(t.accuracy), "accuracyAll": ratioJSON(t.accuracyAll), "hitRate": ratioJSON(t.hitRate),
            "knowledgeCoverage": ratioJSON(t.knowledgeCoverage), "outOfScopeShare": ratioJSON(t.outOfScopeShare),
            "labelRate": ratioJSON(t.labelRate),
        ]
    }

    func json(filter: RecordFilter) throws -> String {
        var f: [String: Any] = ["organisations": filter.orgs]
        f["from"] = filter.fromDay.map(ShanghaiTime.formatDate) ?? NSNull()
        f["to"] = filter.toDay.map(ShanghaiTime.formatDate) ?? NSNull()
        f["status"] = filter.status?.rawValue ?? NSNull()
        f["label"] = filter.label?.code ?? NSNull()
        f["businessType1"] = filter.biz1 ?? NSNull()
        f["businessType2"] = filter.biz2 ?? NSNull()
        f["text"] = filter.text ?? NSNull()
        var o: [String: Any] = [
            "generatedAt": ShanghaiTime.format(generatedAt),
            "database": database,
            "filter": f,
            "period": board.lastDay >= board.firstDay
                ? ["from": TimeBucket.date(board.firstDay), "to": TimeBucket.date(board.lastDay)] as [String: Any] : NSNull(),
            "by": by.rawValue,
            "bucket": board.bucket.rawValue,
            "total": Self.tallyJSON(board.total),
        ]
        let partial = groupPartial
        o["groups"] = groups.enumerated().map { i, g -> [String: Any] in
            var e: [String: Any] = ["name": g.name, "figures": Self.tallyJSON(g.tally)]
            if let p = partial[i] { e["partial"] = p }
            return e
        }
        // Each step with the days of it inside the period: a partial first or last week says so.
        o["trend"] = board.series().map { s -> [String: Any] in
            let next = board.bucket.next(after: s.start)
            let from = max(s.start, board.firstDay), to = min(next - 1, board.lastDay)
            return ["start": TimeBucket.date(s.start), "from": TimeBucket.date(from), "to": TimeBucket.date(to),
                    "days": Int(to) - Int(from) + 1, "partial": partialStep(board.bucket, start: s.start) != nil,
                    "figures": Self.tallyJSON(s.tally)]
        }
        o["partialNote"] = partialNote(board.bucket) ?? NSNull()
        o["businessTypes"] = board.byBiz1().map { l1 -> [String: Any] in
            ["name": l1.name, "figures": Self.tallyJSON(l1.tally),
             "level2": board.byBiz2(of: l1.name).map { ["name": $0.name, "figures": Self.tallyJSON($0.tally)] as [String: Any] }]
        }
        o["missedQuestions"] = board.missed.enumerated().map { i, h -> [String: Any] in
            ["rank": i + 1, "title": h.title, "mostCommonWording": h.wording, "count": h.count, "wordings": h.wordings,
             "shareOfMissed": Ratio(h.count, of: board.missedTotal).value ?? 0,
             "askedBy": h.askedBy.map { ["organisation": $0.org, "count": $0.count] as [String: Any] },
             "figures": Self.tallyJSON(h.tally)]
        }
        o["missedTotal"] = board.missedTotal
        o["hotQuestions"] = board.hot.enumerated().map { i, h -> [String: Any] in
            ["rank": i + 1, "title": h.title, "mostCommonWording": h.wording, "knowledgeId": h.knowledgeId ?? NSNull(),
             "standardQuestion": h.standardQuestion ?? NSNull(), "count": h.count, "wordings": h.wordings,
             "figures": Self.tallyJSON(h.tally)]
        }
        let data = try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
