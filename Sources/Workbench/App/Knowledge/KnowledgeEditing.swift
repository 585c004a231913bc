import Foundation
import Model

/// Edits in $EDITOR: `e` on an entry, `n` for a new one (from a gap: region and question filled
/// in). A refused edit keeps the user's text (`AppContext.keptEdits`) for the next try.
extension KnowledgeScreen {
    /// `n`: a blank draft, or in the gaps view one drafted from the selected gap.
    func newEntryEdit() -> PendingEntryEdit {
        if let kept = ctx.keptEdits[""] {
            return PendingEntryEdit(entry: blankEntry(), startingText: kept.text, notes: kept.reasons)
        }
        var e = blankEntry()
        if state.view == .gaps, let gaps = state.gaps, gaps.indices.contains(state.selected) {
            let g = gaps[state.selected]
            e.region = g.region
            e.standardQuestion = g.wording
            e.topic = g.wording
            e.biz1 = g.biz1
            e.biz2 = g.biz2
        }
        return PendingEntryEdit(entry: e, startingText: nil, notes: [])
    }

    func blankEntry() -> KnowledgeEntry {
        KnowledgeEntry(topic: "", region: ctx.reference.organisations.cityWideRegion, standardQuestion: "", answer: "",
                       effectiveFrom: ctx.today, state: .draft)
    }

    /// Runs the editor (the app has handed it the terminal): saved, or refused with the reasons
    /// and the text kept for the next `e`/`n`.
    func runEdit(_ edit: PendingEntryEdit, _ session: ReviewSession) {
        guard let kb = ctx.knowledgeBase else { return }
        let key = edit.entry.id
        do {
            switch try kb.editRound(edit.entry, startingText: edit.startingText, notes: edit.notes, by: ctx.reviewer,
                                    at: ctx.clock(), editor: ctx.editorCommand) {
            case .saved(let e):
                ctx.keptEdits[key] = nil
                // A new entry opens once saved; an edited one stays open if it was.
                reload(open: state.openEntry != nil || key.isEmpty ? e.id : nil)
                ctx.say(Localized("已保存 \(e.id) 版本 \(e.version)", "Saved \(e.id) version \(e.version)"), .ok)
            case .unchanged:
                ctx.keptEdits[key] = nil
                ctx.say(Localized("没有改动，未生成新版本", "Unchanged: no new version"))
            case .cancelled:
                ctx.keptEdits[key] = nil
                ctx.say(Localized("文件已清空，放弃编辑", "Emptied: edit cancelled"))
            case .invalid(let reasons, let text):
                ctx.keptEdits[key] = (text, reasons)
                let file = ExternalEditor.keep(text, name: key.isEmpty ? "新条目" : key)
                let again = key.isEmpty ? "n" : "e"
                ctx.say(Localized("未保存：\(reasons.joined(separator: "；"))。你写的内容已保留，按 \(again) 继续编辑\(file.map { "（副本：\($0)）" } ?? "")",
                                  "Not saved: \(reasons.joined(separator: "; ")). Your text is kept: press \(again) to go on\(file.map { " (copy: \($0))" } ?? "")"),
                        .error)
            }
        } catch {
            ctx.failed(Localized("编辑失败", "Edit failed"), error)
        }
    }
}
