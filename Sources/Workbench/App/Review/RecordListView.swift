import Model

/// The record list: time, organisation, business type, label glyph and name, question. Columns
/// give way on narrow terminals (business type first); the selected row is reversed and marked
/// with `>`, so it shows in monochrome too.
enum RecordListView {
    struct Columns: Equatable {
        let time: Int, org: Int, biz: Int, label: Int
        init(width: Int) {
            time = 11
            org = 8
            // Business type gives way first, then the label's name (its glyph stays).
            biz = width >= 100 ? 24 : (width >= 76 ? 12 : 0)
            label = width >= 66 ? 12 : 3
        }
    }

    /// `onTop`: no overlay is open over the list (the focused pane's title is highlighted).
    static func draw(_ ctx: AppContext, _ s: ReviewListScreen, onTop: Bool, _ r: Rect, _ c: inout Canvas) {
        guard r.height > 0 else { return }
        let L = ctx.lang
        let cols = Columns(width: r.width)
        let focused = onTop && !s.focusDetail
        // Column titles.
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: focused ? .focusTitle : .title)
        var x = r.x + 2
        func title(_ t: Localized, _ w: Int) {
            guard w > 0 else { return }
            c.text(DisplayWidth.truncate(t(L), to: w), x: x, y: r.y, role: focused ? .focusTitle : .title, maxWidth: w)
            x += w + 1
        }
        title(Localized("时间", "Time"), cols.time)
        title(Localized("机构", "Org"), cols.org)
        title(Localized("业务类型", "Business type"), cols.biz)
        title(Localized("标注", "Label"), cols.label)
        title(Localized("用户问题", "Question"), max(0, r.x + r.width - x))

        if s.keys.isEmpty {
            c.text(Localized("（没有符合筛选条件的记录；按 f 修改筛选）", "(no record matches the filter; press f to change it)")(L),
                   x: r.x + 2, y: r.y + 1, role: .dim, maxWidth: r.width - 2)
            return
        }
        // The search's words in the question column (kept on the selected row too).
        let highlights = s.filter.textQuery.required.filter { $0.field != .answer }.map(\.text)
        let rows = r.height - 1
        for i in 0..<rows {
            let index = s.cursor.top + i
            guard index < s.keys.count else { break }
            let y = r.y + 1 + i
            let key = s.keys[index]
            let selected = index == s.selection
            if let rec = s.row(key) {
                drawRow(rec, pending: ctx.writes.isPending(key), heldBy: s.leases[key]?.reviewer, sample: s.samples[key],
                        cols: cols, x: r.x, y: y, width: r.width, lang: L, highlight: highlights, &c)
            } else {
                c.text(Localized("（记录已不存在）", "(record no longer exists)")(L), x: r.x + 2, y: y, role: .dim, maxWidth: r.width - 2)
            }
            if selected {
                c.restyle(x: r.x, y: y, width: r.width, role: .selected, except: .match)
                c.put(">", x: r.x, y: y, role: .selected)
            }
        }
    }

    /// The status line's own text: where the focus is, which record of how many.
    static func status(_ s: ReviewListScreen, lang L: Language) -> String {
        let where_ = s.focusDetail ? Localized("焦点：详情", "focus: detail") : Localized("焦点：列表", "focus: list")
        var text = " " + where_(L)
        if let key = s.selectedKey, let rec = s.row(key) {
            text += " · \(s.selection + 1)/\(grouped(s.keys.count)) · \(rec.id)"
            if let l = s.leases[key] {
                let since = String(ShanghaiTime.format(l.since).suffix(8).prefix(5))
                text += Localized(" · \(l.reviewer) 审核中（自 \(since)）", " · \(l.reviewer) is on it (since \(since))")(L)
            }
        }
        return text
    }

    /// `heldBy`: another reviewer is on it (their lease): the row is dimmed and says who.
    static func drawRow(_ rec: InteractionRecord, pending: Bool, heldBy: String? = nil, sample: SampleState? = nil,
                        cols: Columns, x x0: Int, y: Int, width: Int, lang L: Language, highlight: [String] = [],
                        _ c: inout Canvas) {
        var x = x0 + 2
        func cell(_ text: String, _ w: Int, _ role: Role = .normal) {
            guard w > 0 else { return }
            c.text(DisplayWidth.truncate(VisibleText.singleLine(text), to: w), x: x, y: y, role: role, maxWidth: w)
            x += w + 1
        }
        let t = ShanghaiTime.format(rec.askedAt)  // yyyy-MM-dd HH:mm:ss
        cell(String(t.dropFirst(5).prefix(11)), cols.time, .dim)
        cell(rec.org, cols.org)
        if cols.biz > 0 {
            let biz = cols.biz >= 20 ? rec.effectiveBusinessType.text : (rec.effectiveBiz1 ?? "")
            cell((rec.correctedBiz1 != nil ? "*" : "") + biz, cols.biz, .dim)
        }
        // Label: glyph (+ name when there is room); pending writes show ⟳ until committed.
        let labelRole: Role = rec.label.map(Role.of) ?? .dim
        if pending {
            cell(cols.label > 3 ? "⟳ " + Localized("保存中", "saving")(L) : "⟳", cols.label, .warning)
        } else if let who = heldBy, rec.label == nil {
            cell(cols.label > 3 ? "@" + who : "@", cols.label, .dim)
        } else if let s = sample, rec.label == nil {
            // Blind: never the other reviewer's label, only how many are in (and one's own).
            let text = s.disputed ? Localized("双评待仲裁", "disputed")(L)
                : s.mine.map { "\($0.glyph) " + Localized("双评\(s.votes)/2", "2x \(s.votes)/2")(L) }
                ?? Localized("双评\(s.votes)/2", "2x \(s.votes)/2")(L)
            cell(cols.label > 3 ? text : (s.disputed ? "!" : "2"), cols.label, s.disputed ? .warning : .dim)
        } else if let l = rec.label {
            // 已复核 said in words where they fit (issue 32: ✓✔ ran together), never cut off.
            if rec.status == .reviewed {
                let short = FooterView.shortName(l, L), word = Localized("复核", "rev")(L)
                let text = ["\(l.glyph) \(l.name(L)) ✔\(word)", "\(l.glyph) \(short) ✔\(word)", "\(l.glyph) \(short)✔", "\(l.glyph)✔"]
                    .first { DisplayWidth.of($0) <= cols.label } ?? "\(l.glyph)"
                cell(text, cols.label, labelRole)
            } else {
                cell(cols.label > 3 ? "\(l.glyph) \(l.name(L))" : "\(l.glyph)", cols.label, labelRole)
            }
        } else {
            cell(cols.label > 3 ? "· " + Localized("未标注", "—")(L) : "·", cols.label, .dim)
        }
        let questionX = x, questionWidth = max(0, x0 + width - x)
        cell(rec.question, questionWidth, heldBy != nil ? .dim : .normal)
        if !highlight.isEmpty, questionWidth > 0 {
            c.highlight(DisplayWidth.truncate(VisibleText.singleLine(rec.question), to: questionWidth), terms: highlight,
                        x: questionX, y: y, maxWidth: questionWidth)
        }
    }
}
