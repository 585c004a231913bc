import Foundation
import Testing
@testable import Model

/// Issue 36, part B: organisations the reference data does not know are stored as written,
/// counted and filtered as written, one row 未登记机构 on the dashboard, and rewritten to the
/// reference's name by `renameOrganisations` (what `workbench orgs --apply` calls) once an alias
/// is added — no re-import.
@Suite struct UnregisteredOrgTests {
    let d1 = ShanghaiTime.parseDay("2025-12-01")!

    func record(_ id: String, _ org: String, day: Int = 0, label: Label? = nil) -> InteractionRecord {
        InteractionRecord(id: id, askedAt: d1 + Int64(day) * 86400 + 3600 * 9, org: org, question: "问题\(id)", answer: "回答",
                          biz1: "养老保险", biz2: "其他", label: label)
    }

    func seeded(_ dir: TempDir, _ kind: StoreKind) throws -> any TestStore {
        let store = try makeStore(dir, kind)
        try store.importBatch { sink in
            for r in [
                record("a", "如皋市"), record("b", "火星区", day: 1, label: .correct), record("c", "火星区", day: 2),
                record("d", "水星镇", day: 3), record("e", "崇川区", day: 4), record("f", "火星区", day: 5, label: .missingKnowledge),
            ] { _ = try sink.insert(r) }
        }
        return store
    }

    /// Reference data where 火星区 is a legacy name of 崇川区 (what a bureau adds to its override file).
    static let withAlias = try! Organisations(json: Data("""
        {"organisations": [{"name": "崇川区", "kind": "county", "aliases": ["崇川"]}, {"name": "如皋市", "kind": "county", "aliases": []}],
         "legacy": {"港闸区": "崇川区", "火星区": "崇川区"}, "kbRegions": ["全市"], "cityWideRegion": "全市"}
        """.utf8))

