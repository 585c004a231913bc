import Foundation
import Testing
@testable import Model

/// The statistics index's and the review list's compact storage (issue 36: the app in 64 MB at
/// 1,000,000 records) holds what the plain arrays held.
@Suite struct CompactColumnsTests {
    static let end = ShanghaiTime.parse("2025-12-31 18:00")!
    let facts = RecordFacts(hitClass: 2, topic: 7, wording: 9)

    func row(_ key: RecordKey, askedAt: Int64 = end, label: Label? = nil) -> StatisticsRow {
        StatisticsRow(key: key, askedAt: askedAt, org: "如皋市", biz1: "养老保险", biz2: "其他", label: label,
                      status: label == nil ? .unlabeled : .labeled, facts: facts)
    }

    @Test func keysInRunsWithGapsAreFoundBothWays() {
        let ix = StatisticsIndex(rules: .defaultPhrases)
        // Three runs: 1…5, 9…10, 1,000,000…1,000,002 (deleted records leave gaps).
        let keys: [RecordKey] = [1, 2, 3, 4, 5, 9, 10, 1_000_000, 1_000_001, 1_000_002]
        for k in keys { ix.append(row(k)) }
        #expect(ix.count == keys.count && ix.lastKey == 1_000_002)
        for (i, k) in keys.enumerated() {
            #expect(ix.index(of: k) == i)
            #expect(ix.key(at: i) == k)
        }
        for missing: RecordKey in [0, 6, 8, 11, 999_999, 1_000_003, -1, .max, .min] {
            #expect(ix.index(of: missing) == nil)
        }
    }

    @Test func keysOutOfOrderAndRepeatedAreFoundAsBefore() {
        let ix = StatisticsIndex(rules: .defaultPhrases)
        let keys: [RecordKey] = [10, 11, 3, 4, 11, .max, .min]
        for k in keys { ix.append(row(k)) }
        #expect(ix.index(of: 10) == 0 && ix.index(of: 3) == 2 && ix.index(of: 4) == 3)
        // A key given twice is found at its later place (as the position table had it).
        #expect(ix.index(of: 11) == 4)
        #expect(ix.index(of: .max) == 5 && ix.index(of: .min) == 6 && ix.index(of: 5) == nil)
        #expect(keys.indices.map(ix.key(at:)) == keys)
    }

    @Test func daysBefore1970OrAfter2149WidenTheColumn() {
        let ix = StatisticsIndex(rules: .defaultPhrases)
        let times: [Int64] = [Self.end, 0, Self.end + 86400, -86400 * 3, 6_000_000_000]
        for (i, t) in times.enumerated() { ix.append(row(RecordKey(i + 1), askedAt: t)) }
        for (i, t) in times.enumerated() { #expect(ix.row(at: i).day == StatisticsIndex.day(of: t)) }
        #expect(ix.minDay == StatisticsIndex.day(of: -86400 * 3) && ix.maxDay == StatisticsIndex.day(of: 6_000_000_000))
        // Counted by day as before.
        let board = Dashboard(index: ix, query: DashboardQuery(filter: RecordFilter(fromDay: 0, toDay: Self.end), top: 0))
        #expect(board.total.records == 2)
    }

    @Test func labelStatusAndHitClassShareAByteWithoutMixing() {
        let ix = StatisticsIndex(rules: .defaultPhrases)
        for (i, hit) in [UInt8(0), 1, 2, 3].enumerated() {
            ix.append(StatisticsRow(key: RecordKey(i + 1), askedAt: Self.end, org: "如皋市", biz1: nil, biz2: nil,
                                    label: Label.allCases[i], status: .reviewed,
                                    facts: RecordFacts(hitClass: hit, topic: 1, wording: 1)))
        }
        for i in 0..<4 {
            let r = ix.row(at: i)
            #expect(r.hitClass == UInt8(i) && r.label == Label.allCases[i] && r.status == .reviewed)
        }
        let ch = ix.update(key: 3, label: nil, status: .unlabeled, biz1: nil, biz2: nil)
        #expect(ch?.newLabelStatus == 0 && ix.row(at: 2).hitClass == 2 && ix.row(at: 2).label == nil)
    }

    @Test func theIndexIsReservedAtItsFinalSize() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        try DemoData.populate(store: store, records: 3000, generator: DemoGenerator(seed: 3, end: Self.end, count: 3000), reference: .bundled)
        let ix = StatisticsIndex(rules: .defaultPhrases)
        try ix.load(from: store)
        #expect(ix.count == 3000)
        // One run of keys, and columns the store's count long (not doubled past it).
        #expect(ix.footprint < 3000 * 19 + ix.topicHashes.count * 64 + 4096)
    }

