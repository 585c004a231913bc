import Foundation
import Model

/// The review screen's state and what each command does to it. No drawing and no terminal:
/// `apply` changes the state and returns the `Reaction`; `persist`, `refilter` and `recompute`
/// talk to the store. Tests drive it with commands and read the state or a drawn canvas.
final class ReviewSession {
    let store: any RecordStore
    let reference: ReferenceData
    let rules: HitRules
    let reviewer: String
    var lang: Language
    /// Seconds since 1970; a test passes a fixed clock.
    let clock: () -> Int64
    let startedAt: Int64
    let ambiguousWide: Bool
    /// Where the data is, as the header shows it.
    let location: String

    // The list: every key the filter selects (8 bytes a record), and the rows fetched so far.
    var filter = RecordFilter()
    var periodPreset: PeriodPreset?
    private(set) var keys: [RecordKey] = []
    private(set) var rows: [RecordKey: InteractionRecord] = [:]
    /// Bumped whenever a row changes, so cached layouts of it are dropped.
    private(set) var rowsGeneration = 0
    var selection = 0
    var listTop = 0
    /// Rows the list shows and lines the detail shows, set from the layout before keys are handled.
    var listRows = 10
    var detailRows = 10
    var detailScroll = 0
    var detailShown = true
    var focus: Mode = .list
    var reviewMode = false

    // Statistics of the filter without its status and label conditions (accuracy over only the
    // unlabelled records would say nothing), per organisation.
    private(set) var tallies: [String: Tally] = [:]
    var statsFilter: RecordFilter {
        var f = filter
        f.status = nil
        f.label = nil
        return f
    }

    // Writes: queued by commands, done by `persist` before the next draw.
    private(set) var pending: [PendingWrite] = []
    private(set) var undoStack: [UndoEntry] = []
    private(set) var labelsThisSession = 0
    private var quitWarned = false

    // Overlays.
    var filterForm: FilterForm?
    var prompt: Prompt?
    var picker: BusinessTypePicker?
    var helpVisible = false
    var helpScroll = 0
    var message: Message?
    /// Text typed in the filter bar waits for a pause (the next idle tick) or Enter.
    private(set) var refilterDue = false
    /// The export the prompt asked for, run by `perform`; `onProgress` lets the loop draw meanwhile.
    var exportRequest: (path: String, format: ExportFormat)?
    var onProgress: (() -> Void)?
    var detailCache: (key: DetailCacheKey, lines: [DetailView.Line])?
    /// Records added to the filter's selection by someone else since the list was queried.
    private(set) var newSinceQuery = 0
    private var lastChangeCounter: Int64 = 0
    /// Where the figures stand in the label history, and the newest record they counted.
    private var historySeq: Int64 = 0
    private var lastKey: RecordKey = 0
    /// Counts on another thread and connection when set (the app); tests count in line.
    private var worker: StatisticsWorker?
    /// A count is running: the panel says so and the figures are the previous ones.
    private(set) var statisticsPending = false
    /// Full counts so far (the bench and tests check that labels do not cause them).
    private(set) var fullCounts = 0
    /// Our own committed changes, already in the figures: skipped when read back from the history.
    private var ownChanges: [LabelChange] = []

