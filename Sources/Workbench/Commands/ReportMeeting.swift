import Foundation
import Model

/// What a report adds for a meeting (issue 16, point 14): 本期 against 上期 per county and business
/// type, three example records for each error label, and two more formats — one self-contained
/// HTML file with SVG charts, readable and printable in any browser, and an XLSX of the tables.
struct MeetingParts {
    var byOrg: PeriodComparison?
    var byBiz1: PeriodComparison?
    /// 业务缺失 and 理解错误, three records each (newest first).
    var examples: [(label: Label, records: [InteractionRecord])] = []

    static let exampleLabels: [Label] = [.missingKnowledge, .misunderstood]

    /// Reads the previous period's board and the examples for a report's filter and board.
    static func load(_ db: any RecordStore, index: StatisticsIndex, filter: RecordFilter, board: Dashboard, orgOrder: [String]) throws -> MeetingParts {
        var parts = MeetingParts()
        if board.lastDay >= board.firstDay {
            let (prev, from, to) = filter.previousPeriod(first: board.firstDay, last: board.lastDay)
            let keys = DashboardQuery.needsKeys(prev) ? try db.keys(prev) : nil
            let before = Dashboard(index: index, query: DashboardQuery(filter: prev, keys: keys, bucket: board.bucket, top: 0))
            parts.byOrg = PeriodComparison(current: board.byOrg(order: orgOrder).filter { $0.tally.records > 0 },
                                           previous: before.byOrg(order: orgOrder).filter { $0.tally.records > 0 }, previousFrom: from, previousTo: to)
            parts.byBiz1 = PeriodComparison(current: board.byBiz1(), previous: before.byBiz1(), previousFrom: from, previousTo: to)
        }
        for l in exampleLabels {
            var f = filter
            f.label = l
            parts.examples.append((l, try db.page(f, after: nil, limit: 3).records))
        }
        return parts
    }

    static let comparisonHeader = ["本期有效问题", "上期有效问题", "本期准确率", "上期准确率", "准确率变化", "本期命中率", "上期命中率", "命中率变化"]

    static func change(_ v: Double?) -> String {
        guard let v else { return "—" }
        return (v > 0.05 ? "+" : v < -0.05 ? "−" : "±") + String(format: "%.1f", abs(v)) + " 个百分点"
    }

    static func comparisonCells(_ r: PeriodComparison.Row) -> [String] {
        [grouped(r.current.valid), grouped(r.previous.valid), Report.share(r.current.accuracy), Report.share(r.previous.accuracy),
         change(r.change(\.accuracy)), Report.share(r.current.hitRate), Report.share(r.previous.hitRate), change(r.change(\.hitRate))]
    }

    /// One line of an example: its id, county, question and the start of its answer.
    static func exampleLine(_ r: InteractionRecord, answerChars: Int = 120) -> (String, String) {
        let answer = VisibleText.singleLine(r.answer)
        let cut = answer.count > answerChars ? String(answer.prefix(answerChars)) + "…" : answer
        return ("\(r.id) · \(ShanghaiTime.format(r.askedAt).prefix(16)) · \(r.org) · 问：\(VisibleText.singleLine(r.question))", "答：" + cut)
    }

    /// The parts as Markdown sections (also the text format's, which is close to it).
    func markdown(periodOf comparison: PeriodComparison?) -> [String] {
        var out: [String] = []
        if let c = byOrg, let b = byBiz1 {
            out.append("## 本期与上期")
            out.append("")
            out.append("上期：\(TimeBucket.date(c.previousFrom)) ~ \(TimeBucket.date(c.previousTo))（与本期等长，紧接其前）")
            out.append("")
            out += Report.mdTable(["组织机构"] + Self.comparisonHeader, c.rows.map { [$0.name] + Self.comparisonCells($0) })
            out.append("")
            out += Report.mdTable(["一级业务类型"] + Self.comparisonHeader, b.rows.map { [$0.name] + Self.comparisonCells($0) })
            out.append("")
        }
        out.append("## 错误示例（每类最新 3 条）")
        out.append("")
        for (l, records) in examples {
            out.append("**\(l.glyph) \(l.chineseName)**")
            out.append("")
            if records.isEmpty { out.append("- 这段时间没有") }
            for r in records {
                let (head, answer) = Self.exampleLine(r)
                out.append("- " + Report.md(head) + "  ")
                out.append("  " + Report.md(answer))
            }
            out.append("")
        }
        return out
    }
}