    @Test func aKeyListHoldsWideKeysToo() {
        var list = KeyList([5, 1, 4_294_967_295])
        list.append(4_294_967_296)
        list.append(-3)
        #expect(Array(list) == [5, 1, 4_294_967_295, 4_294_967_296, -3])
        #expect(list == [5, 1, 4_294_967_295, 4_294_967_296, -3])
        #expect(list.firstIndex(of: 4_294_967_296) == 3 && !list.contains(2))
        #expect(KeyList([1, 2]) == KeyList([1, 2]) && KeyList([1, 2]) != KeyList([2, 1]))
    }

    @Test func keyPositionsFindTheFirstPlaceByTableOrDictionary() {
        // Dense: a table over 100…199.
        let dense = KeyList((100..<200).reversed() + [150])
        let p = dense.positions()
        #expect(p[199] == 0 && p[100] == 99 && p[150] == 49 && p[99] == nil && p[200] == nil)
        // Sparse: a dictionary.
        let sparse = KeyList([7, 9_000_000_000, -5, 7])
        let q = sparse.positions()
        #expect(q[7] == 0 && q[9_000_000_000] == 1 && q[-5] == 2 && q[8] == nil)
        #expect(KeyList().positions()[1] == nil)
    }

    @Test func theStoreListsTheSameKeysEitherWay() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        try DemoData.populate(store: store, records: 500, generator: DemoGenerator(seed: 5, end: Self.end, count: 500), reference: .bundled)
        for f in [RecordFilter(), RecordFilter(status: .unlabeled), RecordFilter(orgs: ["如皋市"]), RecordFilter(text: "社保")] {
            #expect(try store.keyList(f) == store.keys(f))
        }
    }

    @Test func hotQuestionColumnsReadLaterEqualThoseLoadedAtOnce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        try DemoData.populate(store: store, records: 2000, generator: DemoGenerator(seed: 9, end: Self.end, count: 2000), reference: .bundled)
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        let full = StatisticsIndex(rules: rules)
        try full.load(from: store)
        let lazy = StatisticsIndex(rules: rules, topics: false)
        try lazy.load(from: store)
        #expect(!lazy.hasTopics && lazy.footprint < full.footprint / 2)
        // Counted without TOP N, the two agree.
        let f = RecordFilter(orgs: ["如皋市", "海安市"])
        #expect(Dashboard(index: lazy, query: DashboardQuery(filter: f, top: 0)).byOrg().map(\.tally)
                == Dashboard(index: full, query: DashboardQuery(filter: f, top: 0)).byOrg().map(\.tally))
        try lazy.loadTopics(from: store)
        #expect(lazy.hasTopics && lazy.topicHashes == full.topicHashes)
        for i in stride(from: 0, to: full.count, by: 7) { #expect("\(lazy.row(at: i))" == "\(full.row(at: i))") }
        var a = Dashboard(index: lazy, query: DashboardQuery(filter: RecordFilter()))
        var b = Dashboard(index: full, query: DashboardQuery(filter: RecordFilter()))
        try a.resolveTexts(store)
        try b.resolveTexts(store)
        #expect(a.hot == b.hot && a.missed == b.missed && !a.hot.isEmpty)
        // Records imported afterwards are added with their topics.
        try store.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "late", askedAt: Self.end, org: "启东市", question: "新问题", answer: "答"))
        }
        try lazy.load(from: store)
        try full.load(from: store)
        #expect("\(lazy.row(at: lazy.count - 1))" == "\(full.row(at: full.count - 1))" && lazy.count == full.count)
    }

    @Test func theLiveFiguresReadTheHotQuestionsWhenABoardAsks() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        try DemoData.populate(store: store, records: 1500, generator: DemoGenerator(seed: 4, end: Self.end, count: 1500), reference: .bundled)
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        let live = LiveStatistics(rules: rules)
        try live.load(from: store)
        try live.track("list", DashboardQuery(filter: RecordFilter(), top: 0), store: store)
        #expect(live.index?.hasTopics == false)
        try live.track("dashboard", DashboardQuery(filter: RecordFilter()), store: store)
        #expect(live.index?.hasTopics == true)
        let full = StatisticsIndex(rules: rules)
        try full.load(from: store)
        var expected = Dashboard(index: full, query: DashboardQuery(filter: RecordFilter()))
        try expected.resolveTexts(store)
        #expect(live.board("dashboard")?.hot == expected.hot)
        // The dashboard closed: the columns go; opened again: read again, the same figures.
        try live.track("dashboard", nil, store: store)
        #expect(live.index?.hasTopics == false && live.board("list") != nil)
        try live.track("dashboard", DashboardQuery(filter: RecordFilter()), store: store)
        #expect(live.index?.hasTopics == true && live.board("dashboard")?.hot == expected.hot)
    }
}
