import Foundation
import Model

/// The review list's state: the filter, every key it selects (4 bytes a record), the rows fetched
/// so far, the selection, the detail pane and the live figures of the filter (a board in
/// `LiveStatistics`). Its keys are in ReviewKeys.swift, what comes next (待办, the next record to
/// do) in ReviewNext.swift, its drawing in the views beside it.
final class ReviewListScreen: Screen, Tracking {
    let ctx: AppContext
    /// A list opened from the dashboard (a county, a type, a hot question): Esc goes back.
    let openedFromDashboard: Bool
    /// The name of this list's figures in `LiveStatistics`.
    let statsName: String

    var filter = RecordFilter()
    var periodPreset: PeriodPreset?
    private(set) var keys = KeyList() { didSet { positions = nil } }
    /// Where each key is in `keys`, made when first needed (going to a second vote).
    var positions: KeyPositions?
    /// The place in the list before going to a pair's second label, and that pair's record.
    var secondVoteFrom: (index: Int, key: RecordKey)?
    private(set) var rows: [RecordKey: InteractionRecord] = [:]
    /// Bumped whenever a row changes, so the wrapped detail is made again.
    private(set) var rowsGeneration = 0
    var cursor = ListCursor()
    var detailScroll = ScrollOffset()
    var detailShown = true
    var focusDetail = false
    /// The reading mode (`v`): the detail fills the screen, the answer in the foreground.
    var reading = false
    var reviewMode = false
    /// Text typed in the filter bar waits for a pause (the next idle tick) or Enter.
    var refilterDue = false
    /// Records added to the filter's selection by someone else since the list was queried.
    private(set) var newSinceQuery = 0
    /// Other reviewers' leases on the records looked at (read with them, again after others' commits).
    private(set) var leases: [RecordKey: Lease] = [:]
    private var leasesRead: Set<RecordKey> = []
    /// Where the loaded records stand in the blind double review (sampled ones only; read with the leases).
    private(set) var samples: [RecordKey: SampleState] = [:]
    /// What this reviewer holds, and when it was last claimed (renewed every 30 s while shown).
    var held: Set<RecordKey> = []
    var claimedAt: Int64 = 0
    /// The last claim could not reach the server (records taken as ours until it is back).
    var offline = false
    /// 待办: the work this reviewer may do (assigned to them, else unlabelled; second votes first)
    /// over the filter's organisations, period, type and text. `T` goes to the whole list and back.
    var todo = false
    /// The whole list's status and label while the 待办 view is shown (given back by `T`).
    var fullStatus: (status: ReviewStatus?, label: Label?) = (nil, nil)

    // Set by `prepare` from the layout, before keys are handled and before drawing.
    private(set) var listRows = 10
    private(set) var detailRows = 10
    /// The selected record's wrapped detail for the pane's width (a 40,000-character answer is
    /// wrapped once; scrolling only slices).
    private(set) var detailLines: [DetailView.Line] = []
    private var detailKey: DetailCacheKey?

    /// The figures count the filter's records by key (a text or topic condition): the keys are
    /// read on another thread in the app while `keysJob` runs.
    private(set) var countsByKeys = false
    private var keysJob: BackgroundJob<KeyList>?
    /// A text search runs on its own connection (interrupted when a newer one starts), so keys
    /// and the filter bar stay live while it runs; the list shown meanwhile is the previous one.
    private var searchJob: BackgroundJob<KeyList>?
    private var searchStore: Unchecked<any RecordStore>?
    /// The filter whose search is running (shown in the header as 搜索中…).
    private(set) var searching: RecordFilter?

    init(_ ctx: AppContext, openedFromDashboard: Bool) {
        self.ctx = ctx
        self.openedFromDashboard = openedFromDashboard
        statsName = ctx.newStatisticsName("list")
    }

    var mode: Mode { focusDetail ? .detail : .list }

    // MARK: reading

