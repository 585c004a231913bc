import Model

/// One question answered with one key: `y` does it, `n` or `Esc` leaves things as they are; any
/// other key leaves the question open and says it again.
/// Asked before a label replaces another reviewer's work (their label, or a record they hold;
/// the history marks the override) and before an export replaces an existing file.
final class ConfirmOverlay: Screen {
    enum Action {
        case override(PendingWrite)
        case overwrite(path: String, format: ExportFormat)
    }

    let action: Action
    let question: Localized

    init(_ action: Action, question: Localized) {
        self.action = action
        self.question = question
    }

    convenience init(write: PendingWrite, reason: StoreError) {
        self.init(.override(write), question: Self.question(reason))
    }

    var mode: Mode { .confirm }
    var isOverlay: Bool { true }

    static func question(_ why: StoreError) -> Localized {
        guard case .othersWork(let id, let who, let label, let holds) = why else { return Localized("\(why)", "\(why)") }
        let l = label.map { "\($0.glyph) \($0.chineseName)" } ?? "未标注"
        let en = label.map { "\($0.glyph) \($0.englishName)" } ?? "unlabelled"
        return holds
            ? Localized("记录 \(id) 正由 \(who) 审核中。按 y 仍然标注（记为覆盖），n 或 Esc 取消",
                        "\(who) is on record \(id). Press y to label it anyway (kept as an override), n or Esc cancels")
            : Localized("记录 \(id) 已由 \(who) 标注为 \(l)。按 y 改为你的标注（记为覆盖），n 或 Esc 取消",
                        "\(who) labelled record \(id) \(en). Press y to replace it (kept as an override), n or Esc cancels")
    }

    static func overwriteQuestion(_ path: String) -> Localized {
        let shown = VisibleText.singleLine(path)
        return Localized("文件 \(shown) 已存在。按 y 覆盖它（原文件将被替换），n 或 Esc 取消",
                         "\(shown) exists. Press y to overwrite it (the file will be replaced), n or Esc cancels")
    }

    /// A key other than yes or no came while the question was open: it is said again, never taken as no.
    private(set) var reminded = false

    /// The status line while the question is open.
    var statusText: Localized {
        reminded ? Localized("先回答：" + question.zh, "Answer first: " + question.en) : question
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        switch command {
        case .accept, .cancel: break
        case .help, .toggleLanguage, .quit: return nil
        default: return remind(session)
        }
        session.pop()
        defer { session.questionOnTop() }
        switch action {
        case .override(let write):
            guard command == .accept else {
                session.ctx.say(Localized("未修改，保留他人的标注", "Nothing changed: their work stays"))
                return .redraw
            }
            session.list.answered(write, replace: true)
            return [.persist, .redraw]
        case .overwrite(let path, let format):
            guard command == .accept else {
                session.ctx.say(Localized("未导出，原文件保持不变", "Not exported: the file is as it was"))
                return .redraw
            }
            session.exportRequest = ExportRequest(path: path, format: format, overwrite: true)
            return [.export, .redraw]
        }
    }

    /// Any other key (a label key among them) leaves the question open and says so (issue 32:
    /// label keys were taken as "no" and lost).
    func type(_ character: Character, _ session: ReviewSession) -> Reaction? {
        remind(session)
    }

    private func remind(_ session: ReviewSession) -> Reaction {
        reminded = true
        session.ctx.say(statusText, .warning)
        return .redraw
    }
}
