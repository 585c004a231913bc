import Foundation
import Model

/// What the review list's keys do: labels and reviews are queued for the write queue (`persist`
/// commits them before the next frame), moving, the detail pane, and opening the other screens.
extension ReviewListScreen {
    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        ctx.message = nil
        let writes = ctx.writes, now = ctx.clock()
        switch command {
        case .label(let l):
            // Others' latest work first, so the next record chosen is still free.
            session.syncOthers()
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            writes.queue(key, r.id, reviewMode ? .review(l) : .label(l), at: now)
            advance(after: selection)
            return [.persist, .redraw]
        case .clearLabel:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            writes.queue(key, r.id, .label(nil), at: now)
            return [.persist, .redraw]
        case .review:
            session.syncOthers()
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            writes.queue(key, r.id, .review(nil), at: now)
            advance(after: selection)
            return [.persist, .redraw]
        case .undo:
            guard let u = writes.popUndo() else { return [] }
            writes.queue(u.key, u.recordId, .restore(u.before, expecting: u.after), at: now, undoable: false)
            if let i = keys.firstIndex(of: u.key) { select(i) }
            return [.persist, .redraw]
        case .toggleReviewMode:
            reviewMode.toggle()
            ctx.say(reviewMode
                ? Localized("复核模式：1-4 复核为该标注，r 确认当前标注；跳到下一条未复核", "Review mode: 1-4 review as that label, r confirms; moves to the next unreviewed")
                : Localized("已退出复核模式", "Review mode off"))
        case .down, .up, .pageDown, .pageUp, .top, .bottom:
            if focusDetail {
                _ = detailScroll.move(command, count: detailLines.count, page: detailRows, step: detailRows - 1)
            } else {
                let before = cursor.selected
                _ = cursor.move(command, count: keys.count, step: listRows - 1, page: listRows)
                if cursor.selected != before { detailScroll = ScrollOffset() }
            }
        case .toggleFocus:
            detailShown = true
            focusDetail.toggle()
        case .toggleReading:
            reading.toggle()
            detailShown = true
            focusDetail = reading
            detailScroll = ScrollOffset()
        case .toggleDetail:
            detailShown.toggle()
            if !detailShown { focusDetail = false }
        case .search:
            session.push(PromptOverlay(Prompt(kind: .search, input: TextInput(filter.text ?? ""))))
        case .correctBusinessType:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            session.push(PickerOverlay(BusinessTypePicker(recordId: r.id, key: key, current: r.effectiveBusinessType.text,
                                                          taxonomy: ctx.reference.taxonomy)))
        case .editNote:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            session.push(PromptOverlay(Prompt(kind: .note(recordId: r.id, key: key), input: TextInput(r.note ?? ""))))
        case .maskSpan:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            session.push(PromptOverlay(Prompt(kind: .maskSpan(recordId: r.id, key: key), input: TextInput())))
        case .export:
            // An exports folder in the data directory (owner-only, made when first needed), and a
            // name that says what the file holds; the prompt shows the whole path to change.
            let name = filter.defaultExportName(format: .xlsx, today: ctx.clock())
            let folder = WorkbenchPaths.dataDirectory().appendingPathComponent("exports")
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            session.push(PromptOverlay(Prompt(kind: .export, input: TextInput(folder.appendingPathComponent(name).path))))
        case .refresh:
            return [.refilter, .redraw]
        case .openDashboard:
            session.push(DashboardScreen(list: self, session))
        case .openKnowledge:
            guard let k = KnowledgeScreen.open(session) else { return .redraw }
            session.push(k)
        case .matchKnowledge:
            guard let r = selectedRecord else { return [] }
            if let overlay = KnowledgeScreen.match(of: r, session) { session.push(overlay) }
        case .toggleMyTasks:
            filter.assignee = filter.assignee == nil ? ctx.reviewer : nil
            ctx.say(filter.assignee != nil ? Localized("我的任务：分配给你的记录", "My tasks: the records assigned to you")
                                           : Localized("全部记录", "All records"))
            return [.refilter, .redraw]
        case .assignFilter:
            session.push(PromptOverlay(Prompt(kind: .assign, input: TextInput())))
        case .openAdjudication:
            session.push(AdjudicationScreen(ctx))
        case .back:
            session.pop()
            return [.redraw]
        default:
            return nil
        }
        return .redraw
    }
}
