import Model

/// The selected record in full: its facts, the whole question and the whole answer, wrapped to
/// the pane and scrolled by line. Text goes through `VisibleText` (the function exports use), so
/// control characters show as escapes and never reach the terminal.
enum DetailView {
    struct Line: Equatable {
        let text: String
        let role: Role
        /// The question's or the answer's lines (where a search's words are marked).
        var source: TextQuery.Field? = nil
        /// Phrases the answer marks bold (`**…**`), drawn bold where they are whole on the line.
        var bold: [String] = []
    }

    /// `sample`: the record is in the blind double review (what this reviewer may know of it).
    /// `bot`: what the bot answered from, in the knowledge base's terms (nil: no 命中知识 id, or no
    /// knowledge base).
    static func lines(_ rec: InteractionRecord, width: Int, lang L: Language, ambiguousWide: Bool, sample: SampleState? = nil,
                      reading: Bool = false, bot: BotKnowledgeLink? = nil) -> [Line]
    {
        if reading { return readingLines(rec, width: width, lang: L, ambiguousWide: ambiguousWide, sample: sample, bot: bot) }
        var out: [Line] = []
        // `shown` is text already made visible (RecordText); facts are escaped here.
        func add(_ text: String, _ role: Role = .normal, shown: Bool = false, source: TextQuery.Field? = nil, bold: [String] = []) {
            for l in DisplayWidth.wrap(shown ? text : VisibleText.escapeControls(text), width: width, ambiguousWide: ambiguousWide) {
                out.append(Line(text: l, role: role, source: source, bold: bold))
            }
        }
        // What a reviewer judges comes first (issue 32: at 80×24 the answer was below the fold):
        // the label in a line, what needs attention, the question, the answer; the record's facts
        // follow the answer (Tab to scroll there; the list row shows time, organisation and type).
        out.append(contentsOf: DisplayWidth.wrap(VisibleText.singleLine(labelLine(rec, L, full: false)), width: width, ambiguousWide: ambiguousWide)
            .map { Line(text: $0, role: rec.label.map(Role.of) ?? .dim) })
        if let s = sample, rec.label == nil {
            let mine = s.mine.map { "\($0.glyph) \($0.name(L))" } ?? Localized("未标", "not yet")(L)
            add(s.disputed
                ? Localized("双评样本：两人标注不一致，待主管仲裁", "Double review: the two labels differ; waiting for a supervisor")(L)
                : Localized("双评样本（盲评）：已有 \(s.votes)/2 人标注，对方的标注在两人都标注前不显示 · 你的标注：\(mine)",
                            "Double review (blind): \(s.votes)/2 labels in; the other's stays hidden until both are in · yours: \(mine)")(L),
                .warning)
        }
        if let n = rec.note { add(Localized("备注", "Note")(L) + ": " + n, .warning) }
        if let bot, let c = L == .zh ? bot.concernText : bot.englishConcernText { add("⚠ " + c, .warning) }
        add(Localized("问：", "Q: ")(L) + RecordText.question(rec), .title, shown: true, source: .question)
        answerLines(rec, L, add)
        out.append(Line(text: "", role: .normal))
        add("── " + Localized("记录信息", "Record")(L) + " ──", .dim)
        var facts = "\(Localized("记录", "Record")(L)) \(rec.id) · \(ShanghaiTime.format(rec.askedAt)) · \(rec.org)"
        if let ch = rec.channel { facts += " · \(ch)" }
        if let sid = rec.sessionId { facts += " · \(Localized("会话", "session")(L)) \(sid)" + (rec.turn.map { "#\($0)" } ?? "") }
        add(facts, .dim)
        var biz = Localized("业务类型", "Business type")(L) + " " + (rec.businessType.text.nonEmpty ?? "—")
        if let corrected = rec.correctedBusinessType {
            biz += " → " + Localized("人工修正", "corrected")(L) + " " + corrected.text
        }
        add(biz, .dim)
        var kb: [String] = []
        if let k = rec.knowledgeId { kb.append(Localized("命中知识", "knowledge")(L) + " \(k)") }
        if let q = rec.standardQuestion { kb.append(Localized("标准问", "standard question")(L) + " \(q)") }
        if let f = rec.fallback { kb.append(Localized("兜底", "fallback")(L) + " " + (f ? Localized("是", "yes")(L) : Localized("否", "no")(L))) }
        if let sat = rec.satisfaction { kb.append(Localized("满意度", "satisfaction")(L) + " \(sat)") }
        if !kb.isEmpty { add(kb.joined(separator: " · "), .dim) }
        if let bot { add(L == .zh ? bot.text : bot.englishText, .dim) }
        if rec.label != nil { add(labelLine(rec, L, full: true), .dim) }
        return out
    }

    /// `✗ 理解错误 · 已标注 · 周婷` (with the times and the second reviewer when `full`), or 未标注.
    static func labelLine(_ rec: InteractionRecord, _ L: Language, full: Bool) -> String {
        guard let l = rec.label else { return "· " + Localized("未标注", "unlabelled")(L) }
        var label = "\(l.glyph) \(l.name(L)) · \(rec.status.name(L))"
        if let who = rec.reviewer { label += " · \(who)" + (full ? (rec.labeledAt.map { " " + ShanghaiTime.format($0) } ?? "") : "") }
        if let by = rec.reviewedBy {
            label += " · " + Localized("复核", "reviewed by")(L) + " \(by)" + (full ? (rec.reviewedAt.map { " " + ShanghaiTime.format($0) } ?? "") : "")
        }
        return label
    }

