import Foundation
import Testing
@testable import Model

/// A tester's findings on the demo database, each through the path that failed.
@Suite struct ExportAssigneeTests {
    /// 我的任务 exported (the paged reader joins record and record_text, which both have `seq`).
    @Test(arguments: StoreKind.all) func exportingMyTasksWritesTheAssignedRecords(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        try s.importBatch { sink in
            for i in 0..<6 {
                _ = try sink.insert(InteractionRecord(id: "e\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                      question: "问题\(i)", answer: "回答\(i)"))
            }
        }
        #expect(try s.assign(RecordFilter(), to: [("李娜", 2), ("王强", 1)], by: "张主任", at: 1) == ["李娜": 4, "王强": 2])
        let mine = RecordFilter(assignee: "李娜")
        let page = try s.page(mine, after: nil, limit: 3)
        #expect(page.records.count == 3 && page.next != nil)
        let rest = try s.page(mine, after: page.next, limit: 3)
        #expect(rest.records.count == 1)
        for format in ExportFormat.allCases {
            let out = dir.path("mine.\(format.rawValue)")
            let summary = try RecordExporter.export(store: s, filter: mine, format: format, path: out)
            #expect(summary.rows == 4, "\(format)")
        }
        let csv = try String(contentsOfFile: dir.path("mine.csv"), encoding: .utf8)
        let ids = Set((page.records + rest.records).map(\.id))
        #expect(ids.count == 4 && ids.allSatisfy { csv.contains($0) })
    }
}

@Suite struct AgreementReviewPairTests {
    /// A label that came with an import (by 李娜), then a second review in the tool by 王强:
    /// a pair of 李娜's label and 王强's.
    @Test(arguments: StoreKind.all) func anImportedLabelReviewedByAnotherIsAPair(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        try s.importBatch { sink in
            for i in 0..<4 {
                _ = try sink.insert(InteractionRecord(id: "p\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                      question: "问题\(i)", answer: "回答\(i)", label: .correct, status: .labeled,
                                                      reviewer: "李娜", labeledAt: 100))
            }
            // Imported without a labeller: nobody to pair with.
            _ = try sink.insert(InteractionRecord(id: "p4", askedAt: 1_764_551_800, org: "如皋市", question: "问", answer: "答",
                                                  label: .correct, status: .labeled))
        }
        try s.markReviewed(recordId: "p0", label: nil, reviewer: "王强", at: 200)  // confirmed
        try s.markReviewed(recordId: "p1", label: .misunderstood, reviewer: "王强", at: 201)  // changed
        try s.markReviewed(recordId: "p2", label: nil, reviewer: "李娜", at: 202)  // her own: no pair
        try s.markReviewed(recordId: "p4", label: nil, reviewer: "王强", at: 203)
        // Labelled in the tool by 周婷, reviewed by 王强.
        try s.setLabel(.outOfScope, recordId: "p3", reviewer: "周婷", at: 300)
        try s.markReviewed(recordId: "p3", label: nil, reviewer: "王强", at: 301)
        let pairs = Agreement.reviewPairs(try s.historySince(0).changes)
        #expect(pairs == [
            ReviewPair(recordId: "p0", first: "李娜", firstLabel: .correct, second: "王强", secondLabel: .correct),
            ReviewPair(recordId: "p1", first: "李娜", firstLabel: .correct, second: "王强", secondLabel: .misunderstood),
            ReviewPair(recordId: "p3", first: "周婷", firstLabel: .outOfScope, second: "王强", secondLabel: .outOfScope),
        ])
    }

    /// The demo's second reviews by someone other than the labeller are pairs (they were none:
    /// the demo wrote them as imported state, one label with no history of the first).
    @Test(arguments: StoreKind.all) func theDemosSecondReviewsArePairs(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        let end = ShanghaiTime.parse("2025-12-31 18:00")!
        try DemoData.populate(store: s, records: 1500, generator: DemoGenerator(seed: 1, end: end, count: 1500), reference: .bundled)
        let all = try s.page(RecordFilter(), after: nil, limit: 10_000).records
        let byOther = all.filter { $0.status == .reviewed && $0.reviewedBy != nil && $0.reviewedBy != $0.reviewer }
        #expect(byOther.count > 20)
        let pairs = Agreement.reviewPairs(try s.historySince(0).changes)
        #expect(Set(pairs.map(\.recordId)) == Set(byOther.map(\.id)))
        for p in pairs {
            let r = try #require(all.first { $0.id == p.recordId })
            #expect(p.first == r.reviewer && p.second == r.reviewedBy && p.secondLabel == r.label)
        }
        // Some reviews changed the label: not every pair agrees.
        #expect(pairs.contains { $0.firstLabel != $0.secondLabel } && pairs.contains { $0.firstLabel == $0.secondLabel })
    }
}

