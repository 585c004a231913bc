import Foundation
import Model

extension DashboardView {
    /// 审核员/质量: one row per reviewer over the dashboard's period, the selected one's detail below.
    static func reviewers(_ s: AppContext, _ d: DashboardState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        guard let f = d.reviewers else {
            c.text(Localized("  统计中…", "  counting…")(L), x: r.x, y: r.y, role: .dim, maxWidth: r.width)
            return
        }
        let pct = { (n: Int, of: Int) in of == 0 ? "—" : "\(Int((Double(n) * 100 / Double(of)).rounded()))%" }
        let cols: [(Localized, Int)] = [(Localized("审核员", "Reviewer"), 10), (Localized("标注", "Labels"), 7), (Localized("工时", "Hours"), 7),
                                        (Localized("条/时", "/hour"), 7), (Localized("秒/条", "s/item"), 7), (Localized("分布 p", "mix p"), 9),
                                        (Localized("双评一致", "Agree"), 17), (Localized("被推翻", "Overturned"), 17), (Localized("过快连标", "Fast runs"), 10)]
        var x = r.x + 1
        for (t, w) in cols where x < r.x + r.width {
            x += c.text(DisplayWidth.truncate(t(L), to: w, pad: true), x: x, y: r.y, role: .title, maxWidth: r.x + r.width - x)
        }
        let shown = ListCursor.window(count: f.rows.count, selected: d.selected, height: max(0, r.height - 6))
        var y = r.y + 1
        for i in shown {
            let row = f.rows[i]
            let cells = [row.reviewer, grouped(row.labels), String(format: "%.1f", Double(row.activeSeconds) / 3600),
                         row.itemsPerHour.map { String(format: "%.0f", $0) } ?? "—", row.medianSeconds.map { String(format: "%.0f", $0) } ?? "—",
                         (row.mixP.map { String(format: "%.3f", $0) } ?? "—") + (row.mixDiffers ? "!" : ""),
                         // Each share with its n, † when n < 20 (issue 32: 被推翻 100% from one case).
                         Ratio(row.agreed, of: row.pairs).countedText, Ratio(row.overturned, of: row.adjudicated).countedText,
                         String(row.fastStreaks.count)]
            let selected = i == d.selected
            x = r.x + 1
            for (k, (_, w)) in cols.enumerated() where x < r.x + r.width {
                let role: Role = selected ? .selected : (k == 5 && row.mixDiffers) || (k == 8 && !row.fastStreaks.isEmpty) ? .warning : .normal
                x += c.text(DisplayWidth.truncate(cells[k], to: w, pad: true), x: x, y: y, role: role, maxWidth: r.x + r.width - x)
            }
            if selected { c.put(s.glyphs.pointer, x: r.x, y: y, role: .selected) }
            y += 1
        }
        if f.rows.isEmpty { c.text(Localized("  这段时间没有审核员在本工具中的标注（导入时已带的标注没有时间记录，不计入）", "  No labels given in this tool in this period (labels that came with an import are not counted)")(L), x: r.x, y: y, role: .dim) }
        guard f.rows.indices.contains(d.selected), r.height > 6 else { return }
        let row = f.rows[d.selected]
        var dy = r.bottom - 5
        c.fill(x: r.x, y: dy, width: r.width, height: 1, role: .border, with: s.glyphs.horizontal)
        c.text(" \(row.reviewer) ", x: r.x + 2, y: dy, role: .title)
        let mixLine = zip(Label.allCases, zip(row.mix, f.teamMix)).map { l, m in
            "\(l.glyph)\(pct(m.0, row.labels))/" + Localized("团队", "team")(L) + pct(m.1, f.teamMix.reduce(0, +))
        }.joined(separator: "  ")
        let lines: [(String, Role)] = [
            (Localized("标注分布（本人 n=\(grouped(row.labels)) / 团队 n=\(grouped(f.teamMix.reduce(0, +)))）：", "Label mix (theirs n=\(grouped(row.labels)) / team n=\(grouped(f.teamMix.reduce(0, +)))): ")(L) + mixLine, .normal),
            (Localized("与团队其余人员比较：Pearson χ² 同质性检验，自由度 3，p = ", "Against the rest of the team: Pearson χ² homogeneity, df 3, p = ")(L)
                + (row.mixP.map { String(format: "%.4f", $0) } ?? "—") + (row.mixDiffers ? Localized("（差异显著）", " (differs)")(L) : ""),
             row.mixDiffers ? .warning : .dim),
            (Localized("过快连标（<3 秒、回答 >200 字、连续 ≥10 条）：", "Fast runs (<3 s, answers >200 chars, ≥10 in a row): ")(L)
                + (row.fastStreaks.isEmpty ? "—" : row.fastStreaks.map { "\($0.count) " + Localized("条 从", "from")(L) + " \($0[0])" }.joined(separator: "；")),
             row.fastStreaks.isEmpty ? .dim : .warning),
        ]
        dy += 1
        for l in lines where dy < r.bottom {
            c.text(" " + l.0, x: r.x, y: dy, role: l.1, maxWidth: r.width)
            dy += 1
        }
    }
}

