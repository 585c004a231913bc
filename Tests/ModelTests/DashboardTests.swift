import Foundation
import Testing
@testable import Model

@Suite struct DashboardTests {
    let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
    static let end = ShanghaiTime.parse("2025-12-31 18:00")!

    func demo(_ dir: TempDir, _ kind: StoreKind = .sqlite, records: Int = 900) throws -> any TestStore {
        let store = try makeStore(dir, kind)
        try DemoData.populate(store: store, records: records,
                              generator: DemoGenerator(seed: 11, end: Self.end, count: records), reference: .bundled)
        // Records whose log says nothing about hits, so the template decides.
        try store.importBatch { sink in
            for (i, a) in ["很抱歉，暂未找到与您问题相关的答案。", "请携带身份证到窗口办理。"].enumerated() {
                _ = try sink.insert(InteractionRecord(id: "t\(i)", askedAt: Self.end, org: "海门区", question: "问\(i)", answer: a))
            }
        }
        return store
    }

    func index(_ store: any RecordStore) throws -> StatisticsIndex {
        let ix = StatisticsIndex(rules: rules)
        try ix.load(from: store)
        return ix
    }

    func all(_ store: any RecordStore) throws -> [InteractionRecord] {
        try store.page(RecordFilter(), after: nil, limit: 100_000).records
    }

    /// Every table of the dashboard equals a count of the records in memory, and its per-organisation
    /// figures equal the SQL recount.
    func expectAgrees(_ d: Dashboard, _ records: [InteractionRecord], _ store: any RecordStore,
                      sourceLocation: SourceLocation = #_sourceLocation) throws {
        let f = d.query.filter
        let chosen = records.filter(f.matches)
        let byOrg = Tally.of(chosen, rules: rules, groupBy: \.org)
        #expect(Dictionary(uniqueKeysWithValues: d.byOrg().map { ($0.name, $0.tally) }) == byOrg, sourceLocation: sourceLocation)
        #expect(try store.tallies(f, rules: rules) == byOrg, sourceLocation: sourceLocation)
        #expect(d.total == byOrg.total, sourceLocation: sourceLocation)
        let byBiz1 = Tally.of(chosen, rules: rules) { $0.effectiveBiz1 ?? Dashboard.unclassified }
        #expect(Dictionary(uniqueKeysWithValues: d.byBiz1().map { ($0.name, $0.tally) }) == byBiz1, sourceLocation: sourceLocation)
        let byBiz2 = Tally.of(chosen, rules: rules) {
            "\($0.effectiveBiz1 ?? Dashboard.unclassified)/\($0.effectiveBiz2 ?? Dashboard.unclassified)"
        }
        #expect(Dictionary(uniqueKeysWithValues: d.byBiz2().map { ($0.name, $0.tally) }) == byBiz2, sourceLocation: sourceLocation)
        for b in TimeBucket.allCases {
            let expected = Tally.of(chosen, rules: rules) { TimeBucket.date(b.start(of: StatisticsIndex.day(of: $0.askedAt))) }
            let got = d.series(b).filter { $0.tally.records > 0 }.map { (TimeBucket.date($0.start), $0.tally) }
            #expect(Dictionary(uniqueKeysWithValues: got) == expected, "\(b)", sourceLocation: sourceLocation)
        }
    }

