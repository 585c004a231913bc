import Foundation
import Model
import Testing
@testable import Workbench

@Suite struct DashboardSessionTests {
    func open(_ f: AppFixture) {
        f.press([.char("s")])
    }

    @Test func sReachesTheDashboardWhichSharesTheFilter() throws {
        let f = try AppFixture()
        let s = f.session
        f.press([.char("f")] + typed("如皋,海安") + [.enter])
        open(f)
        #expect(s.mode == .dashboard)
        let board = try #require(s.dashboard?.board)
        #expect(board.query.filter.orgs == ["如皋市", "海安市"])
        #expect(board.total.records == 2)
        // Status and label conditions are the review list's, not the dashboard's.
        f.press([.escape, .char("f"), .tab, .tab] + typed("已标注") + [.enter, .char("s")])
        #expect(s.filter.status == .labeled && s.dashboard?.board?.query.filter.status == nil)
        #expect(f.draw(width: 120, height: 40).dump().contains("状态/标注/文本条件不用于看板"))
        f.press([.escape])
        #expect(s.mode == .list)
    }

    @Test func businessTypesDrillIntoLevelTwoAndBack() throws {
        let f = try AppFixture()
        let s = f.session
        open(f)
        f.press([.tab, .tab])
        #expect(s.dashboard?.view == .business)
        let rows = try #require(s.dashboard?.businessRows)
        #expect(rows.first?.name == "养老保险" && rows.first?.tally.records == 2)
        f.press([.enter])
        #expect(s.dashboard?.level1 == "养老保险")
        #expect(s.dashboard?.businessRows.map(\.name).sorted() == ["城乡居民养老保险", "职工养老参保缴费"])
        // Enter on a level-2 type opens its records; Esc comes back to the same place.
        f.press([.enter])
        #expect(s.mode == .list && s.filter.biz1 == "养老保险" && s.keys.count == 1)
        f.press([.escape])
        #expect(s.mode == .dashboard && s.dashboard?.level1 == "养老保险" && s.filter.biz1 == nil)
        f.press([.escape])
        #expect(s.dashboard?.level1 == nil && s.mode == .dashboard)
    }

    @Test func aHotQuestionOpensItsRecordsAndEscGoesBack() throws {
        let f = try AppFixture()
        let s = f.session
        open(f)
        f.press([.backTab])
        #expect(s.dashboard?.view == .missed)
        // 未命中TOP10: only what the bot answered from no knowledge (R003, a fallback).
        let missed = try #require(s.dashboard?.board?.missed)
        #expect(missed.count == 1 && missed[0].tally.hits == 0 && missed[0].wording.contains("辞退"), "\(missed)")
        f.press([.backTab])
        #expect(s.dashboard?.view == .hot)
        let hot = try #require(s.dashboard?.board?.hot)
        // Small talk (R008, 你好) is not a hot question.
        #expect(hot.count == 7 && !hot.contains { $0.wording == "你好" })
        f.press([.char("j"), .enter])
        #expect(s.mode == .list && s.filter.topic?.hash == hot[1].topic && s.keys.count == 1)
        #expect(f.draw(width: 120, height: 40).dump().contains("热点「"))
        f.press([.escape])
        #expect(s.mode == .dashboard && s.filter.topic == nil && s.dashboard?.selected == 1 && s.keys.count == 8)
    }

    @Test func labelsMoveTheFiguresOwnAndAnotherProcesses() throws {
        let f = try AppFixture()
        let s = f.session
        let other = try SQLiteRecordStore(path: f.store.path, busyTimeout: 0.2)
        open(f)
        let before = try #require(s.dashboard?.board?.total)
        #expect(before.labelled == 3)
        // Back to the list, label one (R001 is first and unlabelled), and look again.
        f.press([.char("s"), .char("3"), .char("s")])
        #expect(s.dashboard?.board?.total.labelled == 4)
        #expect(s.dashboard?.board?.total.count(.correct) == before.count(.correct) + 1)
        // Another process labels R006 wrong: a tick later the dashboard has it, without a recount.
        try other.setLabel(.missingKnowledge, recordId: "R006", reviewer: "王强", at: AppFixture.now)
        #expect(s.tick())
        let after = try #require(s.dashboard?.board)
        #expect(after.total.count(.missingKnowledge) == 1)
        let recount = try f.store.tallies(RecordFilter(), rules: s.rules)
        #expect(Dictionary(uniqueKeysWithValues: after.byOrg().map { ($0.name, $0.tally) }) == recount)
        // A business-type correction moves a record between tables.
        try other.correctBusinessType(biz1: "就业创业", biz2: "其他", recordId: "R007", reviewer: "王强", at: AppFixture.now)
        #expect(s.tick())
        #expect(s.dashboard?.board?.byBiz1().contains { $0.name == "就业创业" } == true)
    }