    var selection: Int { cursor.selected }
    var selectedKey: RecordKey? { keys.indices.contains(cursor.selected) ? keys[cursor.selected] : nil }
    func row(_ key: RecordKey) -> InteractionRecord? { rows[key] }

    /// The selected record, fetched if not loaded yet.
    var selectedRecord: InteractionRecord? {
        guard let key = selectedKey else { return nil }
        if rows[key] == nil { load([key]) }
        return rows[key]
    }

    /// The filter without its status and label conditions: accuracy over only the unlabelled
    /// records would say nothing.
    var statsFilter: RecordFilter { filter.statisticsScope }

    /// The dashboard uses the filter's organisations, period and business type only.
    var dashboardFilter: RecordFilter {
        RecordFilter(orgs: filter.orgs, fromDay: filter.fromDay, toDay: filter.toDay, biz1: filter.biz1, biz2: filter.biz2)
    }

    var board: Dashboard? { ctx.live.board(statsName) }
    var total: Tally { board?.total ?? Tally() }
    /// Per organisation, those with records.
    var tallies: [String: Tally] {
        Dictionary(uniqueKeysWithValues: (board?.byOrg() ?? []).filter { $0.tally.records > 0 }.map { ($0.name, $0.tally) })
    }
    var statisticsPending: Bool { !ctx.live.isLoaded || keysJob?.isRunning == true || searching != nil || board == nil }

    func unavailable(_ r: Requirement) -> Localized? {
        switch r {
        case .record:
            return selectedKey == nil ? Localized("列表为空，没有选中的记录", "the list is empty: no record selected") : nil
        case .undo:
            return ctx.writes.canUndo ? nil : Localized("没有可撤销的修改", "nothing to undo")
        case .labelledRecord:
            if let reason = unavailable(.record) { return reason }
            if let key = selectedKey, let rec = selectedRecord, rec.label == nil, !ctx.writes.isPending(key) {
                return Localized("这条记录还未标注，先按 1-4 标注", "not labelled yet: press 1-4 first")
            }
            return nil
        case .nonEmptyList:
            return keys.isEmpty ? Localized("列表为空，没有可导出的记录", "the list is empty: nothing to export") : nil
        case .earlierScreen:
            return openedFromDashboard ? nil : Localized("没有可返回的看板", "nothing to go back to")
        case .supervisor:
            return ctx.reference.team.notSupervisor(ctx.reviewer).map { Localized("仲裁只由主管进行：\($0)", "Adjudication is for supervisors: \($0)") }
        default:
            return nil
        }
    }

    // MARK: rows

