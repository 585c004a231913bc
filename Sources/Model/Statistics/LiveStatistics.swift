/// The figures the screens show, kept live by one cursor over the label history.
///
/// It holds the statistics index and the boards (a `Dashboard` per named query: the review
/// panel's, the dashboard's). `catchUp` reads the history since its cursor once — our own saves
/// and other processes' alike — moves the index by each changed record, and moves every board by
/// the same change (`Dashboard.apply`); a board whose query a change enters or leaves, and every
/// board after new records arrive, is counted again from the index (0.5–30 ms at 1,000,000).
/// There is no other path by which a figure moves.
public final class LiveStatistics {
    public let rules: HitRules
    public private(set) var index: StatisticsIndex?
    /// Where the index and the boards stand in the label history.
    public private(set) var seq: Int64 = 0
    private var queries: [String: DashboardQuery] = [:]
    private var boards: [String: Dashboard] = [:]
    /// Boards counted again from the index so far (a filter change, a change that moved a record
    /// in or out of a query, an import).
    public private(set) var recounts = 0

    public init(rules: HitRules) {
        self.rules = rules
    }

    /// What one catch-up saw.
    public struct Update: Equatable, Sendable {
        /// Records whose label, status, note or business type changed.
        public var recordIds: Set<String> = []
        /// What kinds of change the history rows were (a vote, an adjudication …).
        public var actions: Set<LabelChange.Action> = []
        /// New records arrived (an import); boards over a key list need their keys again.
        public var imported = false
        public var isEmpty: Bool { recordIds.isEmpty && !imported }
    }

    public var isLoaded: Bool { index != nil }

    /// Loads the index here, on this thread (the app loads it on another: `install`), without
    /// the hot-question columns: the first board with a TOP N reads them (`recount`).
    public func load(from store: any RecordStore) throws {
        let at = try store.lastHistorySeq()
        let loaded = StatisticsIndex(rules: rules, topics: false)
        try loaded.load(from: store)
        try install(loaded, seq: at, store: store)
    }

    /// Takes an index loaded elsewhere from the history position read before its rows; the
    /// changes made while it loaded are replayed (replaying one already counted changes nothing).
    public func install(_ loaded: StatisticsIndex, seq at: Int64, store: any RecordStore) throws {
        index = loaded
        seq = at
        try catchUp(store: store)
        for name in queries.keys { try recount(name, store: store) }
    }

    /// The board of a named query, once the index is loaded.
    public func board(_ name: String) -> Dashboard? { boards[name] }
    public func query(_ name: String) -> DashboardQuery? { queries[name] }

    /// Sets (nil: drops) a named query and counts its board from the index, when loaded. The
    /// index holds its hot-question columns only while some board has a TOP N (the dashboard):
    /// reviewing alone never reads them (issue 36).
    public func track(_ name: String, _ query: DashboardQuery?, store: any RecordStore) throws {
        queries[name] = query
        boards[name] = nil
        if query != nil, index != nil { try recount(name, store: store) }
        if !queries.values.contains(where: { $0.top > 0 }) { index?.dropTopics() }
    }

    private func recount(_ name: String, store: any RecordStore) throws {
        guard let index, let q = queries[name] else { return }
        if q.top > 0 { try index.loadTopics(from: store) }
        var b = Dashboard(index: index, query: q)
        if q.top > 0 { try b.resolveTexts(store) }
        boards[name] = b
        recounts += 1
    }

    /// Reads the history since the cursor and moves the index and every board by it. `known`:
    /// rows the caller has just read itself (its own save), so they are not read again.
    @discardableResult
    public func catchUp(store: any RecordStore, known: [(key: RecordKey, record: InteractionRecord)] = []) throws -> Update {
        guard let index else { return Update() }
        var update = Update()
        var stale = Set<String>()
        if try store.lastRecordKey() != index.lastKey {
            try index.load(from: store)
            update.imported = true
            stale = Set(queries.keys)
        }
        let (changes, last) = try store.historySince(seq)
        seq = last
        update.recordIds = Set(changes.map(\.recordId))
        update.actions = Set(changes.map(\.action))
        guard !update.recordIds.isEmpty || !stale.isEmpty else { return update }
        var rows: [(key: RecordKey, label: Label?, status: ReviewStatus, biz: BusinessType, org: String)] = []
        var unknown = update.recordIds
        for k in known where unknown.remove(k.record.id) != nil {
            rows.append((k.key, k.record.label, k.record.status, k.record.effectiveBusinessType, k.record.org))
        }
        if !unknown.isEmpty {
            rows += try store.statisticsRows(recordIds: Array(unknown)).map {
                ($0.key, $0.label, $0.status, BusinessType($0.biz1, $0.biz2), $0.org)
            }
        }
        // An organisation renamed (`orgs --apply`): every board is counted again.
        if update.actions.contains(.org) {
            var moved = false
            for r in rows where index.update(key: r.key, org: r.org) { moved = true }
            if moved { stale = Set(queries.keys) }
        }
        for r in rows {
            guard let ch = index.update(key: r.key, label: r.label, status: r.status, biz1: r.biz.level1, biz2: r.biz.level2)
            else { continue }
            for name in boards.keys where !stale.contains(name) {
                if boards[name]?.apply(ch, index: index) == false { stale.insert(name) }
            }
        }
        for name in stale { try recount(name, store: store) }
        return update
    }
}
