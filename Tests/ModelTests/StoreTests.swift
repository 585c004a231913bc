import Foundation
import Testing
@testable import Model

@Suite struct StoreTests {
    let day: Int64 = 86400
    let d1 = ShanghaiTime.parseDay("2025-12-01")!

    func record(_ id: String, _ day: Int, org: String = "如皋市", q: String = "问题", a: String = "回答",
                biz: (String, String) = ("养老保险", "其他"), label: Label? = nil) -> InteractionRecord {
        InteractionRecord(id: id, askedAt: d1 + Int64(day) * self.day + 3600 * 9, org: org, question: q, answer: a,
                          biz1: biz.0, biz2: biz.1, label: label)
    }

    func seeded(_ dir: TempDir, _ kind: StoreKind) throws -> any TestStore {
        let store = try makeStore(dir, kind)
        try store.importBatch { sink in
            for r in [
                record("a", 0, org: "如皋市", q: "失业金怎么领", biz: ("失业保险", "失业保险金申领")),
                record("b", 1, org: "海安市", a: "请拨打12333", biz: ("失业保险", "失业登记")),
                record("c", 2, org: "通州区", q: "工伤认定", biz: ("工伤保险", "工伤认定"), label: .correct),
                record("d", 3, org: "如皋市", label: .outOfScope),
                record("e", 4, org: "崇川区", q: "社保卡 丢了", a: "挂失"),
            ] { _ = try sink.insert(r) }
        }
        return store
    }

    func ids(_ store: RecordStore, _ f: RecordFilter) throws -> [String] {
        try store.page(f, after: nil, limit: 100).records.map(\.id)
    }

    @Test(arguments: StoreKind.all) func eachFilterField(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try seeded(dir, kind)
        #expect(try ids(s, RecordFilter()) == ["e", "d", "c", "b", "a"])  // newest first
        #expect(try ids(s, RecordFilter(orgs: ["如皋市"])) == ["d", "a"])
        #expect(try ids(s, RecordFilter(orgs: ["如皋市", "海安市"])) == ["d", "b", "a"])
        #expect(try ids(s, RecordFilter(fromDay: d1 + day, toDay: d1 + 3 * day)) == ["d", "c", "b"])
        #expect(try ids(s, RecordFilter(fromDay: d1 + 4 * day)) == ["e"])
        #expect(try ids(s, RecordFilter(toDay: d1)) == ["a"])
        #expect(try ids(s, RecordFilter(status: .unlabeled)) == ["e", "b", "a"])
        #expect(try ids(s, RecordFilter(status: .labeled)) == ["d", "c"])
        #expect(try ids(s, RecordFilter(label: .correct)) == ["c"])
        #expect(try ids(s, RecordFilter(biz1: "失业保险")) == ["b", "a"])
        #expect(try ids(s, RecordFilter(biz1: "失业保险", biz2: "失业登记")) == ["b"])
        #expect(try ids(s, RecordFilter(text: "失业金")) == ["a"])
        #expect(try ids(s, RecordFilter(text: "12333")) == ["b"])  // in the answer
        #expect(try ids(s, RecordFilter(text: "社保卡 挂失")) == ["e"])  // every word, question or answer
        #expect(try ids(s, RecordFilter(text: "50%")) == [])  // no LIKE wildcards
        #expect(try s.count(RecordFilter(orgs: ["如皋市"])) == 2)
    }

