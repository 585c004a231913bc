import Foundation
import Testing
@testable import Model

@Suite struct ReviewerFiguresTests {
    @Test func chiSquareTailsAtTheTabulatedCriticalValues() {
        // The 5% critical values of χ² with 1, 2 and 3 degrees of freedom.
        #expect(abs(ReviewerFigures.chiSquareSurvival(3.841, df: 1) - 0.05) < 0.0005)
        #expect(abs(ReviewerFigures.chiSquareSurvival(5.991, df: 2) - 0.05) < 0.0005)
        #expect(abs(ReviewerFigures.chiSquareSurvival(7.815, df: 3) - 0.05) < 0.0005)
        #expect(abs(ReviewerFigures.chiSquareSurvival(11.345, df: 3) - 0.01) < 0.0005)
        // The same mix as the rest of the team is no evidence of anything; a very different one is.
        #expect((ReviewerFigures.homogeneityP([10, 20, 30, 40], [20, 40, 60, 80]) ?? 0) > 0.99)
        #expect((ReviewerFigures.homogeneityP([90, 5, 5, 0], [20, 40, 60, 80]) ?? 1) < 0.001)
    }

    @Test func paceStreaksAgreementAndOverturns() {
        func c(_ id: String, _ who: String, _ l: Label, _ at: Int64, _ action: LabelChange.Action = .label) -> LabelChange {
            LabelChange(recordId: id, action: action, oldLabel: nil, newLabel: l, oldStatus: .unlabeled, newStatus: .labeled,
                        reviewer: who, at: at)
        }
        var history: [LabelChange] = []
        // 李娜: twelve labels two seconds apart on long answers (a fast streak), then one after a
        // ten-minute break (not work), then one 30 s later.
        for i in 0..<12 { history.append(c("f\(i)", "李娜", .correct, 1000 + Int64(i) * 2)) }
        history.append(c("slow", "李娜", .misunderstood, 1022 + 600))
        history.append(c("slow2", "李娜", .misunderstood, 1022 + 630))
        // Double review: 李娜 and 王强 agree once and differ once; the supervisor sides with 王强.
        let votes = [Vote(key: 1, recordId: "d1", reviewer: "李娜", label: .correct, note: nil, at: 2000),
                     Vote(key: 1, recordId: "d1", reviewer: "王强", label: .correct, note: nil, at: 2001),
                     Vote(key: 2, recordId: "d2", reviewer: "李娜", label: .correct, note: nil, at: 2002),
                     Vote(key: 2, recordId: "d2", reviewer: "王强", label: .missingKnowledge, note: nil, at: 2003)]
        history += votes.map { c($0.recordId, $0.reviewer, $0.label, $0.at, .vote) }
        history.append(c("d2", "张主任", .missingKnowledge, 2100, .adjudicate))
        let f = ReviewerFigures(history: history, votes: votes) { $0.hasPrefix("f") ? 500 : 50 }
        let li = try! #require(f.rows.first { $0.reviewer == "李娜" })
        #expect(li.labels == 16)
        #expect(li.fastStreaks.count == 1 && li.fastStreaks[0].count == 11)
        // Gaps: 11 × 2 s, the 600 s break left out, 30 s, and the votes' 1 s … 348 s (≤ 300 counted).
        #expect(li.medianSeconds == 2)
        #expect(li.pairs == 2 && li.agreed == 1 && li.adjudicated == 1 && li.overturned == 1)
        let wang = try! #require(f.rows.first { $0.reviewer == "王强" })
        #expect(wang.adjudicated == 1 && wang.overturned == 0)
    }
}
