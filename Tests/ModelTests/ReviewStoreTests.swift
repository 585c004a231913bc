import Foundation
import Testing
@testable import Model

/// What the review screen asks of the store beyond labels: keys and rows, notes, business-type
/// corrections, undo, and change polling between two connections.
@Suite struct ReviewStoreTests {
    func demoStore(_ dir: TempDir, _ kind: StoreKind, records: Int = 400) throws -> any TestStore {
        let store = try makeStore(dir, kind)
        let end = ShanghaiTime.parse("2025-12-31 18:00")!
        try DemoData.populate(store: store, records: records, generator: DemoGenerator(seed: 3, end: end, count: records),
                              reference: .bundled)
        return store
    }

    @Test(arguments: StoreKind.all) func keysListTheSameRecordsInTheSameOrderAsPages(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demoStore(dir, kind)
        for f in [RecordFilter(), RecordFilter(orgs: ["如皋市", "海安市"]), RecordFilter(status: .unlabeled)] {
            let keys = try store.keys(f)
            let rows = try store.records(keys: keys)
            #expect(keys.compactMap { rows[$0]?.id } == (try store.page(f, after: nil, limit: 10_000).records.map(\.id)))
        }
        #expect(try store.records(keys: [999_999]).isEmpty)
    }

    @Test(arguments: StoreKind.all) func noteAndBusinessTypeAreSavedWithHistoryAndUndoRestoresEverything(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demoStore(dir, kind, records: 20)
        let id = try store.page(RecordFilter(status: .unlabeled), after: nil, limit: 1).records[0].id
        let before = try #require(try store.record(id: id)).reviewState

        try store.setLabel(.misunderstood, recordId: id, reviewer: "张敏", at: 10)
        try store.setNote("答非所问，应答失业金条件", recordId: id, reviewer: "张敏", at: 11)
        try store.correctBusinessType(biz1: "失业保险", biz2: "失业保险金申领", recordId: id, reviewer: "张敏", at: 12)
        #expect(try store.setNote("  ", recordId: id, reviewer: "张敏", at: 13)?.newValue == nil)
        let r = try #require(try store.record(id: id))
        #expect(r.label == .misunderstood && r.note == nil && r.effectiveBiz2 == "失业保险金申领")

        let h = try store.history(recordId: id)
        #expect(h.map(\.action) == [.label, .note, .businessType, .note])
        #expect(h[2].newValue == "失业保险/失业保险金申领")

        // Undo refuses while the record is not as the undone change left it (someone changed it since).
        let left = try #require(try store.record(id: id)).reviewState
        var other = left
        other.note = "另一位审核员的备注"
        #expect(throws: StoreError.changedSince(id, reviewer: "张敏")) {
            try store.restore(before, expecting: other, recordId: id, reviewer: "张敏", at: 14)
        }
        try store.restore(before, expecting: left, recordId: id, reviewer: "张敏", at: 14)
        #expect(try store.record(id: id)?.reviewState == before)
        #expect(try store.history(recordId: id).last?.action == .undo)
        // Restoring what is already there changes nothing and writes no history.
        #expect(try store.restore(before, expecting: nil, recordId: id, reviewer: "张敏", at: 15) == nil)
        #expect(try store.history(recordId: id).count == 5)
    }

    @Test(arguments: StoreKind.all) func anotherConnectionsCommitChangesTheCounterButOurOwnDoesNot(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = try demoStore(dir, kind, records: 5)
        let b = try a.openAnother()
        let id = try a.page(RecordFilter(), after: nil, limit: 1).records[0].id
        let seen = try a.changeCounter()
        try a.setLabel(.correct, recordId: id, reviewer: "甲", at: 1)
        // A server's notifications arrive on their own: give them the time the screen would.
        Thread.sleep(forTimeInterval: kind == .postgres ? 0.3 : 0)
        #expect(try a.changeCounter() == seen)
        try b.setLabel(.missingKnowledge, recordId: id, reviewer: "乙", at: 2)
        let deadline = Date().addingTimeInterval(1)
        while try a.changeCounter() == seen, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(try a.changeCounter() != seen)
        #expect(try a.record(id: id)?.label == .missingKnowledge)
    }
}