    @Test(arguments: StoreKind.all) func storedNamesAreCountedAndFilteredAsWritten(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try seeded(dir, kind)
        let counts = try store.organisationCounts()
        #expect(counts == [OrgCount(org: "火星区", count: 3), OrgCount(org: "如皋市", count: 1), OrgCount(org: "崇川区", count: 1),
                           OrgCount(org: "水星镇", count: 1)])
        #expect(try store.count(RecordFilter(orgs: ["火星区"])) == 3)
        #expect(try store.page(RecordFilter(orgs: ["火星区", "水星镇"]), after: nil, limit: 10).records.map(\.id) == ["f", "d", "c", "b"])
        #expect(try store.tallies(RecordFilter(orgs: ["火星区"]), rules: .defaultPhrases)["火星区"]?.records == 3)
    }

    @Test(arguments: StoreKind.all) func renamingRewritesTheNamesInOneTransactionWithHistory(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try seeded(dir, kind)
        let before = try store.lastHistorySeq()
        let n = try store.renameOrganisations(["火星区": "崇川区", "如皋市": "如皋市"], reviewer: "张主任", at: 1_700_000_000)
        #expect(n == 3)
        #expect(try store.organisationCounts() == [OrgCount(org: "崇川区", count: 4), OrgCount(org: "如皋市", count: 1),
                                                   OrgCount(org: "水星镇", count: 1)])
        #expect(try store.count(RecordFilter(orgs: ["火星区"])) == 0)
        #expect(try store.page(RecordFilter(orgs: ["崇川区"]), after: nil, limit: 10).records.map(\.id) == ["f", "e", "c", "b"])
        // Labels stay; each record says what happened, by whom.
        #expect(try store.record(id: "b")?.label == .correct)
        let h = try store.history(recordId: "f").last
        #expect(h?.action == .org && h?.oldValue == "火星区" && h?.newValue == "崇川区" && h?.reviewer == "张主任")
        #expect(h?.oldLabel == .missingKnowledge && h?.newLabel == .missingKnowledge)
        let since = try store.historySince(before).changes
        #expect(Set(since.map(\.recordId)) == ["b", "c", "f"] && since.allSatisfy { $0.action == .org })
        // Nothing left to rewrite: nothing written.
        #expect(try store.renameOrganisations(["火星区": "崇川区"], reviewer: "张主任", at: 1_700_000_001) == 0)
        #expect(try store.historySince(before).changes.count == 3)
        // The figures counted in SQL agree.
        #expect(try store.tallies(RecordFilter(), rules: .defaultPhrases)["崇川区"]?.records == 4)
    }

    @Test(arguments: StoreKind.all) func openScreensFollowARenameByTheHistory(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try seeded(dir, kind)
        let orgs = ReferenceData.bundled.organisations.names
        let live = LiveStatistics(rules: .defaultPhrases)
        try live.load(from: store)
        try live.track("board", DashboardQuery(filter: RecordFilter(), top: 0), store: store)
        try live.track("崇川", DashboardQuery(filter: RecordFilter(orgs: ["崇川区"]), top: 0), store: store)
        var rows = try #require(live.board("board")).byOrg(order: orgs)
        #expect(rows.first { $0.name == Dashboard.unregistered }?.tally.records == 4)
        #expect(live.board("崇川")?.total.records == 1)
        // Another session (the supervisor's command) rewrites 火星区; this one catches up.
        let other = kind == .sqlite ? try store.openAnother() : store
        try other.renameOrganisations(["火星区": "崇川区"], reviewer: "张主任", at: 1_700_000_000)
        let update = try live.catchUp(store: store)
        #expect(update.actions == [.org])
        rows = try #require(live.board("board")).byOrg(order: orgs)
        #expect(rows.first { $0.name == "崇川区" }?.tally.records == 4)
        #expect(rows.first { $0.name == Dashboard.unregistered }?.tally.records == 1)
        #expect(live.board("崇川")?.total.records == 4)
        // The index equals one loaded afresh.
        let fresh = StatisticsIndex(rules: .defaultPhrases)
        try fresh.load(from: store)
        let a = Dashboard(index: live.index!, query: DashboardQuery(filter: RecordFilter(), top: 0)).byOrg()
        let b = Dashboard(index: fresh, query: DashboardQuery(filter: RecordFilter(), top: 0)).byOrg()
        #expect(Dictionary(uniqueKeysWithValues: a.filter { $0.tally.records > 0 }.map { ($0.name, $0.tally) })
                == Dictionary(uniqueKeysWithValues: b.map { ($0.name, $0.tally) }))
    }

    @Test func theDashboardCountsUnregisteredOrganisationsInOneRow() throws {
        let index = StatisticsIndex(rules: .defaultPhrases)
        for (k, org) in ["如皋市", "火星区", "火星区", "水星镇", "崇川区"].enumerated() {
            index.append(StatisticsRow(key: Int64(k + 1), askedAt: d1 + 3600 * 9, org: org, biz1: "养老保险", biz2: "其他",
                                       label: k == 1 ? .correct : nil, status: k == 1 ? .labeled : .unlabeled, facts: RecordFacts(hitClass: 1, topic: 0, wording: 0)))
        }
        let orgs = ReferenceData.bundled.organisations.names
        let board = Dashboard(index: index, query: DashboardQuery(filter: RecordFilter(), top: 0))
        let rows = board.byOrg(order: orgs)
        #expect(rows.map(\.name) == ["崇川区", "如皋市", Dashboard.unregistered])
        #expect(rows.last?.tally.records == 3 && rows.last?.tally.labelled == 1)
        #expect(board.unregisteredNames(order: orgs) == ["火星区", "水星镇"])
        #expect(rows.reduce(0) { $0 + $1.tally.records } == board.total.records)
        // Without an order, every stored name is its own row (the figures per stored name).
        #expect(Set(board.byOrg().map(\.name)) == ["如皋市", "火星区", "水星镇", "崇川区"])
        // A filter naming one keeps it as its own row; the others are still one row.
        let named = Dashboard(index: index, query: DashboardQuery(filter: RecordFilter(orgs: ["火星区"]), top: 0))
        #expect(named.byOrg(order: orgs).map(\.name) == ["火星区"])
        #expect(named.unregisteredNames(order: orgs).isEmpty)
    }

    @Test func aStoredNameTheReferenceNowKnowsIsOneToRewrite() {
        let orgs = Self.withAlias
        #expect(!orgs.isKnown("火星区") && orgs.normalise("火星区") == "崇川区")
        #expect(orgs.normalise("水星镇") == "水星镇")
    }
}