    /// The answer's title and its text, its simple Markdown read (`**…**` bold, `<br>` a line
    /// break, `- ` a bullet); the characters counted are the stored ones.
    static func answerLines(_ rec: InteractionRecord, _ L: Language,
                            _ add: (String, Role, Bool, TextQuery.Field?, [String]) -> Void) {
        let answer = RecordText.answer(rec)
        add("── " + Localized("问答结果", "Answer")(L) + " (\(grouped(RecordText.count(answer))) " + Localized("字", "characters")(L) + ") ──",
            .dim, false, nil, [])
        let markup = AnswerMarkup(answer)
        add(markup.text, .normal, true, .answer, markup.bold)
    }

    /// The reading mode's lines: what the record is in one line (two when narrow), its label,
    /// then the question and the whole answer — the text a reviewer judges, nearly all the screen.
    /// The link in the reader's language: the entry (dim) and the concern (a warning), if any.
    static func botLines(_ bot: BotKnowledgeLink, _ L: Language) -> [(String, Role)] {
        var out: [(String, Role)] = [(L == .zh ? bot.text : bot.englishText, .dim)]
        if let c = L == .zh ? bot.concernText : bot.englishConcernText { out.append(("⚠ " + c, .warning)) }
        return out
    }

    static func readingLines(_ rec: InteractionRecord, width: Int, lang L: Language, ambiguousWide: Bool, sample: SampleState?,
                             bot: BotKnowledgeLink?) -> [Line] {
        var out: [Line] = []
        func add(_ text: String, _ role: Role, shown: Bool = false, source: TextQuery.Field? = nil, bold: [String] = []) {
            for l in DisplayWidth.wrap(shown ? text : VisibleText.escapeControls(text), width: width, ambiguousWide: ambiguousWide) {
                out.append(Line(text: l, role: role, source: source, bold: bold))
            }
        }
        var facts = "\(ShanghaiTime.format(rec.askedAt).prefix(16)) · \(rec.org) · " + (rec.effectiveBusinessType.text.nonEmpty ?? "—")
        if let k = rec.knowledgeId { facts += " · \(k)" }
        if rec.fallback == true { facts += " · " + Localized("兜底", "fallback")(L) }
        var label = rec.label.map { "\($0.glyph) \($0.name(L)) · \(rec.status.name(L))" + (rec.reviewer.map { " · \($0)" } ?? "") }
            ?? Localized("未标注", "unlabelled")(L)
        if let s = sample, rec.label == nil { label += " · " + Localized("双评 \(s.votes)/2", "double review \(s.votes)/2")(L) }
        if let n = rec.note { label += " · " + Localized("备注", "note")(L) + ": " + n }
        add(VisibleText.singleLine(facts), .dim)
        out.append(contentsOf: DisplayWidth.wrap(VisibleText.singleLine(label), width: width, ambiguousWide: ambiguousWide)
            .map { Line(text: $0, role: rec.label.map(Role.of) ?? .dim) })
        // Reading mode keeps to the text: only the concern, not the link itself.
        if let bot, let c = L == .zh ? bot.concernText : bot.englishConcernText { add("⚠ " + c, .warning) }
        add(Localized("问：", "Q: ")(L) + RecordText.question(rec), .title, shown: true, source: .question)
        answerLines(rec, L) { add($0, $1, shown: $2, source: $3, bold: $4) }
        return out
    }

    static func draw(_ ctx: AppContext, _ s: ReviewListScreen, onTop: Bool, _ r: Rect, _ c: inout Canvas) {
        guard r.height > 1 else { return }
        let L = ctx.lang
        let focused = onTop && s.focusDetail
        let titleRole: Role = focused ? .focusTitle : .title
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: titleRole)
        guard s.selectedKey.flatMap(s.row) != nil else {
            c.text(" " + Localized("详情", "Detail")(L), x: r.x, y: r.y, role: titleRole, maxWidth: r.width)
            return
        }
        // Wrapped by `ReviewListScreen.prepare` for this pane; here only sliced.
        let lines = s.detailLines
        let visible = r.height - 1
        let top = s.detailScroll.line
        let position = lines.count > visible
            ? "  " + Localized("行", "lines")(L) + " \(top + 1)-\(min(lines.count, top + visible))/\(lines.count)"
            : ""
        let hint = focused ? Localized("  (j/k 滚动, Tab 回列表)", "  (j/k scroll, Tab back to list)")(L)
                           : Localized("  (Tab 进入详情滚动)", "  (Tab to scroll here)")(L)
        c.text(" " + Localized("详情", "Detail")(L) + position + hint, x: r.x, y: r.y, role: titleRole, maxWidth: r.width)
        let required = s.filter.textQuery.required
        for i in 0..<visible {
            let n = top + i
            guard n < lines.count else { break }
            c.text(lines[n].text, x: r.x + 1, y: r.y + 1 + i, role: lines[n].role, maxWidth: r.width - 2)
            if !lines[n].bold.isEmpty {
                c.highlight(lines[n].text, terms: lines[n].bold, x: r.x + 1, y: r.y + 1 + i, maxWidth: r.width - 2, role: .strong)
            }
            // A search's words, in the text they were asked of (a word wrapped across two lines
            // is not marked).
            if let source = lines[n].source {
                let words = required.filter { $0.field == .any || $0.field == source }.map(\.text)
                c.highlight(lines[n].text, terms: words, x: r.x + 1, y: r.y + 1 + i, maxWidth: r.width - 2)
            }
        }
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