    @Test(arguments: StoreKind.all) func pagesContinueFromTheCursorWithoutGapsOrRepeats(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir, kind)
        try store.importBatch { sink in
            // Many records share a time, so the cursor's tie-break is exercised.
            for i in 0..<53 { _ = try sink.insert(record(String(format: "r%02d", i), i / 10)) }
        }
        var seen: [String] = []
        var cursor: PageCursor?
        repeat {
            let p = try store.page(RecordFilter(), after: cursor, limit: 10)
            seen += p.records.map(\.id)
            cursor = p.next
        } while cursor != nil
        #expect(seen.count == 53)
        #expect(Set(seen).count == 53)
    }

    @Test(arguments: StoreKind.all) func labelChangesWriteHistoryInTheSameTransaction(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try seeded(dir, kind)
        let c1 = try #require(try s.setLabel(.misunderstood, recordId: "a", reviewer: "张敏", at: 100))
        #expect(c1.oldLabel == nil && c1.newLabel == .misunderstood && c1.newStatus == .labeled)
        #expect(try s.setLabel(.misunderstood, recordId: "a", reviewer: "张敏", at: 101) == nil)  // unchanged
        try s.setLabel(.correct, recordId: "a", reviewer: "张敏", at: 102)
        let rev = try #require(try s.markReviewed(recordId: "a", label: nil, reviewer: "李娜", at: 103))
        #expect(rev.newStatus == .reviewed && rev.newLabel == .correct)
        try s.markReviewed(recordId: "a", label: .missingKnowledge, reviewer: "李娜", at: 104)
        try s.setLabel(nil, recordId: "a", reviewer: "张敏", at: 105)

        let h = try s.history(recordId: "a")
        #expect(h.map(\.action) == [.label, .label, .review, .review, .clear])
        #expect(h.map(\.newLabel) == [.misunderstood, .correct, .correct, .missingKnowledge, nil])
        #expect(h.map(\.newStatus) == [.labeled, .labeled, .reviewed, .reviewed, .unlabeled])
        #expect(h.map(\.reviewer) == ["张敏", "张敏", "李娜", "李娜", "张敏"])
        let r = try #require(try s.record(id: "a"))
        #expect(r.label == nil && r.status == .unlabeled && r.reviewer == nil)
    }

    @Test(arguments: StoreKind.all) func reviewRecordsWhoAndWhenAndANewLabelResetsTheReview(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try seeded(dir, kind)
        try s.setLabel(.correct, recordId: "b", reviewer: "张敏", at: 10)
        try s.markReviewed(recordId: "b", label: nil, reviewer: "李娜", at: 20)
        var r = try #require(try s.record(id: "b"))
        #expect(r.status == .reviewed && r.reviewer == "张敏" && r.labeledAt == 10 && r.reviewedBy == "李娜" && r.reviewedAt == 20)
        try s.setLabel(.misunderstood, recordId: "b", reviewer: "王强", at: 30)
        r = try #require(try s.record(id: "b"))
        #expect(r.status == .labeled && r.reviewedBy == nil && r.reviewer == "王强")
    }

    @Test(arguments: StoreKind.all) func errorsForMissingRecordsAndUnlabelledReviews(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try seeded(dir, kind)
        #expect(throws: StoreError.recordNotFound("zz")) { try s.setLabel(.correct, recordId: "zz", reviewer: "x", at: 1) }
        #expect(throws: StoreError.notLabeled("a")) { try s.markReviewed(recordId: "a", label: nil, reviewer: "x", at: 1) }
        #expect(try s.history(recordId: "a").isEmpty)
    }

    @Test(arguments: StoreKind.all) func historyIsAppendOnly(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try seeded(dir, kind)
        try s.setLabel(.correct, recordId: "a", reviewer: "张敏", at: 1)
        #expect(throws: (any Error).self) { try rawExecute(s, "UPDATE label_history SET reviewer = 'x'") }
        #expect(throws: (any Error).self) { try rawExecute(s, "DELETE FROM label_history") }
        #expect(try s.history(recordId: "a").count == 1)
    }

    @Test(arguments: StoreKind.all) func anImportThatThrowsKeepsNothing(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try s.importBatch { sink in
                _ = try sink.insert(record("x", 0))
                throw Boom()
            }
        }
        #expect(try s.totalCount() == 0)
    }

    @Test func databaseFileIsOwnerOnlyAndDirectoriesAreCreated() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("deep/er/wb.sqlite")
        _ = try SQLiteRecordStore(path: path)
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
        let dirAttrs = try FileManager.default.attributesOfItem(atPath: dir.path("deep/er"))
        #expect((dirAttrs[.posixPermissions] as? Int) == 0o700)
    }

    @Test func databaseLocationFollowsFlagThenEnvironmentThenXDG() {
        #expect(WorkbenchPaths.databasePath(explicit: "/x.sqlite", environment: ["WORKBENCH_DB": "/y"]) == "/x.sqlite")
        #expect(WorkbenchPaths.databasePath(explicit: nil, environment: ["WORKBENCH_DB": "/y"]) == "/y")
        #expect(WorkbenchPaths.databasePath(explicit: nil, environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/workbench/workbench.sqlite")
        #expect(WorkbenchPaths.databasePath(explicit: nil, environment: ["HOME": "/h"]) == "/h/.local/share/workbench/workbench.sqlite")
    }

    @Test(arguments: StoreKind.all) func sqlFilterAndInMemoryFilterAgreeOnDemoData(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir, kind)
        let end = ShanghaiTime.parse("2025-12-31 18:00")!
        try DemoData.populate(store: store, records: 600, generator: DemoGenerator(seed: 9, end: end, count: 600), reference: .bundled)
        let all = try store.page(RecordFilter(), after: nil, limit: 10_000).records
        var rng = SeededRandom(seed: 5)
        let orgs = ReferenceData.bundled.organisations.names
        for _ in 0..<60 {
            var f = RecordFilter()
            if rng.chance(0.5) { f.orgs = [rng.pick(orgs), rng.pick(orgs)] }
            if rng.chance(0.5) { f.fromDay = ShanghaiTime.startOfDay(end) - Int64(rng.int(0...80)) * 86400 }
            if rng.chance(0.3) { f.toDay = ShanghaiTime.startOfDay(end) - Int64(rng.int(0...40)) * 86400 }
            if rng.chance(0.3) { f.status = rng.pick(ReviewStatus.allCases) }
            if rng.chance(0.3) { f.label = rng.pick(Label.allCases) }
            if rng.chance(0.3) { f.setBusinessType(rng.pick(["养老保险", "失业保险/失业保险金申领", "非人社事项"])) }
            if rng.chance(0.2) { f.text = rng.pick(["社保", "12333", "失业 条件"]) }
            let expected = all.filter(f.matches).map(\.id)
            #expect(try ids(store, f).count == min(100, expected.count))
            #expect(try store.page(f, after: nil, limit: 10_000).records.map(\.id) == expected)
            #expect(try store.count(f) == expected.count)
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func aWriteBlockedByAnotherProcessSaysSoAndSavesNothing() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = try SQLiteRecordStore(path: dir.path("c.sqlite"), busyTimeout: 0.2)
        try a.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "r1", askedAt: 1_764_551_733, org: "如皋市", question: "问", answer: "答"))
        }
        let b = try SQLiteRecordStore(path: dir.path("c.sqlite"), busyTimeout: 0.2)
        // Another connection holds the write lock (as a long import would).
        try a.dbQueue.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            defer { try? db.execute(sql: "ROLLBACK") }
            #expect(throws: StoreError.busy(b.path)) {
                try b.setLabel(.correct, recordId: "r1", reviewer: "张敏", at: 1)
            }
            // Readers are not blocked in WAL mode.
            #expect(try b.record(id: "r1")?.label == nil)
        }
        try b.setLabel(.correct, recordId: "r1", reviewer: "张敏", at: 2)
        #expect(try a.record(id: "r1")?.label == .correct)
        #expect(try a.history(recordId: "r1").count == 1)
    }
}
