import Model

/// The `?` screen (every mode, every key, from the keymap) or a text shown over the screen (a
/// record's knowledge match): scrolled with j/k, closed with Esc.
final class HelpOverlay: Screen {
    /// nil: the keys.
    let content: (title: Localized, lines: [(String, Role)])?
    var scroll = ScrollOffset()
    // Set by `prepare` for the screen's size.
    private(set) var lines: [(String, Role)] = []
    private(set) var page = 10
    private var preparedFor: (width: Int, lang: Language)?

    init(content: (title: Localized, lines: [(String, Role)])? = nil) { self.content = content }

    var mode: Mode { .help }
    var isOverlay: Bool { true }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        if scroll.move(command, count: lines.count, page: page, step: 10) { return .redraw }
        guard command == .cancel else { return [] }
        session.pop()
        return .redraw
    }

    /// Wraps the text for the width (once per width and language) and keeps the scroll inside it.
    func prepare(_ r: Rect, lang: Language) {
        page = max(1, r.height - 1)
        if preparedFor?.width != r.width || preparedFor?.lang != lang {
            preparedFor = (r.width, lang)
            if let content {
                // Long lines wrap: an answer is read in full here.
                lines = content.lines.flatMap { line in DisplayWidth.wrap(line.0, width: max(1, r.width - 2)).map { ($0, line.1) } }
            } else {
                lines = HelpView.keyLines(lang, width: max(1, r.width - 2))
            }
        }
        scroll.clamp(count: lines.count, page: page)
    }
}

enum HelpView {
    /// `width`: the help's lines wrap there, a key's text under its text, not under its keys
    /// (issue 32: lines were cut at 80 columns).
    static func lines(_ lang: Language, width: Int = .max) -> [(String, Role)] {
        var out: [(String, Role)] = []
        for mode in Mode.allCases {
            let bindings = Keymap.bindings(in: mode)
            guard !bindings.isEmpty else { continue }
            // The list and the detail share one table: show it once.
            if mode == .detail { continue }
            let title = mode == .list ? Localized("记录列表与详情", "Record list and detail") : mode.title
            out.append(("", .normal))
            out.append((title(lang), .title))
            for b in bindings {
                let keys = b.keys.map(\.name).joined(separator: " ")
                let lead = "  " + DisplayWidth.truncate(keys, to: 14, pad: true) + "  ", indent = DisplayWidth.of(lead)
                let parts = width == .max ? [b.help(lang)] : DisplayWidth.wrap(b.help(lang), width: max(10, width - indent))
                for (i, part) in parts.enumerated() {
                    out.append(((i == 0 ? lead : String(repeating: " ", count: indent)) + part, .normal))
                }
            }
        }
        return out
    }

    /// Every key, then what the glyphs and the accuracy mean.
    static func keyLines(_ lang: Language, width: Int = .max) -> [(String, Role)] {
        var all = lines(lang, width: width)
        all.append(("", .normal))
        all.append((Localized("标注：1 业务缺失 ∅ · 2 理解错误 ✗ · 3 回答正确 ✓ · 4 非人社职能 ⊘ · ✔ 已复核 · ⟳ 保存中",
                              "Labels: 1 missing KB ∅ · 2 misread ✗ · 3 correct ✓ · 4 off-scope ⊘ · ✔ reviewed · ⟳ saving")(lang), .dim))
        all.append((Localized("准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；n < 20 时灰显",
                              "Accuracy = correct ÷ (missing KB + misread + correct); dimmed when n < 20")(lang), .dim))
        // Short lines: the overlay cuts at its width (76 columns at 80×24).
        for (zh, en) in [
            ("@姓名（灰）：另一位审核员正在看这条，下一条会跳过它", "@name (dim): another reviewer is on it; next skips it"),
            ("改别人的标注或别人手上的记录：先问，按 y 才写（记为覆盖）", "Others' labels or records: asked first, y writes (an override)"),
            ("双评1/2：盲评样本已有一人标注（看不到是什么）", "双评1/2: a blind-sample record with one label in (hidden)"),
            ("标注后先到等第二人标注的样本，再回到原处", "After a label such records come first, then back to your place"),
            ("搜索：词须全部出现 · -词 排除 · \"短语\" · 问:词 / 答:词 只搜问或答", "Search: all words · -word excludes · \"a phrase\" · 问:/答: one side"),
            ("搜到的词加粗下划线标出；搜索在后台进行，按键照常", "Found words are marked; searches run while you keep working"),
        ] {
            all.append((Localized(zh, en)(lang), .dim))
        }
        guard width != .max else { return all }
        return all.flatMap { line in
            line.0.isEmpty ? [line] : DisplayWidth.wrap(line.0, width: width).map { ($0, line.1) }
        }
    }

    static func draw(_ h: HelpOverlay, lang L: Language, _ r: Rect, _ c: inout Canvas) {
        c.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .header)
        let title = h.content?.title ?? Localized("帮助：全部按键（Esc 关闭，j/k 滚动）", "Help: every key (Esc closes, j/k scroll)")
        c.text(" " + title(L), x: r.x, y: r.y, role: .header, maxWidth: r.width)
        for i in 0..<(r.height - 1) {
            let n = h.scroll.line + i
            guard n < h.lines.count else { break }
            c.text(h.lines[n].0, x: r.x + 1, y: r.y + 1 + i, role: h.lines[n].1, maxWidth: r.width - 2)
        }
    }
}