extension Report {
    // MARK: html

    static func html(_ s: String) -> String {
        var out = ""
        for ch in VisibleText.escapeControls(s) {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func htmlTable(_ header: [String], _ rows: [[String]], numericFrom: Int = 1, text: Set<Int> = []) -> String {
        func cell(_ tag: String, _ v: String, _ i: Int) -> String {
            let cls = i >= numericFrom && !text.contains(i) ? " class=\"num\"" : ""
            return "<\(tag)\(cls)>\(html(v))</\(tag)>"
        }
        var out = "<table><thead><tr>" + header.enumerated().map { cell("th", $0.1, $0.0) }.joined() + "</tr></thead><tbody>"
        for r in rows { out += "<tr>" + r.enumerated().map { cell("td", $0.1, $0.0) }.joined() + "</tr>" }
        return out + "</tbody></table>"
    }

    /// The page's fonts: a CJK face on every desktop (Windows, macOS, Linux), so Chinese never
    /// falls back to boxes; the SVGs name the same stack (a chart copied out keeps it).
    static let fontStack = "\"Microsoft YaHei\", \"微软雅黑\", \"PingFang SC\", \"Hiragino Sans GB\", \"Noto Sans CJK SC\", "
        + "\"Source Han Sans SC\", \"WenQuanYi Micro Hei\", \"SimHei\", sans-serif"

    /// An `<svg>` start tag with the font stack (in single quotes: the stack has double quotes).
    static func svgOpen(width: Int, height: Int, title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
            + "font-family='\(fontStack)' role=\"img\" aria-label=\(html(title).quoted)>"
    }

    static func px(_ v: Double) -> String { String(format: "%.2f", v) }

    static let barNormal = "#2f6fad", barBelow = "#c0392b", barUnreliable = "#b5b5b5"

    /// The scale of a set of comparison bars: whole tens of percent, from below the lowest figure,
    /// reliable 95% lower bound and target to above the highest figure, upper bound and target, at
    /// least 20 points wide. Every row of a chart is measured on it.
    static func barScale(_ ratios: [Ratio], target: Double) -> (lo: Double, hi: Double) {
        let scale = ComparisonScale(fitting: ratios, target: target)
        return (scale.lo, scale.hi)
    }

    /// Comparison bars (one row a group): the bar's length is the figure (as shown, to 0.1 point)
    /// on one scale for every row, stated by the axis; the 95% Wilson interval a thin whisker with
    /// end caps through the bar; the target a dashed line across every row; the figure to the right
    /// of the drawing, never on a bar. Colour from the target: below it the warning colour, at or
    /// above the normal one; n < 20 grey, without a whisker (its interval is most of the scale).
    static func svgBars(_ rows: [(name: String, ratio: Ratio)], target: Double, title: String) -> String {
        let (lo, hi) = barScale(rows.map(\.ratio), target: target)
        let rowH = 24, barW = 420, figureW = 150, top = 46
        // Names right-aligned before the bars: as wide as the longest (a CJK character is ~12 px).
        let nameCols = min(36, rows.map { DisplayWidth.of($0.name) }.max() ?? 4)
        let left = max(64, 14 + nameCols * 6 + 6)
        let width = left + barW + figureW
        let bottom = top + rows.count * rowH
        let height = bottom + 24
        func x(_ f: Double) -> Double { Double(left) + (min(hi, max(lo, f)) - lo) / (hi - lo) * Double(barW) }
        let scaleText = "\(Int((lo * 100).rounded()))%–\(Int((hi * 100).rounded()))%"
        var out = svgOpen(width: width, height: height, title: title)
        out += "<text x=\"0\" y=\"14\" class=\"t\">\(html(title))（刻度 \(scaleText)，各行相同）</text>"
        // The axis: a tick every 10 points (5 on a short scale), a faint line down through the rows.
        out += "<g class=\"axis\"><line x1=\"\(left)\" x2=\"\(left + barW)\" y1=\"\(top - 4)\" y2=\"\(top - 4)\" stroke=\"#888\"/>"
        let tick = hi - lo <= 0.3 ? 5 : 10
        let lowTick = Int((lo * 100).rounded()), highTick = Int((hi * 100).rounded())
        for k in stride(from: lowTick, through: max(lowTick, highTick), by: tick) {
            let tx = px(x(Double(k) / 100))
            out += "<line x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(top - 8)\" y2=\"\(bottom)\" stroke=\"#e3e3e3\"/>"
            out += "<line x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(top - 8)\" y2=\"\(top - 4)\" stroke=\"#888\"/>"
            out += "<text x=\"\(tx)\" y=\"\(top - 11)\" text-anchor=\"middle\" class=\"s\">\(k)%</text>"
        }
        out += "</g>"
        for (i, r) in rows.enumerated() {
            let y = top + i * rowH, mid = y + rowH / 2
            out += "<g class=\"row\">"
            out += "<text x=\"\(left - 8)\" y=\"\(mid + 4)\" text-anchor=\"end\" class=\"name\">"
                + "\(html(DisplayWidth.truncate(r.name, to: nameCols, marker: "…")))</text>"
            out += "<rect x=\"\(left)\" y=\"\(mid - 6)\" width=\"\(barW)\" height=\"12\" fill=\"#f4f4f4\"/>"
            if let v = r.ratio.value {
                // The figure as printed (one decimal), so equal figures have equal bars.
                let shown = (v * 1000).rounded() / 1000
                let below = shown < target
                let colour = !r.ratio.isReliable ? barUnreliable : below ? barBelow : barNormal
                out += "<rect class=\"bar\" x=\"\(left)\" y=\"\(mid - 6)\" width=\"\(px(x(shown) - Double(left)))\" height=\"12\" fill=\"\(colour)\"/>"
                if r.ratio.isReliable, let w = r.ratio.wilson95 {
                    let x1 = px(x(w.lower)), x2 = px(x(w.upper))
                    out += "<g class=\"ci\" stroke=\"#222\" stroke-width=\"1.2\">"
                        + "<line x1=\"\(x1)\" x2=\"\(x2)\" y1=\"\(mid)\" y2=\"\(mid)\"/>"
                        + "<line x1=\"\(x1)\" x2=\"\(x1)\" y1=\"\(mid - 5)\" y2=\"\(mid + 5)\"/>"
                        + "<line x1=\"\(x2)\" x2=\"\(x2)\" y1=\"\(mid - 5)\" y2=\"\(mid + 5)\"/></g>"
                }
                let mark = r.ratio.isReliable && below ? " ▼" : ""
                let fill = !r.ratio.isReliable ? "#777" : below ? barBelow : "#222"
                out += "<text x=\"\(left + barW + 10)\" y=\"\(mid + 4)\" class=\"fig\" fill=\"\(fill)\">"
                    + "\(html(share(r.ratio))) n=\(grouped(r.ratio.denominator))\(mark)</text>"
            } else {
                out += "<text x=\"\(left + barW + 10)\" y=\"\(mid + 4)\" class=\"fig\" fill=\"#777\">— n=0</text>"
            }
            out += "</g>"
        }
        let tx = px(x(target))
        out += "<line class=\"target\" x1=\"\(tx)\" x2=\"\(tx)\" y1=\"\(top - 4)\" y2=\"\(bottom + 2)\" stroke=\"#000\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
        out += "<text x=\"\(tx)\" y=\"\(bottom + 16)\" text-anchor=\"middle\" class=\"s\">目标 \(Int((target * 100).rounded()))%</text>"
        return out + "</svg>"
    }

    /// A line chart of one value per step (nil: no point), with its axis at round figures. A
    /// partial step (a week or month the period covers in part) is a hollow point reached by a
    /// dashed segment, so a short last week does not read as a collapse.
    static func svgLine(_ values: [Double?], labels: [String], partial: [Bool] = [], title: String, percent: Bool) -> String {
        // Room on the right for the last label, centred under the last point.
        let w = 640, h = 200, left = 56, right = 36, bottom = 28, top = 24
        let present = values.compactMap { $0 }
        var (lo, hi) = (0.0, 1.0)
        if let mx = present.max() {
            (lo, hi) = percent ? (max(0, ((present.min()! - 0.05) * 10).rounded(.down) / 10), 1.0) : LineChart.niceRange(min: 0, max: mx)
        }
        if hi <= lo { hi = lo + 1 }
        let plotW = Double(w - left - right)
        func x(_ i: Int) -> Double { Double(left) + (values.count <= 1 ? plotW / 2 : Double(i) * plotW / Double(values.count - 1)) }
        func y(_ v: Double) -> Double { Double(top) + (1 - (v - lo) / (hi - lo)) * Double(h - top - bottom) }
        func label(_ v: Double) -> String { percent ? String(format: "%.0f%%", v * 100) : grouped(Int(v.rounded())) }
        func isPartial(_ i: Int) -> Bool { partial.indices.contains(i) && partial[i] }
        let colour = "#1565c0"
        var out = svgOpen(width: w, height: h, title: title)
        out += "<text x=\"0\" y=\"14\" class=\"t\">\(html(title))</text>"
        if values.indices.contains(where: { isPartial($0) && values[$0] != nil }) {
            out += "<circle class=\"legend\" cx=\"\(w - right - 96)\" cy=\"10\" r=\"3\" fill=\"#fff\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
            out += "<text x=\"\(w - right - 88)\" y=\"14\" class=\"s\">不完整的时段</text>"
        }
        for v in [lo, (lo + hi) / 2, hi] {
            out += "<line x1=\"\(left)\" x2=\"\(w - right)\" y1=\"\(px(y(v)))\" y2=\"\(px(y(v)))\" stroke=\"#ddd\"/>"
            out += "<text x=\"\(left - 6)\" y=\"\(px(y(v) + 4))\" text-anchor=\"end\" class=\"s\">\(label(v))</text>"
        }
        // Segments between neighbouring present points (a missing step breaks the line); one that
        // reaches a partial point dashed.
        var solid = "", dashed = "", dots = ""
        for (i, v) in values.enumerated() {
            guard let v else { continue }
            if i > 0, let u = values[i - 1] {
                let seg = " M\(px(x(i - 1))) \(px(y(u))) L\(px(x(i))) \(px(y(v)))"
                if isPartial(i) || isPartial(i - 1) { dashed += seg } else { solid += seg }
            }
            dots += isPartial(i)
                ? "<circle class=\"partial\" cx=\"\(px(x(i)))\" cy=\"\(px(y(v)))\" r=\"3.5\" fill=\"#fff\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>"
                : "<circle cx=\"\(px(x(i)))\" cy=\"\(px(y(v)))\" r=\"2.5\" fill=\"\(colour)\"/>"
        }
        if !solid.isEmpty { out += "<path d=\"\(solid.trimmed)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>" }
        if !dashed.isEmpty {
            out += "<path class=\"partial\" d=\"\(dashed.trimmed)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>"
        }
        out += dots
        if present.isEmpty { out += "<text x=\"\(w / 2)\" y=\"\(h / 2)\" text-anchor=\"middle\">无数据</text>" }
        let step = max(1, labels.count / 8)
        for i in stride(from: 0, to: labels.count, by: step) {
            out += "<text x=\"\(px(x(i)))\" y=\"\(h - 8)\" text-anchor=\"middle\" class=\"s\">\(html(labels[i]))</text>"
        }
        return out + "</svg>"
    }

    func html(parts: MeetingParts, team: Team) -> String {
        let t = board.total
        var b = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8"><title>人社问答质量报告</title>
            <style>
            body,svg text{font-family:\(Self.fontStack)}
            body{margin:24px;color:#222;max-width:1000px}
            h1{font-size:22px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:28px}
            table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 6px}
            th{background:#f3f3f3}td.num,th.num{text-align:right}.meta{color:#555;font-size:13px}
            svg{display:block;margin:10px 0 14px;max-width:100%;height:auto}svg text{font-size:12px}svg .t{font-weight:bold;font-size:13px}svg .s{font-size:11px;fill:#555}
            .note{font-size:13px;color:#8a5300;background:#fff8e6;border-left:3px solid #e0a030;padding:4px 8px}
            .ex{font-size:13px;margin:4px 0 10px}.ex .a{color:#555}
            @media print{body{margin:0}h2{break-after:avoid}table,svg{break-inside:avoid}}
            </style></head><body>
            <h1>人社问答质量报告</h1>
            <p class="meta">筛选：\(Self.html(filterText))　时间：\(Self.html(periodText))　分组：\(Self.html(groupTitle))　生成：\(ShanghaiTime.format(generatedAt))\(database.isEmpty ? "" : "　数据库：" + Self.html(database))</p>
            <h2>总体</h2><ul>
            """
        for line in headline { b += "<li>\(Self.html(line))</li>" }
        b += "</ul><h2>按\(Self.html(groupTitle))</h2>"
        b += Self.htmlTable([groupTitle] + Self.tableHeader, groups.map { [$0.name] + Self.tableCells($0.tally) } + [["合计"] + Self.tableCells(t)])
        if let g = groupBucket, let note = partialNote(g) { b += "<p class=\"note\">\(Self.html(note))</p>" }
        if by == .org || by == .biz1 || by == .biz2 {
            b += "<p class=\"meta\">条长 = 数值（刻度见图上方，同一图各行相同）；黑细线 = 95% 区间；虚线 = 目标；"
                + "<span style=\"color:\(Self.barBelow)\">红色 ▼ = 低于目标</span>；灰色 = n &lt; 20（样本太少，不画区间）。</p>"
            b += Self.svgBars(groups.map { ($0.name, $0.tally.accuracy) }, target: team.accuracyTarget, title: "准确率")
            b += Self.svgBars(groups.map { ($0.name, $0.tally.hitRate) }, target: team.hitRateTarget, title: "命中率")
        }
        let series = board.series()
        let labels = series.map { board.bucket.label(max($0.start, board.firstDay)) }
        let partial = series.map { partialStep(board.bucket, start: $0.start) != nil }
        b += "<h2>趋势（每\(Self.stepName(board.bucket))）</h2>"
        if let note = partialNote(board.bucket) {
            b += "<p class=\"note\">\(Self.html(note))图中空心点与虚线为不完整的时段。</p>"
        }
        b += Self.svgLine(series.map { Double($0.tally.valid) }, labels: labels, partial: partial, title: "有效问题量", percent: false)
        b += Self.svgLine(series.map { $0.tally.hitRate.isReliable ? $0.tally.hitRate.value : nil }, labels: labels, partial: partial,
                          title: "命中率（n<20 的时段不画）", percent: true)
        b += Self.svgLine(series.map { $0.tally.accuracy.isReliable ? $0.tally.accuracy.value : nil }, labels: labels, partial: partial,
                          title: "准确率（n<20 的时段不画）", percent: true)
        if let c = parts.byOrg, let z = parts.byBiz1 {
            b += "<h2>本期与上期</h2><p class=\"meta\">上期：\(TimeBucket.date(c.previousFrom)) ~ \(TimeBucket.date(c.previousTo))（与本期等长，紧接其前）</p>"
            b += Self.htmlTable(["组织机构"] + MeetingParts.comparisonHeader, c.rows.map { [$0.name] + MeetingParts.comparisonCells($0) })
            b += Self.htmlTable(["一级业务类型"] + MeetingParts.comparisonHeader, z.rows.map { [$0.name] + MeetingParts.comparisonCells($0) })
        }
        if by != .biz1 && by != .biz2 {
            b += "<h2>一级业务类型</h2>" + Self.htmlTable(["一级业务类型"] + Self.tableHeader, board.byBiz1().map { [$0.name] + Self.tableCells($0.tally) })
        }
        b += "<h2>热点问题 TOP\(board.query.top)</h2>" + Self.htmlTable(Self.hotHeader, hotRows, numericFrom: 2, text: [Self.hotHeader.count - 1])
        b += "<h2>未命中/兜底问题 TOP\(board.query.top)</h2><p class=\"meta\">人社事项中机器人未用知识库回答的问题（不含非人社事项与闲聊），按归一化问题文字分组：知识库缺什么。共 \(grouped(board.missedTotal)) 条。</p>"
            + Self.htmlTable(Self.missedHeader, missedRows, numericFrom: 2, text: [1, Self.missedHeader.count - 1])
            + "<p class=\"meta\">次数 = 有效问题数；命中率 = 命中知识的问题 ÷ 次数；准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；n = 准确率的分母。</p>"
        b += "<h2>错误示例（每类最新 3 条）</h2>"
        for (l, records) in parts.examples {
            b += "<h3>\(l.glyph) \(Self.html(l.chineseName))</h3>"
            if records.isEmpty { b += "<p class=\"ex\">这段时间没有</p>" }
            for r in records {
                let (head, answer) = MeetingParts.exampleLine(r, answerChars: 300)
                b += "<p class=\"ex\">\(Self.html(head))<br><span class=\"a\">\(Self.html(answer))</span></p>"
            }
        }
        b += "<p class=\"meta\">\(Self.unreliableMark) n &lt; 20，样本太少，仅供参考。准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；命中率 = 命中知识的有效问题 ÷ 有效问题；有效问题不含闲聊。</p>"
        return b + "</body></html>\n"
    }

    // MARK: xlsx

    /// The report's tables, a sheet each, written through `path` (the caller commits it).
    func xlsx(parts: MeetingParts, path: String) throws {
        let x = try XLSXWriter(path: path)
        func sheet(_ name: String, _ header: [String], _ rows: [[String]], first: Double = 18) throws {
            try x.beginSheet(name, columns: header.indices.map { .init(width: $0 == 0 ? first : 13) }, header: header)
            for r in rows { try x.row(r.map { .text($0) }) }
        }
        try sheet("总体", ["项目", "内容"], [["筛选", filterText], ["时间", periodText], ["生成", ShanghaiTime.format(generatedAt)], ["数据库", database]]
                    + headline.map { ["指标", $0] }, first: 10)
        // Time steps say when the period covers them in part (a column after the figures).
        func partialCell(_ b: TimeBucket, _ start: Int32) -> String {
            partialStep(b, start: start).map { "不完整：" + Self.partialSpan($0, b) } ?? ""
        }
        if let g = groupBucket {
            let steps = board.series(g)
            try sheet("按" + groupTitle, [groupTitle] + Self.tableHeader + ["完整性"],
                      steps.map { [TimeBucket.date($0.start)] + Self.tableCells($0.tally) + [partialCell(g, $0.start)] }
                          + [["合计"] + Self.tableCells(board.total) + [""]])
        } else {
            try sheet("按" + groupTitle, [groupTitle] + Self.tableHeader, groups.map { [$0.name] + Self.tableCells($0.tally) } + [["合计"] + Self.tableCells(board.total)])
        }
        try sheet("趋势", ["起始日"] + Self.tableHeader + ["完整性"],
                  board.series().map { [TimeBucket.date(max($0.start, board.firstDay))] + Self.tableCells($0.tally) + [partialCell(board.bucket, $0.start)] },
                  first: 12)
        try sheet("一级业务类型", ["一级业务类型"] + Self.tableHeader, board.byBiz1().map { [$0.name] + Self.tableCells($0.tally) })
        if let c = parts.byOrg, let z = parts.byBiz1 {
            try sheet("本期与上期", ["分组"] + MeetingParts.comparisonHeader,
                      c.rows.map { [$0.name] + MeetingParts.comparisonCells($0) } + z.rows.map { [$0.name] + MeetingParts.comparisonCells($0) })
        }
        try sheet("热点TOP\(board.query.top)", Self.hotHeader, hotRows, first: 5)
        try sheet("未命中TOP\(board.query.top)", Self.missedHeader, missedRows, first: 5)
        try sheet("错误示例", ["标注", "记录ID", "时间", "组织机构", "用户问题", "问答结果（前 300 字）"],
                  parts.examples.flatMap { l, records in
                      records.map { r in [l.chineseName, r.id, ShanghaiTime.format(r.askedAt), r.org, r.question, String(r.answer.prefix(300))] }
                  }, first: 10)
        try x.finish()
    }
}

extension String {
    /// In double quotes, for an SVG/HTML attribute whose value is already escaped.
    var quoted: String { "\"" + self + "\"" }
}