    @Test func theWorkedExampleThroughTheEngine() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        var records: [InteractionRecord] = []
        func add(_ n: Int, smallTalk: Bool = false, fallback: Bool = false, label: Label? = nil) {
            for _ in 0..<n {
                let i = records.count
                records.append(InteractionRecord(
                    id: "w\(i)", askedAt: Self.end - Int64(i) * 600, org: "如皋市", question: "问题\(i)", answer: "答",
                    knowledgeId: fallback || smallTalk ? nil : "KB1", fallback: fallback,
                    biz1: smallTalk ? "非人社事项" : "养老保险", biz2: smallTalk ? "闲聊无效" : "其他", label: label))
            }
        }
        add(40, smallTalk: true)
        add(120, fallback: true)
        add(180, label: .correct)
        add(45, label: .misunderstood)
        add(45, label: .missingKnowledge)
        add(30, label: .outOfScope)
        add(540)
        try store.importBatch { sink in for r in records { _ = try sink.insert(r) } }
        let d = Dashboard(index: try index(store), query: DashboardQuery(filter: RecordFilter()))
        let t = d.total
        #expect(t.valid == 960 && t.hitRate.percentText == "87.5%")
        #expect(t.accuracy == Ratio(180, of: 270) && t.accuracy.percentText == "66.7%")
        #expect(t.accuracyAll.percentText == "60.0%" && t.knowledgeCoverage.percentText == "83.3%")
        #expect(t.outOfScopeShare.percentText == "10.0%")
        try expectAgrees(d, records, store)
    }

    @Test(arguments: StoreKind.all) func everyTableAgreesWithARecountUnderManyFilters(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demo(dir, kind)
        let ix = try index(store)
        let records = try all(store)
        let dec = ShanghaiTime.parseDay("2025-12-01")!, dec31 = ShanghaiTime.parseDay("2025-12-31")!
        for f in [RecordFilter(), RecordFilter(orgs: ["海门区", "如皋市"]), RecordFilter(fromDay: dec, toDay: dec31),
                  RecordFilter(biz1: "养老保险"), RecordFilter(biz1: "养老保险", biz2: "城乡居民养老保险"),
                  RecordFilter(status: .labeled), RecordFilter(label: .correct), RecordFilter(orgs: ["没有的区"])] {
            try expectAgrees(Dashboard(index: ix, query: DashboardQuery(filter: f)), records, store)
        }
        // A text filter is given as the store's keys.
        let text = RecordFilter(text: "社保")
        try expectAgrees(Dashboard(index: ix, query: DashboardQuery(filter: text, keys: try store.keys(text))), records, store)
    }

    @Test(arguments: StoreKind.all) func storedFactsEqualTheRulesAppliedToTheRecord(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demo(dir, kind, records: 300)
        let ix = try index(store)
        let byId = Dictionary(uniqueKeysWithValues: try all(store).map { ($0.id, $0) })
        let rows = try store.statisticsRows(recordIds: Array(byId.keys))
        #expect(rows.count == byId.count && ix.count == byId.count)
        for row in rows {
            guard let i = ix.index(of: row.key) else { Issue.record("not indexed"); continue }
            let stored = try #require(try store.records(keys: [row.key])[row.key])
            let r = try #require(byId[stored.id])
            #expect(row.facts == RecordFacts.of(r, rules: rules, topics: .bundled))
            #expect(ix.row(at: i).topic == row.facts.topic)
        }
    }

    /// The live path: every change moves the figures exactly as a full recompute would count them.
    @Test(arguments: StoreKind.all) func liveUpdatesAlwaysEqualAFullRecompute(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demo(dir, kind, records: 600)
        let ix = try index(store)
        let other = try index(store)  // a second process's view, kept by the history only
        var seq = try store.lastHistorySeq()
        let ids = try all(store).map(\.id)
        var rng = SystemRandomNumberGenerator()
        let queries = [DashboardQuery(filter: RecordFilter()), DashboardQuery(filter: RecordFilter(orgs: ["如皋市"])),
                       DashboardQuery(filter: RecordFilter(biz1: "养老保险")), DashboardQuery(filter: RecordFilter(label: .correct))]
        var boards = queries.map { Dashboard(index: ix, query: $0) }
        for step in 0..<150 {
            let id = ids.randomElement(using: &rng)!
            let r = try #require(try store.record(id: id))
            switch step % 5 {
            case 0: try store.correctBusinessType(biz1: "非人社事项", biz2: "闲聊无效", recordId: id, reviewer: "甲", at: 1)
            case 1: try store.correctBusinessType(biz1: "养老保险", biz2: "其他", recordId: id, reviewer: "甲", at: 1)
            case 2: try store.setLabel(nil, recordId: id, reviewer: "甲", at: 1)
            default: try store.setLabel(Label.allCases.randomElement(using: &rng), recordId: id, reviewer: "甲", at: 1)
            }
            let now = try #require(try store.record(id: id))
            guard now != r else { continue }
            let ch = ix.update(key: try #require(try store.key(recordId: id)), label: now.label, status: now.status,
                               biz1: now.effectiveBiz1, biz2: now.effectiveBiz2)
            for k in boards.indices {
                if let ch, !boards[k].apply(ch, index: ix) { boards[k] = Dashboard(index: ix, query: queries[k]) }
                let fresh = Dashboard(index: ix, query: queries[k])
                #expect(boards[k].total == fresh.total && boards[k].byBiz1().map(\.tally) == fresh.byBiz1().map(\.tally))
                #expect(boards[k].series().map(\.tally) == fresh.series().map(\.tally))
                #expect(boards[k].hot.map(\.tally) == fresh.hot.map(\.tally), "step \(step)")
            }
        }
        // The other process follows by the label history alone, and ends equal to a SQL recount.
        let (changes, last) = try store.historySince(seq)
        seq = last
        for row in try store.statisticsRows(recordIds: Array(Set(changes.map(\.recordId)))) {
            other.update(key: row.key, label: row.label, status: row.status, biz1: row.biz1, biz2: row.biz2)
        }
        let followed = Dashboard(index: other, query: DashboardQuery(filter: RecordFilter()))
        #expect(Dictionary(uniqueKeysWithValues: followed.byOrg().map { ($0.name, $0.tally) })
                == (try store.tallies(RecordFilter(), rules: rules)))
        try expectAgrees(followed, try all(store), store)
    }

    @Test(arguments: StoreKind.all) func importedRecordsAreAddedNotReloaded(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try demo(dir, kind, records: 100)
        let ix = try index(store)
        let before = ix.count
        try store.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "new", askedAt: Self.end, org: "启东市", question: "新", answer: "答"))
        }
        try ix.load(from: store)
        #expect(ix.count == before + 1 && ix.row(at: before).org == "启东市")
    }

    @Test func sparseKeysAreFoundToo() {
        let ix = StatisticsIndex(rules: rules)
        let facts = RecordFacts(hitClass: 1, topic: 1, wording: 1)
        for key: RecordKey in [1, 2, 5_000_000_000, 3] {
            ix.append(StatisticsRow(key: key, askedAt: Self.end, org: "如皋市", biz1: nil, biz2: nil, label: nil,
                                    status: .unlabeled, facts: facts))
        }
        #expect(ix.index(of: 5_000_000_000) == 2 && ix.index(of: 3) == 3 && ix.index(of: 4) == nil)
        #expect(ix.update(key: 5_000_000_000, label: .correct, status: .labeled, biz1: nil, biz2: nil) != nil)
    }

    @Test func hotQuestionsGroupByKnowledgeThenNormalisedText() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        var rs: [InteractionRecord] = []
        func q(_ text: String, org: String = "如皋市", kb: String? = nil, sq: String? = nil, label: Label? = nil,
               biz: (String, String) = ("失业保险", "失业保险金申领")) {
            rs.append(InteractionRecord(id: "h\(rs.count)", askedAt: Self.end - Int64(rs.count), org: org, question: text,
                                        answer: "答", knowledgeId: kb, standardQuestion: sq, fallback: kb == nil,
                                        biz1: biz.0, biz2: biz.1, label: label))
        }
        for _ in 0..<3 { q("失业金怎么领？", kb: "KB7", sq: "失业保险金如何申领", label: .correct) }
        q("领失业金要什么条件", kb: "KB7", label: .misunderstood)
        // Same normalised text: county names, full-width letters, punctuation and spaces.
        q("如皋市灵活就业 怎么交社保？")
        q("海门灵活就业怎么交社保")
        q("海门灵活就业怎么交社保")
        q("通州湾示范区：灵活就业，怎么交社保!", org: "通州区")
        q("ＡＢＣ卡丢了", label: .missingKnowledge)
        q("abc卡丢了。")
        for _ in 0..<9 { q("你好", biz: ("非人社事项", "闲聊无效")) }
        try store.importBatch { sink in for r in rs { _ = try sink.insert(r) } }
        var d = Dashboard(index: try index(store), query: DashboardQuery(filter: RecordFilter(), top: 3))
        try d.resolveTexts(store)
        #expect(d.hot.count == 3)
        #expect(d.hot.map(\.count) == [4, 4, 2])
        let kb = try #require(d.hot.first { $0.knowledgeId == "KB7" })
        #expect(kb.title == "失业保险金如何申领" && kb.wording == "失业金怎么领？" && kb.wordings == 2)
        #expect(kb.tally.accuracy == Ratio(3, of: 4) && kb.tally.hitRate == Ratio(4, of: 4))
        let flex = try #require(d.hot.first { $0.knowledgeId == nil && $0.count == 4 })
        #expect(flex.wording == "海门灵活就业怎么交社保" && flex.tally.hitRate == Ratio(0, of: 4))
        #expect(d.hot[2].tally.accuracy == Ratio(0, of: 1))
        // The review list's topic filter selects the same records.
        let f = RecordFilter(topic: TopicFilter(hash: flex.topic, title: flex.title))
        #expect(try store.count(f) == 4 && rs.filter(f.matches).count == 4)
    }

    @Test func questionsAreNormalisedForGrouping() {
        let t = QuestionTopic.bundled
        #expect(t.normalised("如皋市灵活就业 怎么交社保？") == "〇灵活就业怎么交社保")
        #expect(t.normalised("港闸区的社保中心搬到哪里去了？") == "〇的社保中心搬到哪里去了")
        #expect(t.normalised("通州湾示范区和通州区") == "〇和〇")
        #expect(t.normalised("ＡＢＣ，１２３！Hello") == "abc123hello")
        #expect(t.normalised("「社保卡」——怎么办…") == "社保卡怎么办")
        #expect(t.normalised("") == "")
        #expect(t.key(knowledgeId: " KB1 ", standardQuestion: "问", question: "x") == "k:KB1")
        #expect(t.key(knowledgeId: "", standardQuestion: "标准问", question: "x") == "s:标准问")
    }

    @Test func bucketsFollowTheCalendar() {
        let day = { (s: String) in StatisticsIndex.day(of: ShanghaiTime.parseDay(s)!) }
        #expect(TimeBucket.auto(spanDays: 1) == .day && TimeBucket.auto(spanDays: 31) == .day)
        #expect(TimeBucket.auto(spanDays: 32) == .week && TimeBucket.auto(spanDays: 184) == .month)
        // 2025-12-31 is a Wednesday: its week starts on Monday 12-29.
        #expect(TimeBucket.week.start(of: day("2025-12-31")) == day("2025-12-29"))
        #expect(TimeBucket.week.start(of: day("2025-12-29")) == day("2025-12-29"))
        #expect(TimeBucket.month.start(of: day("2024-02-29")) == day("2024-02-01"))
        #expect(TimeBucket.month.next(after: day("2025-12-01")) == day("2026-01-01"))
        #expect(TimeBucket.month.label(day("2025-12-01")) == "2025-12" && TimeBucket.day.label(day("2025-03-07")) == "03-07")
        #expect(StatisticsIndex.day(of: ShanghaiTime.parse("2025-12-31 23:59")!) == day("2025-12-31"))
    }

    @Test func emptyAndSingleDayDashboards() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        let empty = Dashboard(index: try index(store), query: DashboardQuery(filter: RecordFilter()))
        #expect(empty.total == Tally() && empty.series().isEmpty && empty.hot.isEmpty && empty.byBiz1().isEmpty)
        try store.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "a", askedAt: Self.end, org: "如东县", question: "问", answer: "答"))
        }
        let one = Dashboard(index: try index(store), query: DashboardQuery(filter: RecordFilter()))
        #expect(one.bucket == .day && one.series().count == 1 && one.total.records == 1)
        #expect(one.total.accuracy.value == nil && !one.total.accuracy.isReliable)
        // A named period keeps its empty days.
        let dec = RecordFilter(fromDay: ShanghaiTime.parseDay("2025-12-01"), toDay: ShanghaiTime.parseDay("2025-12-31"))
        let month = Dashboard(index: try index(store), query: DashboardQuery(filter: dec))
        #expect(month.series().count == 31 && month.series().last?.tally.records == 1)
        #expect(Dashboard(index: try index(store), query: DashboardQuery(filter: dec, bucket: .week)).series().count == 5)  // 12-01 is a Monday
    }
}
