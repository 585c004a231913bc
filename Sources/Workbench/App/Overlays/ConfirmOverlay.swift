import Model

/// Asks before a label replaces another reviewer's work (their label, or a record they hold):
/// `y` writes it (the history marks the override), any other key leaves theirs as it is.
final class ConfirmOverlay: Screen {
    let write: PendingWrite
    let reason: StoreError

    init(write: PendingWrite, reason: StoreError) {
        self.write = write
        self.reason = reason
    }

    var mode: Mode { .confirm }
    var isOverlay: Bool { true }

    static func question(_ why: StoreError) -> Localized {
        guard case .othersWork(let id, let who, let label, let holds) = why else { return Localized("\(why)", "\(why)") }
        let l = label.map { "\($0.glyph) \($0.chineseName)" } ?? "未标注"
        let en = label.map { "\($0.glyph) \($0.englishName)" } ?? "unlabelled"
        return holds
            ? Localized("记录 \(id) 正由 \(who) 审核中。按 y 仍然标注（记为覆盖），其他键取消",
                        "\(who) is on record \(id). Press y to label it anyway (kept as an override), any other key cancels")
            : Localized("记录 \(id) 已由 \(who) 标注为 \(l)。按 y 改为你的标注（记为覆盖），其他键取消",
                        "\(who) labelled record \(id) \(en). Press y to replace it (kept as an override), any other key cancels")
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        session.pop()
        guard command == .accept else {
            session.ctx.say(Localized("未修改，保留他人的标注", "Nothing changed: their work stays"))
            return .redraw
        }
        session.ctx.writes.confirm(write, at: session.ctx.clock())
        return [.persist, .redraw]
    }

    func type(_ character: Character, _ session: ReviewSession) -> Reaction? {
        handle(.cancel, session)
    }
}
