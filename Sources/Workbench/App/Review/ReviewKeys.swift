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
            let op: PendingWrite.Op = reviewMode ? .review(l) : .label(l)
            // Another reviewer's label or lease: asked here, on this record, before anything is
            // queued or the selection moves (issue 32: the key used to move on and ask after).
            if !reviewMode, let why = othersWork(key, r) {
                session.ask(ConfirmOverlay(write: PendingWrite(key: key, recordId: r.id, op: op, at: now, undoable: true), reason: why))
                return .redraw
            }
            writes.queue(key, r.id, op, at: now)
            advance(after: selection)
            return [.persist, .redraw]
        case .clearLabel:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            if let why = othersWork(key, r) {
                session.ask(ConfirmOverlay(write: PendingWrite(key: key, recordId: r.id, op: .label(nil), at: now, undoable: true), reason: why))
                return .redraw
            }
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
            let assigned = (try? session.hasOpenAssignment()) ?? false
            setTodo(!todo, hasAssignment: assigned)
            ctx.say(!todo ? Localized("全部记录（T 回到待办）", "All records (T: back to your work)")
                          : assigned ? Localized("待办：分配给你的记录（T 看全部）", "To do: the records assigned to you (T: all)")
                                     : Localized("待办：未标注且无人在审的记录，等你第二评的优先（T 看全部）",
                                                 "To do: unlabelled records nobody else is on, second votes first (T: all)"))
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

    /// Why a label here needs the reviewer's yes first, as the store would refuse it: another
    /// reviewer labelled it, or holds it now (as last read).
    func othersWork(_ key: RecordKey, _ r: InteractionRecord) -> StoreError? {
        if let lease = leases[key] { return .othersWork(r.id, reviewer: lease.reviewer, label: r.label, holds: true) }
        if let who = ReviewRules.theirs(r, reviewer: ctx.reviewer) { return .othersWork(r.id, reviewer: who, label: r.label, holds: false) }
        return nil
    }

    /// The question about this write was answered: with yes the label is queued and the list
    /// goes on to the next record to do; with no the selection stays where it is.
    func answered(_ w: PendingWrite, replace: Bool) {
        guard replace else { return }
        ctx.writes.confirm(w, at: ctx.clock())
        if case .label(let l) = w.op, l != nil, let i = keys.firstIndex(of: w.key) { advance(after: i) }
    }
}