@Suite struct StatisticsTests {
    /// domain.md §3's worked example.
    @Test func workedExample() {
        var t = Tally()
        let add = { (n: Int, c: Tally.Contribution) in t.add(c, times: n) }
        add(40, .init(smallTalk: true, hit: false, byTemplate: false, label: nil))
        add(120, .init(smallTalk: false, hit: false, byTemplate: false, label: nil))
        add(180, .init(smallTalk: false, hit: true, byTemplate: false, label: .correct))
        add(45, .init(smallTalk: false, hit: true, byTemplate: false, label: .misunderstood))
        add(45, .init(smallTalk: false, hit: true, byTemplate: false, label: .missingKnowledge))
        add(30, .init(smallTalk: false, hit: true, byTemplate: false, label: .outOfScope))
        add(540, .init(smallTalk: false, hit: true, byTemplate: false, label: nil))
        #expect(t.records == 1000 && t.valid == 960)
        #expect(t.hitRate == Ratio(840, of: 960) && t.hitRate.percentText == "87.5%")
        #expect(t.accuracy == Ratio(180, of: 270) && t.accuracy.percentText == "66.7%")
        #expect(t.accuracyAll.percentText == "60.0%")
        #expect(t.knowledgeCoverage.percentText == "83.3%")
        #expect(t.outOfScopeShare.percentText == "10.0%")
        #expect(t.labelRate == Ratio(300, of: 960))
    }

    @Test func smallNumbersAreUnreliableAndWilsonBracketsTheShare() throws {
        #expect(!Ratio(5, of: 19).isReliable && Ratio(5, of: 20).isReliable)
        #expect(Ratio(0, of: 0).value == nil && Ratio(0, of: 0).percentText == "—" && Ratio(0, of: 0).wilson95 == nil)
        let w = try #require(Ratio(180, of: 270).wilson95)
        #expect(abs(w.lower - 0.6085) < 0.001 && abs(w.upper - 0.7198) < 0.001)
        let all = try #require(Ratio(10, of: 10).wilson95)
        #expect(abs(all.upper - 1) < 1e-9 && all.lower < 0.75)
    }

    @Test func movingALabelKeepsTheTallyEqualToACount() {
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        var r = InteractionRecord(id: "x", askedAt: 0, org: "如皋市", question: "问", answer: "答", knowledgeId: "KB1",
                                  biz1: "养老保险", biz2: "其他")
        var t = Tally.of([r], rules: rules, groupBy: \.org).total
        let old = rules.contribution(of: r)
        r.label = .correct
        t.move(from: old, to: rules.contribution(of: r))
        #expect(t == Tally.of([r], rules: rules, groupBy: \.org).total)
        #expect(t.accuracy == Ratio(1, of: 1))
        // A business-type correction to small talk takes the record out of every metric.
        let before = rules.contribution(of: r)
        r.correctedBiz1 = "非人社事项"
        r.correctedBiz2 = "闲聊无效"
        t.move(from: before, to: rules.contribution(of: r))
        #expect(t.valid == 0 && t.labelled == 0 && t.labelledAll == 1)
    }

    @Test func hitRulesFollowTheLogThenTheTemplate() {
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        func c(_ kb: String?, fallback: Bool?, flag: Bool?, answer: String = "请携带身份证办理。") -> Tally.Contribution {
            rules.contribution(of: InteractionRecord(id: "x", askedAt: 0, org: "如皋市", question: "问", answer: answer,
                                                     knowledgeId: kb, fallback: fallback, hitFlag: flag))
        }
        #expect(c("KB1", fallback: nil, flag: nil).hit)
        #expect(!c("KB1", fallback: true, flag: nil).hit)
        #expect(!c(nil, fallback: nil, flag: false).hit)
        #expect(c(nil, fallback: false, flag: nil).hit && !c(nil, fallback: false, flag: nil).byTemplate)
        let t = c(nil, fallback: nil, flag: nil, answer: "很抱歉，暂未查询到相关信息，建议您拨打12333。")
        #expect(!t.hit && t.byTemplate)
        #expect(c(nil, fallback: nil, flag: nil).hit)
    }

    @Test(arguments: StoreKind.all) func storeTalliesAgreeWithTheInMemoryRulesOnDemoData(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir, kind)
        let end = ShanghaiTime.parse("2025-12-31 18:00")!
        try DemoData.populate(store: store, records: 800, generator: DemoGenerator(seed: 4, end: end, count: 800),
                              reference: .bundled)
        // Records whose log says nothing about hits, so the template decides.
        try store.importBatch { sink in
            for (i, a) in ["很抱歉，暂未找到与您问题相关的答案。", "请携带身份证到窗口办理。"].enumerated() {
                _ = try sink.insert(InteractionRecord(id: "t\(i)", askedAt: end, org: "海门区", question: "问\(i)", answer: a))
            }
        }
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        let all = try store.page(RecordFilter(), after: nil, limit: 10_000).records
        for f in [RecordFilter(), RecordFilter(orgs: ["海门区"]), RecordFilter(status: .labeled),
                  RecordFilter(biz1: "非人社事项"), RecordFilter(text: "社保")] {
            let expected = Tally.of(all.filter(f.matches), rules: rules, groupBy: \.org)
            #expect(try store.tallies(f, rules: rules) == expected)
        }
        let haimen = try store.tallies(RecordFilter(orgs: ["海门区"]), rules: rules).total
        #expect(haimen.judgedByTemplate == 2)
    }
}