@Suite struct AssigneeSampleTeamTests {
    /// After `assign`, a sampled record with one vote in is in every other reviewer's 我的任务
    /// until its second vote; the first voter's list keeps only what is assigned to them.
    @Test(arguments: StoreKind.all) func aSampledRecordAwaitingASecondVoteIsInOthersTasks(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        try s.importBatch { sink in
            for i in 0..<6 {
                _ = try sink.insert(InteractionRecord(id: "s\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                      question: "问题\(i)", answer: "回答\(i)"))
            }
        }
        #expect(try s.drawSample(RecordFilter(), rate: 1, seed: 1, by: "张主任", at: 1) == 6)
        #expect(try s.assign(RecordFilter(), to: [("李娜", 1), ("王强", 1)], by: "张主任", at: 2) == ["李娜": 3, "王强": 3])
        func tasks(_ who: String) throws -> Set<String> {
            let f = RecordFilter(assignee: who)
            let keys = try s.keys(f)
            let page = try s.page(f, after: nil, limit: 100).records
            #expect(try s.count(f) == keys.count && page.count == keys.count)
            let ids = Set(page.map(\.id))
            #expect(Set(try s.records(keys: keys).values.map(\.id)) == ids)
            return ids
        }
        let hers = try tasks("李娜"), his = try tasks("王强")
        #expect(hers.count == 3 && his.count == 3 && hers.isDisjoint(with: his))
        #expect(try tasks("周婷").isEmpty)
        let first = try #require(hers.sorted().first)
        // 李娜's vote: 王强 (and anyone who has not voted) now meets the record.
        try s.setLabel(.correct, recordId: first, reviewer: "李娜", at: 10, others: .refuse)
        #expect(try tasks("王强") == his.union([first]))
        #expect(try tasks("周婷") == [first])
        #expect(try tasks("李娜") == hers)
        // With the unassigned-status filter too (the app's usual list).
        #expect(try s.count(RecordFilter(status: .unlabeled, assignee: "王强")) == 4)
        // 王强's vote completes the pair: it leaves the others' lists, stays in 李娜's.
        try s.setLabel(.correct, recordId: first, reviewer: "王强", at: 11, others: .refuse)
        #expect(try tasks("王强") == his && tasks("周婷").isEmpty && tasks("李娜") == hers)
        // A dispute waits for a supervisor, not for a third reviewer.
        let second = hers.sorted()[1]
        try s.setLabel(.correct, recordId: second, reviewer: "李娜", at: 12, others: .refuse)
        try s.setLabel(.misunderstood, recordId: second, reviewer: "周婷", at: 13, others: .refuse)
        #expect(try tasks("王强") == his)
    }
}

@Suite struct DashboardMissedTests {
    static let end = ShanghaiTime.parse("2025-12-31 18:00")!

    /// 未命中TOP10 counts questions the bureau's knowledge base should answer: not those labelled
    /// 非人社职能 and not those whose business type is 非人社事项.
    @Test(arguments: StoreKind.all) func missedQuestionsAreInScopeOnly(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        var rs: [InteractionRecord] = []
        func q(_ text: String, org: String = "如皋市", biz: (String, String) = ("失业保险", "失业保险金申领"), label: Label? = nil,
               hit: Bool = false) {
            rs.append(InteractionRecord(id: "m\(rs.count)", askedAt: Self.end - Int64(rs.count), org: org, question: text,
                                        answer: hit ? "请携带身份证到窗口办理。" : "很抱歉，暂未找到相关答案。",
                                        knowledgeId: hit ? "KB1" : nil, fallback: !hit, biz1: biz.0, biz2: biz.1, label: label))
        }
        // Out of scope by business type (the most asked), and by label.
        for _ in 0..<6 { q("电动车怎么上牌", biz: ("非人社事项", "公安户籍")) }
        for _ in 0..<5 { q("营业执照怎么办", org: "海安市", biz: ("非人社事项", "市场监管")) }
        for _ in 0..<4 { q("公积金怎么提取", label: .outOfScope) }
        // In scope: what the knowledge base lacks.
        q("失业金怎么领", org: "如皋市")
        q("失业金怎么领？", org: "海安市")
        q("失业金怎么领", org: "如皋市", label: .missingKnowledge)
        q("社保卡丢了怎么办", org: "海门区")
        // Asked as small talk, and answered from knowledge: neither is a miss.
        for _ in 0..<3 { q("你好", biz: ("非人社事项", "闲聊无效")) }
        for _ in 0..<3 { q("失业金怎么领", hit: true) }
        try s.importBatch { sink in for r in rs { _ = try sink.insert(r) } }
        let ix = StatisticsIndex(rules: HitRules(taxonomy: ReferenceData.bundled.taxonomy))
        try ix.load(from: s)
        var d = Dashboard(index: ix, query: DashboardQuery(filter: RecordFilter(), top: 10))
        try d.resolveTexts(s)
        #expect(d.missed.map(\.count) == [3, 1], "\(d.missed.map(\.wording))")
        #expect(d.missed.map(\.wording) == ["失业金怎么领", "社保卡丢了怎么办"])
        // What a table shows instead of a hit rate (all 0%): the share of the misses, who asked.
        #expect(d.missedTotal == 4)
        #expect(d.missed[0].askedBy == [OrgCount(org: "如皋市", count: 2), OrgCount(org: "海安市", count: 1)])
        #expect(d.missed[1].askedBy == [OrgCount(org: "海门区", count: 1)])
        #expect(d.missed[0].tally.count(.missingKnowledge) == 1 && d.missed[0].wordings == 2)
        // One county's board: its misses only.
        let one = Dashboard(index: ix, query: DashboardQuery(filter: RecordFilter(orgs: ["海安市"]), top: 10))
        #expect(one.missed.map(\.count) == [1] && one.missedTotal == 1 && one.missed[0].askedBy.map(\.org) == ["海安市"])
        // The hot list still counts every valid question.
        #expect(d.hot.first?.count == 6)
    }
}
