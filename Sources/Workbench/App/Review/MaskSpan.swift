import Model

/// `x` on a record (issue 18): personal data the masking rules missed, masked by the reviewer.
extension ReviewListScreen {
    /// Masks every place `text` occurs in the record's question and answer, committed at once
    /// (the history row says how many places, never the text); the row is read again.
    func maskSpan(_ text: String, recordId: String, key: RecordKey) {
        let needle = text.trimmed
        guard !needle.isEmpty else { return }
        do {
            guard let r = try ctx.store.records(keys: [key])[key] else { return }
            let q = Masking.mask(needle, in: r.question), a = Masking.mask(needle, in: r.answer)
            guard q.count + a.count > 0 else {
                ctx.say(Localized("本条问题与回答中没有「\(VisibleText.singleLine(needle))」", "「\(VisibleText.singleLine(needle))」 is not in this record's question or answer"), .error)
                return
            }
            let what = [("用户问题", q.count), ("问答结果", a.count)].filter { $0.1 > 0 }.map { "\($0.0) \($0.1) 处" }.joined(separator: "、")
            try ctx.store.replaceTexts([MaskedText(key: key, recordId: recordId, question: q.text, answer: a.text, what: "审核员遮盖：" + what)],
                                       reviewer: ctx.reviewer, at: ctx.clock())
            if let fresh = try ctx.store.records(keys: [key])[key] { replaceRow(key, fresh) }
            ctx.say(Localized("已遮盖 \(q.count + a.count) 处（\(what)）", "Masked \(q.count + a.count) place(s)"), .ok)
        } catch {
            ctx.failed(Localized("未遮盖", "Not masked"), error)
        }
    }
}