extension DashboardView {
    /// 导出记录: the export log, newest first; the selected export's filter and hash below.
    static func exports(_ s: AppContext, _ d: DashboardState, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        guard let list = d.exports else { return }
        if list.isEmpty {
            c.text(Localized("  还没有导出记录", "  No exports yet")(L), x: r.x, y: r.y, role: .dim, maxWidth: r.width)
            return
        }
        let cols: [(Localized, Int)] = [(Localized("时间", "When"), 17), (Localized("导出人", "By"), 10), (Localized("格式", "Format"), 6),
                                        (Localized("条数", "Rows"), 10), (Localized("遮盖", "Masked"), 6), (Localized("文件", "File"), 200)]
        var x = r.x + 1
        for (t, w) in cols where x < r.x + r.width {
            x += c.text(DisplayWidth.truncate(t(L), to: w, pad: true), x: x, y: r.y, role: .title, maxWidth: r.x + r.width - x)
        }
        let shown = ListCursor.window(count: list.count, selected: d.selected, height: max(0, r.height - 4))
        var y = r.y + 1
        for i in shown {
            let e = list[i]
            let file = (e.file as NSString).lastPathComponent
            let cells = [ShanghaiTime.format(e.at).prefix(16).description, e.by, e.format, grouped(e.rows), e.masked > 0 ? String(e.masked) : "—", file]
            let selected = i == d.selected
            x = r.x + 1
            for (k, (_, w)) in cols.enumerated() where x < r.x + r.width {
                let role: Role = selected ? .selected : (k == 4 && e.masked > 0 ? .warning : .normal)
                x += c.text(DisplayWidth.truncate(VisibleText.singleLine(cells[k]), to: min(w, r.x + r.width - x), pad: k < 5),
                            x: x, y: y, role: role, maxWidth: r.x + r.width - x)
            }
            if selected { c.put(s.glyphs.pointer, x: r.x, y: y, role: .selected) }
            y += 1
        }
        guard list.indices.contains(d.selected), r.height > 4 else { return }
        let e = list[d.selected]
        var dy = r.bottom - 3
        c.fill(x: r.x, y: dy, width: r.width, height: 1, role: .border, with: s.glyphs.horizontal)
        dy += 1
        for line in [Localized("筛选：", "Filter: ")(L) + e.filter + "  " + e.file, "SHA-256 " + (e.sha256 ?? Localized("—（标准输出或管道）", "— (standard output or a pipe)")(L))]
            where dy < r.bottom {
            c.text(" " + VisibleText.singleLine(line), x: r.x, y: dy, role: .dim, maxWidth: r.width)
            dy += 1
        }
    }
}