    // The dashboard (ReviewSession+Dashboard.swift): shown while `dashboard` is set.
    var dashboard: DashboardState?
    /// The statistics index, loaded when the dashboard is first opened and kept in step by the
    /// label history from then on; `indexSeq` is where in the history it stands.
    var statsIndex: StatisticsIndex?
    var indexSeq: Int64 = 0
    var indexLoader: IndexLoader?
    let backgroundIndex: Bool
    // The knowledge base (ReviewSession+Knowledge.swift): shown while `knowledge` is set.
    var knowledge: KnowledgeState?
    /// The matcher built for `M` while the knowledge screen is closed.
    var knowledgeCache: KnowledgeState?
    /// Days without review that make an entry stale (`--stale-days`).
    var staleDays = 180
    /// An edit waiting for the terminal to be handed to the editor (`Reaction.external`).
    var pendingEdit: PendingEntryEdit?
    /// The editor command; nil: $VISUAL, $EDITOR, vi (tests set a script).
    var editorCommand: String?
    /// Text the user wrote that could not be saved, by entry id ("" for a new one): `e` again
    /// reopens the editor on it, so nothing typed is lost.
    var keptEditText: [String: (text: String, reasons: [String])] = [:]
    /// Lines shown in the help overlay instead of the keys (the knowledge match of a record).
    var overlay: (title: Localized, lines: [(String, Role)])?
    /// A list opened from the dashboard (a county, a type, a hot question): Esc goes back to it.
    var returnTo: (filter: RecordFilter, preset: PeriodPreset?, dashboard: DashboardState)?

    struct Message: Equatable {
        let text: Localized
        let role: Role
    }

    struct PendingWrite: Equatable {
        enum Op: Equatable {
            case label(Label?), review(Label?), note(String?), businessType(String?, String?)
            case restore(ReviewState, expecting: ReviewState)
        }
        let key: RecordKey
        let recordId: String
        let op: Op
        let at: Int64
        /// Undo's own restores do not go on the undo stack.
        let undoable: Bool
    }

    struct UndoEntry: Equatable {
        let key: RecordKey
        let recordId: String
        let before: ReviewState
        /// What the change left: undo refuses when the record no longer looks like this.
        let after: ReviewState
    }

