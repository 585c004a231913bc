import Model

/// The `?` screen, generated from the keymap: every mode, every key, what it does.
enum HelpView {
    static func lines(_ lang: Language) -> [(String, Role)] {
        var out: [(String, Role)] = []
        for mode in Mode.allCases {
            let bindings = Keymap.bindings.filter { $0.modes.contains(mode) }
            guard !bindings.isEmpty else { continue }
            // The list and the detail share one table: show it once.
            if mode == .detail { continue }
            let title = mode == .list ? Localized("记录列表与详情", "Record list and detail") : mode.title
            out.append(("", .normal))
            out.append((title(lang), .title))
            for b in bindings {
                let keys = b.keys.map(\.name).joined(separator: " ")
                out.append(("  " + DisplayWidth.truncate(keys, to: 14, pad: true) + "  " + b.help(lang), .normal))
            }
        }
        return out
    }

    static func draw(_ s: ReviewSession, _ r: Rect, _ c: inout Canvas) {
        let L = s.lang
        c.fill(x: r.x, y: r.y, width: r.width, height: r.height)
        c.fill(x: r.x, y: r.y, width: r.width, height: 1, role: .header)
        if let o = s.overlay {
            c.text(" " + o.title(L), x: r.x, y: r.y, role: .header, maxWidth: r.width)
            // Long lines wrap: an answer is read in full here.
            let wrapped = o.lines.flatMap { line in
                DisplayWidth.wrap(line.0, width: max(1, r.width - 2)).map { ($0, line.1) }
            }
            scrolled(s, wrapped, r, &c)
            return
        }
        c.text(" " + Localized("帮助：全部按键（Esc 关闭，j/k 滚动）", "Help: every key (Esc closes, j/k scroll)")(L),
               x: r.x, y: r.y, role: .header, maxWidth: r.width)
        var all = lines(L)
        all.append(("", .normal))
        all.append((Localized("标注：1 业务缺失 ∅ · 2 理解错误 ✗ · 3 回答正确 ✓ · 4 非人社职能 ⊘ · ✔ 已复核 · ⟳ 保存中",
                              "Labels: 1 missing ∅ · 2 misunderstood ✗ · 3 correct ✓ · 4 out of scope ⊘ · ✔ reviewed · ⟳ saving")(L), .dim))
        all.append((Localized("准确率 = 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确)；n < 20 时灰显",
                              "Accuracy = correct ÷ (missing + misunderstood + correct); dimmed when n < 20")(L), .dim))
        scrolled(s, all, r, &c)
    }

    static func scrolled(_ s: ReviewSession, _ all: [(String, Role)], _ r: Rect, _ c: inout Canvas) {
        let rows = r.height - 1
        s.helpScroll = max(0, min(s.helpScroll, all.count - rows))
        for i in 0..<rows {
            let n = s.helpScroll + i
            guard n < all.count else { break }
            c.text(all[n].0, x: r.x + 1, y: r.y + 1 + i, role: all[n].1, maxWidth: r.width - 2)
        }
    }
}