    @Test func unregisteredOrganisationsAreOneRowThatOpensTheirRecords() throws {
        let f = try AppFixture()
        let s = f.session
        // Another process imports records of organisations the reference data does not know.
        let other = try SQLiteRecordStore(path: f.store.path, busyTimeout: 0.2)
        try other.importBatch { sink in
            for (i, org) in ["火星区", "火星区", "水星镇"].enumerated() {
                _ = try sink.insert(InteractionRecord(id: "U\(i)", askedAt: ShanghaiTime.parse("2025-12-30 10:0\(i):00")!, org: org,
                                                      question: "问\(i)", answer: "答", biz1: "养老保险", biz2: "其他"))
            }
        }
        _ = s.tick()
        open(f)
        f.press([.char("o"), .char("o"), .char("o")])
        let rows = try #require(s.dashboard?.countyRows(s.orgOrder))
        #expect(rows.last?.name == Dashboard.unregistered && rows.last?.tally.records == 3, "\(rows.map(\.name))")
        #expect(!rows.contains { $0.name == "火星区" || $0.name == "水星镇" })
        #expect(f.draw(width: 120, height: 40).dump().contains("未登记机构"))
        // Enter lists their records; the filter bar reads the stored names back as they are.
        f.press(Array(repeating: Key.char("j"), count: rows.count - 1) + [.enter])
        #expect(s.mode == .list && Set(s.filter.orgs) == ["火星区", "水星镇"] && s.keys.count == 3)
        f.press([.char("f"), .enter])
        #expect(Set(s.filter.orgs) == ["火星区", "水星镇"] && s.keys.count == 3)
        // Typed: a stored name as written, and 未登记机构 for all of them.
        f.press([.char("f"), .ctrl("u")] + typed("火星区") + [.enter])
        #expect(s.filter.orgs == ["火星区"] && s.keys.count == 2)
        f.press([.char("f"), .ctrl("u")] + typed("未登记机构") + [.enter])
        #expect(Set(s.filter.orgs) == ["火星区", "水星镇"] && s.keys.count == 3)
    }

    @Test func countiesSortByTheChosenKeyAndBucketsCycle() throws {
        let f = try AppFixture()
        let s = f.session
        open(f)
        let names = { s.dashboard!.countyRows(s.orgOrder).map(\.name) }
        #expect(s.dashboard?.sort == .accuracy)
        // By accuracy: the reliable first (none here), then by the figure; 通州区 (1 of 1 correct) leads.
        #expect(names().first == "通州区")
        f.press([.char("o"), .char("o")])
        #expect(s.dashboard?.sort == .volume)
        let volumes = s.dashboard!.countyRows(s.orgOrder).map(\.tally.valid)
        #expect(volumes == volumes.sorted(by: >))
        f.press([.char("o")])
        #expect(names() == s.orgOrder.filter { names().contains($0) })
        // The step is chosen from n: eight records never give a day or a week 20 judged labels.
        #expect(s.dashboard?.board?.bucket == .month)
        f.press([.char("t"), .char("t"), .char("t")])
        #expect(s.dashboard?.bucket == .month && s.dashboard?.board?.series().count == 1)
        f.press([.char("t")])
        #expect(s.dashboard?.bucket == nil)
    }

    @Test func theDashboardInTheBackgroundSaysItIsCounting() throws {
        let f = try AppFixture()
        let s = try ReviewSession(store: f.store, reference: .bundled, reviewer: "张敏", location: "fixture.sqlite",
                                  backgroundStatistics: true, clock: { AppFixture.now })
        s.perform(s.handle(.char("s")))
        var canvas = ReviewScreen.draw(s, width: 120, height: 40)
        if s.dashboard?.board == nil { #expect(canvas.dump().contains("统计中")) }
        let deadline = Date().addingTimeInterval(10)
        while s.dashboard?.board == nil, Date() < deadline {
            _ = s.tick()
            usleep(5000)
        }
        canvas = ReviewScreen.draw(s, width: 120, height: 40)
        #expect(s.dashboard?.board?.total.records == 8 && canvas.dump().contains("准确率"))
    }
}

/// The review panel counted by the statistics index (as the app does once it is loaded): its
/// figures equal a SQL recount through both reviewers' labels, corrections and undos.
@Suite struct PanelFromTheIndexTests {
    @Test func panelFiguresFromTheIndexFollowBothReviewers() throws {
        let f = try AppFixture()
        let a = f.session
        let otherStore = try SQLiteRecordStore(path: f.store.path, busyTimeout: 0.2)
        let b = try ReviewSession(store: otherStore, reference: .bundled, reviewer: "王强", clock: { AppFixture.now })
        try AppFixture.wholeList(b)
        a.ensureIndex()
        b.ensureIndex()
        try a.refilter()
        try b.refilter()
        func recount() throws -> Tally { try f.store.tallies(a.statsFilter, rules: a.rules).total }
        #expect(a.total == (try recount()))
        try TwoReviewersTests.takeTurns(a, b, recount: recount)
        // A new filter is counted from the index; a text filter still in SQL; both equal a recount.
        a.perform(a.handle(.char("f")))
        for k in typed("如皋,海安") { a.perform(a.handle(k)) }
        a.perform(a.handle(.enter))
        #expect(a.total == (try recount()) && a.total.records == 2)
        try otherStore.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "R009", askedAt: AppFixture.now - 60, org: "如皋市", question: "新问题",
                                                  answer: "新回答", knowledgeId: "KB1", label: .correct))
        }
        #expect(a.tick())
        #expect(a.total == (try recount()) && a.total.records == 3)
    }
}
