import Foundation
import Model

/// The one-line input (search, a note, the export's file, a knowledge entry's dates): Enter
/// does what its kind says, Esc keeps nothing.
final class PromptOverlay: Screen {
    var prompt: Prompt
    /// A search runs as it is typed (issue 16, point 12); Esc puts back the text it replaced.
    private var searchBefore: String??

    init(_ prompt: Prompt) { self.prompt = prompt }

    var mode: Mode { .prompt }
    var isOverlay: Bool { true }

    func type(_ character: Character, _ session: ReviewSession) -> Reaction? {
        guard prompt.input.type(character) else { return [] }
        return live(session)
    }

    /// The list follows the search as it is typed: each key replaces the running query.
    private func live(_ session: ReviewSession) -> Reaction {
        guard prompt.kind == .search else { return .redraw }
        if searchBefore == nil { searchBefore = .some(session.list.filter.text) }
        let t = prompt.input.text.trimmed
        session.list.filter.text = t.isEmpty ? nil : t
        return [.refilter, .redraw]
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        switch command {
        case .deleteBackward, .clearInput:
            _ = prompt.input.edit(command)
            return live(session)
        case .cancel:
            session.pop()
            if let before = searchBefore {
                session.list.filter.text = before
                return [.refilter, .redraw]
            }
            return .redraw
        case .accept:
            session.pop()
            return accept(session)
        default:
            return []
        }
    }

    private func accept(_ session: ReviewSession) -> Reaction {
        let ctx = session.ctx, text = prompt.input.text
        switch prompt.kind {
        case .search:
            let t = text.trimmed
            session.list.filter.text = t.isEmpty ? nil : t
            return [.refilter, .redraw]
        case .note(let id, let key):
            ctx.writes.queue(key, id, .note(text), at: ctx.clock())
            return [.persist, .redraw]
        case .export:
            let path = text.trimmed
            guard let format = ExportFormat(rawValue: (path as NSString).pathExtension.lowercased()) else {
                ctx.say(Localized("文件名须以 .xlsx、.csv 或 .jsonl 结尾", "the file name must end in .xlsx, .csv or .jsonl"), .error)
                session.push(self)  // keep what was typed
                return .redraw
            }
            // Never replaced without a word: an existing file is asked about first.
            if OutputFile.wouldReplace(path) {
                let confirm = ConfirmOverlay(.overwrite(path: path, format: format), question: ConfirmOverlay.overwriteQuestion(path))
                session.push(confirm)
                ctx.say(confirm.question, .warning)
                return .redraw
            }
            session.exportRequest = ExportRequest(path: path, format: format)
            return [.export, .redraw]
        case .assign:
            guard let shares = Shares.parse(text) else {
                ctx.say(Localized("写成 姓名:份额，空格分隔，如 李娜:2 王强:1", "write name:share, space-separated, e.g. 李娜:2 王强:1"), .error)
                session.push(self)
                return .redraw
            }
            let list = session.list
            do {
                let counts = try ctx.store.assign(list.filter, to: shares, by: ctx.reviewer, at: ctx.clock())
                let said = shares.map { "\($0.reviewer) \(counts[$0.reviewer] ?? 0)" }.joined(separator: "、")
                ctx.say(Localized("已分配 \(counts.values.reduce(0, +)) 条：\(said)", "Assigned \(counts.values.reduce(0, +)): \(said)"), .ok)
            } catch {
                ctx.failed(Localized("未分配", "Not assigned"), error)
            }
            return .redraw
        case .maskSpan(let id, let key):
            session.list.maskSpan(text, recordId: id, key: key)
            return .redraw
        case .sendBack(let id):
            session.topmost(AdjudicationScreen.self)?.sendBack(recordId: id, note: text, session)
            return .redraw
        case .region:
            guard let k = session.topmost(KnowledgeScreen.self) else { return .redraw }
            if !k.chooseRegion(text) { session.push(self) }  // keep what was typed
            return .redraw
        case .entryDates(let id):
            guard let k = session.topmost(KnowledgeScreen.self) else { return .redraw }
            if !k.saveDates(id: id, text: text, session) { session.push(self) }
            return .redraw
        }
    }
}