    /// Fetches the rows of these keys that are not loaded yet.
    func load(_ wanted: [RecordKey]) {
        let missing = wanted.filter { rows[$0] == nil }
        guard !missing.isEmpty else { return }
        do {
            // The row cache stays small: a long session of scrolling does not keep every text
            // (1,000 rows with their answers are about 1.2 MB; the 20,000 it once kept, 25).
            if rows.count > 1_000 { rows.removeAll(keepingCapacity: true) }
            rows.merge(try ctx.store.records(keys: missing)) { _, new in new }
            rowsGeneration += 1
        } catch StoreError.unreachable {
            offline = true
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    /// Reads who else holds these records, for those not read since others last committed.
    func readLeases(_ wanted: [RecordKey]) {
        let missing = wanted.filter { !leasesRead.contains($0) }
        guard !missing.isEmpty else { return }
        do {
            if leasesRead.count > 20_000 { dropLeases() }
            for k in missing {
                leases[k] = nil
                samples[k] = nil
            }
            leases.merge(try ctx.store.leases(missing, except: ctx.reviewer, at: ctx.clock())) { _, new in new }
            let states = ctx.sampleExists ? try ctx.store.sampleState(missing, reviewer: ctx.reviewer) : [:]
            if !states.isEmpty {
                samples.merge(states) { _, new in new }
                rowsGeneration += 1
            }
            leasesRead.formUnion(missing)
        } catch StoreError.unreachable {
            offline = true
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    /// Reads again who else holds this record (claimed at the same moment by someone else).
    func rereadLease(_ k: RecordKey) {
        leasesRead.remove(k)
        readLeases([k])
    }

    /// A row as committed (ours).
    func replaceRow(_ key: RecordKey, _ record: InteractionRecord) {
        guard rows[key] != nil || keys.contains(key) else { return }
        rows[key] = record
        // Its double-review state (a vote) and leases are read again when next shown.
        leasesRead.remove(key)
        rowsGeneration += 1
    }

    /// Another process committed: every row is read again when next shown.
    func dropRows() {
        rows.removeAll(keepingCapacity: true)
        dropLeases()
        rowsGeneration += 1
    }

    /// Others committed changes to these records (from the label history): only their rows are
    /// read again; leases (not in the history) are all read again.
    func othersChanged(_ ids: Set<String>, leases: Bool) {
        if !ids.isEmpty {
            for (k, r) in rows where ids.contains(r.id) {
                rows[k] = nil
                leasesRead.remove(k)
            }
            rowsGeneration += 1
        }
        if leases { dropLeases() }
    }

    private func dropLeases() {
        leases.removeAll(keepingCapacity: true)
        samples.removeAll(keepingCapacity: true)
        leasesRead.removeAll(keepingCapacity: true)
    }

    /// Records were imported by someone: how many join this filter, and figures over keys again.
    func recordsArrived(_ session: ReviewSession) {
        do {
            newSinceQuery = max(0, try ctx.store.count(filter) - keys.count)
            if countsByKeys { try recomputeStatistics(session) }
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    // MARK: layout (before keys and drawing)

    /// Takes the pane sizes of the layout, keeps the selection visible, loads what will show and
    /// wraps the selected record's detail for the pane.
    func prepare(_ layout: Layout) {
        listRows = max(1, layout.list.height - 1)
        cursor.clamp(count: keys.count, page: listRows)
        let end = min(keys.count, cursor.top + listRows)
        var wanted = cursor.top < end ? Array(keys[cursor.top..<end]) : []
        if let k = selectedKey { wanted.append(k) }
        load(wanted)
        readLeases(wanted)
        guard let d = layout.detail else { return }
        detailRows = max(1, d.height - 1)
        if let rec = selectedRecord {
            // The knowledge base, read once (and again after a save), for the bot's 命中知识 id.
            let knowledge = rec.knowledgeId == nil ? nil : try? ctx.knowledgeForLinks()
            let key = DetailCacheKey(id: rec.id, width: max(1, d.width - 2), lang: ctx.lang, generation: rowsGeneration, reading: reading,
                                     knowledge: knowledge.map { ObjectIdentifier($0.matcher) })
            if key != detailKey {
                // Until some entry carries a bot id, every record would say "not linked": nothing shown.
                let bot = knowledge?.matcher.entriesByBotId.isEmpty != false ? nil : knowledge?.matcher.botLink(knowledgeId: rec.knowledgeId, question: rec.question, askerOrganisation: rec.org,
                                                     day: ShanghaiTime.startOfDay(rec.askedAt))
                detailLines = DetailView.lines(rec, width: key.width, lang: ctx.lang, ambiguousWide: ctx.ambiguousWide,
                                               sample: selectedKey.flatMap { samples[$0] }, reading: reading, bot: bot)
                detailKey = key
            }
        } else {
            detailLines = []
            detailKey = nil
        }
        detailScroll.clamp(count: detailLines.count, page: detailRows)
    }

    // MARK: moving

    func select(_ index: Int) {
        let before = cursor.selected
        cursor.select(index, count: keys.count, page: listRows)
        if cursor.selected != before { detailScroll = ScrollOffset() }
    }

    // MARK: queries

    /// Queries the list and the figures again; the selection stays on the same record when it is
    /// still listed, else keeps its place, clamped.
    func refilter(_ session: ReviewSession) throws {
        refilterDue = false
        if !filter.textQuery.isEmpty, ctx.background {
            // In the background: a newer search interrupts this one; its keys arrive on a tick.
            searchStore?.value.interrupt()
            if searchStore == nil { searchStore = Unchecked(try ctx.store.openAnother()) }
            let store = searchStore!, f = filter
            let job = searchJob ?? BackgroundJob<KeyList>()
            job.start { try store.value.keyList(f) }
            searchJob = job
            searching = f
            return
        }
        searchJob?.cancel()
        searching = nil
        try install(try ctx.store.keyList(filter), session)
    }

    /// Shows a new list of keys: the selection stays on the same record when it is still listed,
    /// else the list starts at its top; the figures are counted again.
    private func install(_ newKeys: KeyList, _ session: ReviewSession) throws {
        let keep = selectedKey
        keys = newKeys
        newSinceQuery = 0
        if let keep, let i = keys.firstIndex(of: keep) {
            cursor.select(i, count: keys.count, page: listRows)
        } else {
            // A new list starts at its top: advancing only goes down, so an old index would hide
            // the rows above it.
            cursor = ListCursor()
            detailScroll = ScrollOffset()
            // 待办 opens on the first record this reviewer may do now (a second vote waiting for
            // them first), claimed, so a label key never lands on a colleague's (issue 32).
            if todo, !keys.isEmpty {
                advance(after: -1)
            }
        }
        try recomputeStatistics(session)
    }

    /// Installs a finished text search. True when the screen changed.
    func takeSearch(_ session: ReviewSession) -> Bool {
        guard let result = searchJob?.take() else { return false }
        let f = searching
        searching = nil
        do {
            guard f == filter else { return true }  // the filter moved on meanwhile (a refilter follows)
            try install(try result.get(), session)
        } catch {
            ctx.failed(Localized("搜索失败", "Search failed"), error)
        }
        return true
    }

    /// Counts the figures of the filter again, from the statistics index: a text or topic
    /// condition counts the records it selects by key (read on another thread in the app unless
    /// the list's own keys are the same).
    func recomputeStatistics(_ session: ReviewSession) throws {
        session.fullCounts += 1
        let sf = statsFilter
        var query = DashboardQuery(filter: sf, top: 0)
        countsByKeys = DashboardQuery.needsKeys(sf)
        keysJob?.cancel()
        if countsByKeys {
            if sf == filter {
                query.keys = keys
            } else if ctx.background {
                let other = Unchecked(try ctx.store.openAnother())
                let job = keysJob ?? BackgroundJob<KeyList>()
                job.start { try other.value.keyList(sf) }
                keysJob = job
                try ctx.live.track(statsName, nil, store: ctx.store)
                return
            } else {
                query.keys = try ctx.store.keyList(sf)
            }
        }
        try ctx.live.track(statsName, query, store: ctx.store)
    }

    /// Installs keys read on another thread. True when the figures changed.
    func takeKeys(_ session: ReviewSession) -> Bool {
        guard let result = keysJob?.take() else { return false }
        do {
            var query = DashboardQuery(filter: statsFilter, top: 0)
            query.keys = try result.get()
            try ctx.live.track(statsName, query, store: ctx.store)
        } catch {
            ctx.failed(Localized("统计失败", "Statistics failed"), error)
        }
        return true
    }

    func stopTracking(_ session: ReviewSession) {
        keysJob?.cancel()
        searchJob?.cancel()
        searchStore?.value.interrupt()
        try? ctx.live.track(statsName, nil, store: ctx.store)
    }
}

struct DetailCacheKey: Equatable {
    let id: String
    let width: Int
    let lang: Language
    let generation: Int
    let reading: Bool
    let knowledge: ObjectIdentifier?
}
