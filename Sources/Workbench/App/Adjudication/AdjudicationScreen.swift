import Foundation
import Model

/// The supervisor's adjudication queue: double-review records whose two blind labels differ,
/// oldest first, side by side; `1`–`4` decides (the record takes that label, 已复核 by the
/// supervisor; both original labels stay in the history), `b` sends it back to both reviewers
/// with a note. Its drawing is in AdjudicationView.swift.
final class AdjudicationScreen: Screen {
    let ctx: AppContext
    private(set) var disputes: [Dispute] = []
    private(set) var records: [RecordKey: InteractionRecord] = [:]
    var cursor = ListCursor()
    /// Rows the list shows, and the selected record's lines wrapped for the width (set by `prepare`).
    private(set) var listRows = 10
    private(set) var detailLines: [(String, Role)] = []
    private var detailFor: (key: RecordKey, width: Int, lang: Language, votes: Int)?
    /// The record's text scrolls (Tab gives it the keys; issue 32: the answer could not be read
    /// to its end at 80×24).
    var detailScroll = ScrollOffset()
    var focusDetail = false
    private(set) var detailRows = 5
    static let limit = 1000

    init(_ ctx: AppContext) {
        self.ctx = ctx
        reload()
    }

    var mode: Mode { .adjudication }
    var selected: Dispute? { disputes.indices.contains(cursor.selected) ? disputes[cursor.selected] : nil }

    func reload() {
        do {
            disputes = try ctx.store.disputes(limit: Self.limit)
            records = try ctx.store.records(keys: disputes.map(\.key))
            detailFor = nil
            ctx.disputes = try ctx.store.disputeCount()
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
        cursor.clamp(count: disputes.count, page: listRows)
    }

    func prepare(width: Int, height: Int) {
        listRows = AdjudicationView.listHeight(height: height)
        detailRows = max(1, height - 2 - (3 + listRows) - 1)
        cursor.clamp(count: disputes.count, page: listRows)
        guard let d = selected, let r = records[d.key] else {
            detailLines = []
            detailFor = nil
            return
        }
        let key = (d.key, width, ctx.lang, d.votes.count)
        if detailFor.map({ $0 != key }) ?? true {
            detailLines = AdjudicationView.detailLines(d, r, lang: ctx.lang).flatMap { l in
                DisplayWidth.wrap(l.0, width: max(1, width - 2), ambiguousWide: ctx.ambiguousWide).map { ($0, l.1) }
            }
            detailFor = key
            detailScroll = ScrollOffset()
        }
        detailScroll.clamp(count: detailLines.count, page: detailRows)
    }

    func unavailable(_ r: Requirement) -> Localized? {
        guard r == .record, selected == nil else { return nil }
        return Localized("没有待仲裁的记录", "nothing waits for a decision")
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        ctx.message = nil
        if focusDetail {
            if detailScroll.move(command, count: detailLines.count, page: detailRows, step: max(1, detailRows - 1)) { return .redraw }
        } else if cursor.move(command, count: disputes.count, step: max(1, listRows - 1), page: listRows) {
            return .redraw
        }
        switch command {
        case .toggleFocus:
            focusDetail.toggle()
        case .label(let l):
            guard let d = selected else { return [] }
            do {
                try ctx.store.adjudicate(recordId: d.recordId, label: l, by: ctx.reviewer, at: ctx.clock())
                ctx.say(Localized("已仲裁 \(d.recordId)：\(l.glyph) \(l.chineseName)", "Decided \(d.recordId): \(l.glyph) \(l.englishName)"), .ok)
            } catch {
                ctx.failed(Localized("未保存", "Not saved"), error)
            }
            session.ownWriteDone()
            reload()
        case .sendBack:
            guard let d = selected else { return [] }
            session.push(PromptOverlay(Prompt(kind: .sendBack(recordId: d.recordId), input: TextInput())))
        case .refresh:
            reload()
        case .cancel:
            session.pop()
        default:
            return nil
        }
        return .redraw
    }

    /// The prompt's note: both labels withdrawn, the record back in both reviewers' lists.
    func sendBack(recordId: String, note: String, _ session: ReviewSession) {
        do {
            try ctx.store.sendBack(recordId: recordId, note: note, by: ctx.reviewer, at: ctx.clock())
            ctx.say(Localized("已退回 \(recordId)：两位审核员的标注已撤回，备注已写入", "Sent \(recordId) back to both reviewers"), .ok)
        } catch {
            ctx.failed(Localized("未保存", "Not saved"), error)
        }
        session.ownWriteDone()
        reload()
    }
}