    init(store: any RecordStore, reference: ReferenceData, reviewer: String, lang: Language = .zh,
         ambiguousWide: Bool = false, location: String? = nil, backgroundStatistics: Bool = false,
         clock: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws {
        self.store = store
        self.location = location ?? store.location
        self.reference = reference
        rules = HitRules(taxonomy: reference.taxonomy)
        self.reviewer = reviewer
        self.lang = lang
        self.clock = clock
        self.ambiguousWide = ambiguousWide
        startedAt = clock()
        backgroundIndex = backgroundStatistics
        if backgroundStatistics {
            worker = StatisticsWorker(store: try store.openAnother(), rules: rules)
        }
        lastChangeCounter = try store.changeCounter()
        try refilter()
        // The app loads the statistics index at once (on its own thread): later filters are
        // counted from it, and the dashboard opens without waiting.
        if backgroundStatistics { ensureIndex() }
    }

    // MARK: reading

    var mode: Mode {
        if helpVisible { return .help }
        if picker != nil { return .picker }
        if prompt != nil { return .prompt }
        if filterForm != nil { return .filter }
        if knowledge != nil { return .knowledge }
        if dashboard != nil { return .dashboard }
        return focus
    }

    var selectedKey: RecordKey? { keys.indices.contains(selection) ? keys[selection] : nil }
    /// The selected record, fetched if the screen has not loaded it yet.
    var selectedRecord: InteractionRecord? {
        guard let key = selectedKey else { return nil }
        if rows[key] == nil { load([key]) }
        return rows[key]
    }
    func isPending(_ key: RecordKey) -> Bool { pending.contains { $0.key == key } }

    var total: Tally { tallies.total }

    /// Labels and reviews per hour since the app started (over at least a minute, so the first
    /// label does not read as thousands an hour).
    var itemsPerHour: Int {
        let elapsed = max(60, clock() - startedAt)
        return Int((Double(labelsThisSession) * 3600 / Double(elapsed)).rounded())
    }

    // Why a command cannot run now (the keymap's disabled reasons).
    var noRecordReason: Localized? {
        selectedKey == nil ? Localized("列表为空，没有选中的记录", "the list is empty: no record selected") : nil
    }
    var undoDisabledReason: Localized? {
        undoStack.isEmpty ? Localized("没有可撤销的修改", "nothing to undo") : nil
    }
    var reviewDisabledReason: Localized? {
        if let r = noRecordReason { return r }
        if let rec = selectedRecord, rec.label == nil, pending.last(where: { $0.key == selectedKey }) == nil {
            return Localized("这条记录还未标注，先按 1-4 标注", "not labelled yet: press 1-4 first")
        }
        return nil
    }
    var filterToggleDisabledReason: Localized? {
        filterForm?.field == .orgs ? nil : Localized("只在组织机构一栏勾选", "ticking works in the organisation field")
    }

    // MARK: keys

    /// One key: the binding for the current mode (a disabled one says why), else typing into the
    /// open field.
    func handle(_ key: Key) -> Reaction {
        if key == .resize { return .redraw }
        if let b = Keymap.binding(for: key, in: mode) {
            if let reason = b.disabled?(self) {
                // A disabled Space in the filter bar is just a typed space.
                if mode == .filter, let c = key.typedCharacter { return typeCharacter(c) }
                message = Message(text: reason, role: .warning)
                return .redraw
            }
            if b.command != .quit { quitWarned = false }
            return apply(b.command)
        }
        if let c = key.typedCharacter, Keymap.entry.contains(mode) { return typeCharacter(c) }
        return []
    }

    private func typeCharacter(_ c: Character) -> Reaction {
        switch mode {
        case .filter:
            guard filterForm?.type(c) == true else { return [] }
            return applyForm()
        case .prompt:
            return prompt?.input.type(c) == true ? .redraw : []
        case .picker:
            guard picker?.query.type(c) == true else { return [] }
            picker?.selected = 0
            return .redraw
        default:
            return []
        }
    }

    func apply(_ command: Command) -> Reaction {
        switch mode {
        case .help: return applyHelp(command)
        case .picker: return applyPicker(command)
        case .prompt: return applyPrompt(command)
        case .filter: return applyFilterBar(command)
        case .dashboard: return applyDashboard(command)
        case .knowledge: return applyKnowledge(command)
        case .list, .detail: return applyReview(command)
        }
    }

    private func applyReview(_ command: Command) -> Reaction {
        message = nil
        switch command {
        case .label(let l):
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            queue(key, r.id, reviewMode ? .review(l) : .label(l))
            advance(after: selection)
            return [.persist, .redraw]
        case .clearLabel:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            queue(key, r.id, .label(nil))
            return [.persist, .redraw]
        case .review:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            queue(key, r.id, .review(nil))
            advance(after: selection)
            return [.persist, .redraw]
        case .undo:
            guard let u = undoStack.popLast() else { return [] }
            queue(u.key, u.recordId, .restore(u.before, expecting: u.after), undoable: false)
            if let i = keys.firstIndex(of: u.key) { select(i) }
            return [.persist, .redraw]
        case .toggleReviewMode:
            reviewMode.toggle()
            message = Message(text: reviewMode
                ? Localized("复核模式：1-4 复核为该标注，r 确认当前标注；跳到下一条未复核", "Review mode: 1-4 review as that label, r confirms; moves to the next unreviewed")
                : Localized("已退出复核模式", "Review mode off"), role: .status)
            return .redraw
        case .down: focus == .detail ? scrollDetail(1) : select(selection + 1)
        case .up: focus == .detail ? scrollDetail(-1) : select(selection - 1)
        case .pageDown: focus == .detail ? scrollDetail(max(1, detailRows - 1)) : select(selection + max(1, listRows - 1))
        case .pageUp: focus == .detail ? scrollDetail(-max(1, detailRows - 1)) : select(selection - max(1, listRows - 1))
        case .top: focus == .detail ? (detailScroll = 0) : select(0)
        case .bottom: focus == .detail ? (detailScroll = Int.max / 2) : select(keys.count - 1)
        case .toggleFocus:
            if !detailShown { detailShown = true }
            focus = focus == .list ? .detail : .list
        case .toggleDetail:
            detailShown.toggle()
            if !detailShown { focus = .list }
        case .search:
            prompt = Prompt(kind: .search, input: TextInput(filter.text ?? ""))
        case .openFilter:
            filterForm = FilterForm(filter: filter, preset: periodPreset, lang: lang)
        case .correctBusinessType:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            let current = [r.effectiveBiz1, r.effectiveBiz2].compactMap { $0 }.joined(separator: "/")
            picker = BusinessTypePicker(recordId: r.id, key: key, current: current, taxonomy: reference.taxonomy)
        case .editNote:
            guard let key = selectedKey, let r = selectedRecord else { return [] }
            prompt = Prompt(kind: .note(recordId: r.id, key: key), input: TextInput(r.note ?? ""))
        case .help:
            openHelp()
        case .toggleLanguage:
            switchLanguage()
        case .refresh:
            return [.refilter, .redraw]
        case .openDashboard:
            openDashboard()
        case .openKnowledge:
            openKnowledge()
        case .matchKnowledge:
            showMatchOfSelected()
        case .back:
            return goBack()
        case .export:
            let name = filter.defaultExportName(format: .xlsx, today: clock())
            prompt = Prompt(kind: .export, input: TextInput(FileManager.default.currentDirectoryPath + "/" + name))
        case .quit:
            return applyReviewQuit()
        default:
            return []
        }
        return .redraw
    }

    /// `?` in any screen.
    func openHelp() {
        helpVisible = true
        helpScroll = 0
    }

    /// `L` in any screen.
    func switchLanguage() {
        lang = lang == .zh ? .en : .zh
    }

    /// q: quits, unless something is still unsaved (then once more to drop it).
    func applyReviewQuit() -> Reaction {
        if !pending.isEmpty, !quitWarned {
            quitWarned = true
            message = Message(text: Localized("还有 \(pending.count) 项修改未保存（数据库忙，正在重试）；再按 q 放弃它们并退出",
                                              "\(pending.count) change(s) not saved yet (database busy, retrying); press q again to drop them and quit"),
                              role: .error)
            return .redraw
        }
        return .quit
    }

    private func applyHelp(_ command: Command) -> Reaction {
        switch command {
        case .down: helpScroll += 1
        case .up: helpScroll = max(0, helpScroll - 1)
        case .pageDown: helpScroll += 10
        case .pageUp: helpScroll = max(0, helpScroll - 10)
        case .cancel:
            helpVisible = false
            overlay = nil
        default: return []
        }
        return .redraw
    }

    private func applyPicker(_ command: Command) -> Reaction {
        guard var p = picker else { return [] }
        switch command {
        case .down: p.selected += 1
        case .up: p.selected -= 1
        case .pageDown: p.selected += 10
        case .pageUp: p.selected -= 10
        case .deleteBackward, .clearInput:
            if p.query.edit(command) { p.selected = 0 }
        case .cancel:
            picker = nil
            return .redraw
        case .accept:
            p.clamp()
            let options = p.matches
            picker = nil
            guard options.indices.contains(p.selected) else { return .redraw }
            let o = options[p.selected]
            queue(p.key, p.recordId, .businessType(o.level1, o.level2))
            return [.persist, .redraw]
        default: return []
        }
        p.clamp()
        picker = p
        return .redraw
    }

    private func applyPrompt(_ command: Command) -> Reaction {
        guard var p = prompt else { return [] }
        switch command {
        case .deleteBackward, .clearInput:
            _ = p.input.edit(command)
            prompt = p
            return .redraw
        case .cancel:
            prompt = nil
            return .redraw
        case .accept:
            prompt = nil
            switch p.kind {
            case .search:
                let t = p.input.text.trimmed
                filter.text = t.isEmpty ? nil : t
                return [.refilter, .redraw]
            case .note(let id, let key):
                queue(key, id, .note(p.input.text))
                return [.persist, .redraw]
            case .export:
                let path = p.input.text.trimmed
                guard let format = ExportFormat(rawValue: (path as NSString).pathExtension.lowercased()) else {
                    message = Message(text: Localized("文件名须以 .xlsx、.csv 或 .jsonl 结尾", "the file name must end in .xlsx, .csv or .jsonl"),
                                      role: .error)
                    prompt = p  // keep what was typed
                    return .redraw
                }
                exportRequest = (path, format)
                return [.export, .redraw]
            case .entryDates(let id):
                return saveEntryDates(id: id, text: p.input.text, prompt: p)
            }
        default:
            return []
        }
    }

    private func applyFilterBar(_ command: Command) -> Reaction {
        guard var form = filterForm else { return [] }
        switch command {
        case .nextField: form.moveField(1)
        case .previousField: form.moveField(-1)
        case .nextOption, .previousOption:
            let changed = form.step(command == .nextOption ? 1 : -1, reference: reference, lang: lang)
            filterForm = form
            return changed ? applyForm() : .redraw
        case .toggleOption:
            form.toggleOrg(reference: reference)
            filterForm = form
            return applyForm()
        case .deleteBackward, .clearInput:
            let changed = form.edit(command)
            filterForm = form
            return changed ? applyForm() : .redraw
        case .accept:
            filterForm = nil
            if refilterDue {
                refilterDue = false
                return [.refilter, .redraw]
            }
            return .redraw
        case .cancel:
            filter = form.original
            periodPreset = form.originalPreset
            filterForm = nil
            return [.refilter, .redraw]
        default:
            return []
        }
        filterForm = form
        return .redraw
    }

    /// The list follows the filter bar as it is typed into.
    private func applyForm() -> Reaction {
        guard let form = filterForm else { return [] }
        let (f, preset, _) = form.parse(reference: reference, today: clock(), lang: lang)
        periodPreset = preset
        guard f != filter else { return .redraw }
        let onlyText = f.text != filter.text && { var g = f; g.text = filter.text; return g == filter }()
        filter = f
        // Text is searched by scanning every record's text (seconds at 1,000,000): while it is
        // typed, the query waits for a pause instead of running on every keystroke.
        if onlyText, f.text != nil {
            refilterDue = true
            return .redraw
        }
        refilterDue = false
        return [.refilter, .redraw]
    }

    // MARK: moving

    func select(_ index: Int) {
        let clamped = max(0, min(index, keys.count - 1))
        if clamped != selection { detailScroll = 0 }
        selection = clamped
        clampListTop()
    }

    func clampListTop() {
        let n = max(1, listRows)
        if selection < listTop { listTop = selection }
        if selection >= listTop + n { listTop = selection - n + 1 }
        listTop = max(0, min(listTop, max(0, keys.count - n)))
    }

    private func scrollDetail(_ delta: Int) {
        detailScroll = max(0, detailScroll + delta)
    }

    /// After a label: the next record still to do (unlabelled; in review mode, not yet reviewed),
    /// looking ahead in chunks; else simply the next one.
    private func advance(after index: Int) {
        var i = index + 1
        let limit = min(keys.count, index + 5001)
        while i < limit {
            let chunk = Array(keys[i..<min(limit, i + 200)])
            load(chunk)
            for k in chunk {
                if let r = rows[k], !isPending(k), reviewMode ? r.status != .reviewed : r.status == .unlabeled {
                    select(i)
                    return
                }
                i += 1
            }
        }
        if index + 1 < keys.count {
            select(index + 1)
            message = Message(text: reviewMode ? Localized("后面没有未复核的记录", "no unreviewed record further down")
                                               : Localized("后面没有未标注的记录", "no unlabelled record further down"),
                              role: .status)
        }
    }

    // MARK: store

    private func queue(_ key: RecordKey, _ id: String, _ op: PendingWrite.Op, undoable: Bool = true) {
        pending.append(PendingWrite(key: key, recordId: id, op: op, at: clock(), undoable: undoable))
    }

    /// Writes the queued changes in order, each in its own short transaction. A busy database
    /// (another process importing) keeps the rest queued and says so; the next tick retries.
    /// Rows and statistics change only after a commit, so nothing is drawn as saved before it is.
    func persist() {
        // Others' changes first, so ours moves the figures from the state they left.
        if !pending.isEmpty { _ = syncOthers() }
        while let w = pending.first {
            do {
                let before = try store.record(id: w.recordId)
                let change: LabelChange?
                switch w.op {
                case .label(let l): change = try store.setLabel(l, recordId: w.recordId, reviewer: reviewer, at: w.at)
                case .review(let l): change = try store.markReviewed(recordId: w.recordId, label: l, reviewer: reviewer, at: w.at)
                case .note(let n): change = try store.setNote(n, recordId: w.recordId, reviewer: reviewer, at: w.at)
                case .businessType(let b1, let b2):
                    change = try store.correctBusinessType(biz1: b1, biz2: b2, recordId: w.recordId, reviewer: reviewer, at: w.at)
                case .restore(let s, let expected):
                    change = try store.restore(s, expecting: expected, recordId: w.recordId, reviewer: reviewer, at: w.at)
                }
                pending.removeFirst()
                guard let change, let before else {
                    if case .review = w.op {} else if case .restore = w.op {} else {
                        message = Message(text: Localized("无变化", "unchanged"), role: .status)
                    }
                    continue
                }
                ownChanges.append(change)
                let after = try store.records(keys: [w.key])[w.key]
                if let after { updateRow(w.key, from: before, to: after) }
                if w.undoable, let after {
                    undoStack.append(UndoEntry(key: w.key, recordId: w.recordId, before: before.reviewState, after: after.reviewState))
                }
                if change.action == .label || change.action == .review { labelsThisSession += 1 }
                message = Message(text: savedText(change), role: .ok)
            } catch StoreError.busy {
                message = Message(text: Localized("数据库忙（另一进程正在写入），\(pending.count) 项未保存，正在重试…",
                                                  "Database busy (another process is writing): \(pending.count) change(s) not saved yet, retrying…"),
                                  role: .error)
                return
            } catch {
                pending.removeFirst()
                message = Message(text: Localized("未保存：\(error)", "Not saved: \(error)"), role: .error)
            }
        }
        syncIndex()
    }

    private func savedText(_ c: LabelChange) -> Localized {
        let label = c.newLabel.map { "\($0.glyph) \($0.chineseName)" } ?? "未标注"
        let labelEn = c.newLabel.map { "\($0.glyph) \($0.englishName)" } ?? "unlabelled"
        switch c.action {
        case .note: return Localized("已保存备注", "Note saved")
        case .businessType: return Localized("已保存业务类型：\(c.newValue ?? "（清除修正）")", "Business type saved: \(c.newValue ?? "(correction cleared)")")
        case .undo: return Localized("已撤销：记录 \(c.recordId) 恢复为 \(label)（\(c.newStatus.chineseName)）", "Undone: record \(c.recordId) back to \(labelEn) (\(c.newStatus.name(.en)))")
        case .review: return Localized("已复核并保存：\(label)", "Reviewed and saved: \(labelEn)")
        default: return Localized("已保存：\(label)", "Saved: \(labelEn)")
        }
    }

    /// A row changed on disk (ours): the statistics move by its contribution, no query.
    private func updateRow(_ key: RecordKey, from before: InteractionRecord, to after: InteractionRecord) {
        rows[key] = after
        rowsGeneration += 1
        // While a count runs, the history brings this change in once the count is installed.
        guard !statisticsPending else { return }
        let sf = statsFilter
        if sf.matches(before) { tallies[before.org, default: Tally()].add(rules.contribution(of: before), times: -1) }
        if sf.matches(after) { tallies[after.org, default: Tally()].add(rules.contribution(of: after)) }
    }

    /// Fetches the rows of these keys that are not loaded yet.
    func load(_ wanted: [RecordKey]) {
        let missing = wanted.filter { rows[$0] == nil }
        guard !missing.isEmpty else { return }
        do {
            // The row cache stays small: a long session of scrolling does not keep every text.
            if rows.count > 20_000 { rows.removeAll(keepingCapacity: true) }
            let got = try store.records(keys: missing)
            rows.merge(got) { _, new in new }
            rowsGeneration += 1
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
    }

    /// Loads what the screen is about to show.
    func prepareVisible() {
        clampListTop()
        let end = min(keys.count, listTop + max(1, listRows))
        var wanted = listTop < end ? Array(keys[listTop..<end]) : []
        if let k = selectedKey { wanted.append(k) }
        load(wanted)
    }

    /// Queries the list and the statistics again; the selection stays on the same record when it
    /// is still listed, else keeps its place, clamped.
    func refilter() throws {
        refilterDue = false
        if filter.text != nil {
            // A text search reads every record's text: say so before the wait.
            message = Message(text: Localized("正在搜索全文…", "Searching the text…"), role: .status)
            onProgress?()
            message = nil
        }
        let keep = selectedKey
        keys = try store.keys(filter)
        newSinceQuery = 0
        if let keep, let i = keys.firstIndex(of: keep) {
            selection = i
        } else {
            selection = max(0, min(selection, keys.count - 1))
            detailScroll = 0
        }
        clampListTop()
        try recompute()
        if dashboard != nil { computeDashboard() }
    }

    func recompute() throws {
        fullCounts += 1
        // One engine: once the statistics index is loaded, the panel's figures are counted from
        // it (0.5–4 ms at 1,000,000 records, against 1.5 s in SQL). A text or topic filter still
        // counts in SQL, which can test the texts.
        if statsIndex != nil, !DashboardQuery.needsKeys(statsFilter), let counted = talliesFromIndex() {
            tallies = counted
            statisticsPending = false
            worker?.cancel()
            return
        }
        if let worker {
            worker.request(statsFilter)
            statisticsPending = true
            // No figures rather than another filter's: the panel says it is counting.
            tallies = [:]
            return
        }
        // Read the marks first: a change landing during the count is then applied again as a
        // delta only if it is later than the marks (never lost; at worst counted by both when it
        // lands between the two reads, which the next full count corrects).
        historySeq = try store.lastHistorySeq()
        lastKey = try store.lastRecordKey()
        ownChanges.removeAll()
        tallies = try store.tallies(statsFilter, rules: rules)
    }

    /// The panel's tallies counted from the index, brought up to date first; the history marks
    /// are the index's, so the deltas that follow start where it stands.
    private func talliesFromIndex() -> [String: Tally]? {
        syncIndex()
        guard let index = statsIndex else { return nil }
        historySeq = indexSeq
        lastKey = index.lastKey
        ownChanges.removeAll()
        let board = Dashboard(index: index, query: DashboardQuery(filter: statsFilter, top: 0))
        return Dictionary(uniqueKeysWithValues: board.byOrg().filter { $0.tally.records > 0 }.map { ($0.name, $0.tally) })
    }

    /// Installs a finished background count, then catches up by the history (own changes since
    /// its snapshot included: they moved the old figures, which are now replaced). True when the
    /// figures changed.
    @discardableResult
    func takeStatistics() -> Bool {
        guard statisticsPending, let result = worker?.take() else { return false }
        statisticsPending = false
        switch result {
        case .success(let snap):
            tallies = snap.tallies
            historySeq = snap.historySeq
            lastKey = snap.lastKey
            ownChanges.removeAll()
            do { try applyOthersChanges() } catch {
                message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
            }
        case .failure(let error):
            message = Message(text: Localized("统计失败：\(error)", "Statistics failed: \(error)"), role: .error)
        }
        return true
    }

    /// Other processes' changes, moved into the figures from the label history (a full count at
    /// 1,000,000 records takes over a second; this takes a query per changed record). New records
    /// (an import) still need a full count.
    func applyOthersChanges() throws {
        if try store.lastRecordKey() != lastKey {
            try recompute()
            return
        }
        let (all, last) = try store.historySince(historySeq)
        historySeq = last
        guard !statisticsPending else { return }  // the count being made covers these
        let changes = all.filter { c in
            guard let i = ownChanges.firstIndex(of: c) else { return true }
            ownChanges.remove(at: i)
            return false
        }
        // Per record, the state before this batch is in its first row; the record now is the after.
        var first: [String: LabelChange] = [:]
        var firstBiz: [String: String?] = [:]
        var order: [String] = []
        for c in changes {
            if first[c.recordId] == nil { first[c.recordId] = c; order.append(c.recordId) }
            if (c.action == .businessType || c.action == .undo), firstBiz[c.recordId] == nil {
                firstBiz[c.recordId] = .some(c.oldValue)
            }
        }
        let sf = statsFilter
        for id in order {
            guard let c = first[id], let now = try store.record(id: id) else { continue }
            var before = now
            before.label = c.oldLabel
            before.status = c.oldStatus
            if let biz = firstBiz[id] {
                let parts = biz?.split(separator: "/", maxSplits: 1).map(String.init) ?? []
                before.correctedBiz1 = parts.first
                before.correctedBiz2 = parts.count > 1 ? parts[1] : nil
            }
            if sf.matches(before) { tallies[before.org, default: Tally()].add(rules.contribution(of: before), times: -1) }
            if sf.matches(now) { tallies[now.org, default: Tally()].add(rules.contribution(of: now)) }
        }
    }

    /// Called when no key came for a while: retries queued writes, and picks up other reviewers'
    /// commits (SQLite's data_version) by reloading the shown rows and the statistics.
    /// True when the screen must be drawn again.
    func tick() -> Bool {
        var changed = takeStatistics() || takeIndex()
        // The pause after typing text in the filter bar.
        if refilterDue {
            perform([.refilter])
            changed = true
        }
        if !pending.isEmpty {
            persist()
            changed = true
        }
        return syncOthers() || changed
    }

    /// Picks up other processes' commits (SQLite's data_version): reloads the shown rows and moves
    /// the figures by their history rows. True when something changed.
    @discardableResult
    func syncOthers() -> Bool {
        do {
            let counter = try store.changeCounter()
            guard counter != lastChangeCounter else { return false }
            lastChangeCounter = counter
            rows.removeAll(keepingCapacity: true)
            rowsGeneration += 1
            let imported = try store.lastRecordKey() != lastKey
            try applyOthersChanges()
            syncIndex()
            if imported { newSinceQuery = max(0, try store.count(filter) - keys.count) }
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
        return true
    }

    /// Exports the current filter (all of its records, not only the loaded ones), showing progress.
    func runExport() {
        guard let (path, format) = exportRequest else { return }
        exportRequest = nil
        var last = Date.distantPast
        do {
            let s = try RecordExporter.export(
                store: store, filter: filter, format: format, path: path, describe: filter.describedPairs, rules: rules
            ) { done, total in
                guard Date().timeIntervalSince(last) > 0.1 else { return }
                last = Date()
                self.message = Message(text: Localized("正在导出 \(grouped(done))/\(grouped(total)) 条…", "Exporting \(grouped(done))/\(grouped(total))…"),
                                       role: .status)
                self.onProgress?()
            }
            message = Message(text: Localized(String(format: "已导出 %@ 条到 %@（%.1f 秒）", grouped(s.rows), s.file, s.seconds),
                                              String(format: "Exported %@ records to %@ (%.1f s)", grouped(s.rows), s.file, s.seconds)),
                              role: .ok)
        } catch {
            message = Message(text: Localized("导出失败：\(error)", "Export failed: \(error)"), role: .error)
        }
    }

    /// Runs what a reaction asks, in order: persist before anything is drawn.
    func perform(_ r: Reaction) {
        if r.contains(.persist) { persist() }
        if r.contains(.export) { runExport() }
        takeStatistics()
        do {
            if r.contains(.refilter) { try refilter() } else if r.contains(.recompute) { try recompute() }
        } catch {
            message = Message(text: Localized("查询失败：\(error)", "Query failed: \(error)"), role: .error)
        }
    }
}
