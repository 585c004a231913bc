import Model

/// The adjudication queue: one row per disputed record (when, where, both labels with who gave
/// them, the question), and below it the selected record's question, answer and notes in full.
enum AdjudicationView {
    static func listHeight(height: Int) -> Int { max(3, (height - 5) * 2 / 5) }

    static func draw(_ ctx: AppContext, _ a: AdjudicationScreen, width: Int, height: Int, _ c: inout Canvas) {
        let L = ctx.lang
        c.fill(x: 0, y: 0, width: width, height: 2, role: .header)
        c.text(" " + Localized("仲裁队列 · 人社问答审核工作台", "Adjudication queue · 人社 answer review")(L) + "  "
               + Localized("主管", "supervisor")(L) + " " + ctx.reviewer, x: 0, y: 0, role: .header, maxWidth: width)
        c.text(" " + Localized("待仲裁 \(grouped(ctx.disputes)) 条（双评不一致，最早的在前）· 1-4 裁定 · b 退回两人重标",
                               "\(grouped(ctx.disputes)) disputed (oldest first) · 1-4 decides · b sends back to both")(L),
               x: 0, y: 1, role: .header, maxWidth: width)
        let listH = listHeight(height: height)
        c.fill(x: 0, y: 2, width: width, height: 1, role: .title)
        c.text("  " + Localized("时间         机构     两人的标注                      用户问题", "Time         Org      The two labels                  Question")(L),
               x: 0, y: 2, role: .title, maxWidth: width)
        if a.disputes.isEmpty {
            c.text(Localized("  没有待仲裁的记录", "  Nothing waits for a decision")(L), x: 0, y: 3, role: .dim, maxWidth: width)
        }
        for i in 0..<listH {
            let n = a.cursor.top + i
            guard n < a.disputes.count else { break }
            let d = a.disputes[n], y = 3 + i
            let r = a.records[d.key]
            let votes = d.votes.prefix(2).map { "\($0.reviewer) \($0.label.glyph)\($0.label.name(L))" }.joined(separator: " | ")
            let time = r.map { String(ShanghaiTime.format($0.askedAt).dropFirst(5).prefix(11)) } ?? ""
            let line = DisplayWidth.truncate(time, to: 12, pad: true) + " " + DisplayWidth.truncate(r?.org ?? "", to: 8, pad: true) + " "
                + DisplayWidth.truncate(votes, to: 31, pad: true) + " " + VisibleText.singleLine(r?.question ?? "")
            c.text((n == a.cursor.selected ? "> " : "  ") + line, x: 0, y: y, role: n == a.cursor.selected ? .selected : .normal,
                   maxWidth: width)
            if n == a.cursor.selected { c.restyle(x: 0, y: y, width: width, role: .selected) }
        }
        // The selected record in full, below.
        let top = 3 + listH
        let room = height - 2 - top
        guard room > 1, a.selected != nil else { return }
        c.fill(x: 0, y: top, width: width, height: 1, role: a.focusDetail ? .focusTitle : .border, with: ctx.glyphs.horizontal)
        let visible = room - 1, first = a.detailScroll.line
        if a.detailLines.count > visible || a.focusDetail {
            let where_ = " " + Localized("行", "lines")(L) + " \(first + 1)-\(min(a.detailLines.count, first + visible))/\(a.detailLines.count) "
                + (a.focusDetail ? Localized("(j/k 滚动, Tab 回列表) ", "(j/k scroll, Tab back) ")(L) : Localized("(Tab 滚动) ", "(Tab to scroll) ")(L))
            c.text(where_, x: 2, y: top, role: a.focusDetail ? .focusTitle : .title, maxWidth: width - 4)
        }
        for (i, l) in a.detailLines.dropFirst(first).prefix(visible).enumerated() {
            c.text(l.0, x: 1, y: top + 1 + i, role: l.1, maxWidth: width - 2)
        }
    }

    /// Both labels (who, when, their notes), the record's note, the question and the answer.
    static func detailLines(_ d: Dispute, _ r: InteractionRecord, lang L: Language) -> [(String, Role)] {
        var lines: [(String, Role)] = []
        for v in d.votes {
            lines.append(("\(v.reviewer)：\(v.label.glyph) \(v.label.name(L)) · \(ShanghaiTime.format(v.at))" + (v.note.map { " · \($0)" } ?? ""),
                          Role.of(v.label)))
        }
        if let n = r.note { lines.append((Localized("备注：", "Note: ")(L) + n, .warning)) }
        lines.append(("── " + Localized("用户问题", "Question")(L) + " ──", .title))
        lines.append((RecordText.question(r), .normal))
        lines.append(("── " + Localized("问答结果", "Answer")(L) + " ──", .title))
        lines.append((AnswerMarkup(RecordText.answer(r)).text, .normal))
        return lines
    }

    static func status(_ a: AdjudicationScreen, lang L: Language) -> String {
        var text = " " + Localized("仲裁", "adjudication")(L)
        if let d = a.selected { text += " · \(a.cursor.selected + 1)/\(a.disputes.count) · \(d.recordId)" }
        return text
    }
}
