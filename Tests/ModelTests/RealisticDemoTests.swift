import Foundation
import Testing
@testable import Model

/// The bench's realistic generator (`workbench bench --corpus realistic`, its default).
@Suite struct RealisticDemoTests {
    let end = ShanghaiTime.parse("2025-12-31 18:00:00")!

    @Test func lexiconLoads() {
        let lexicon = Lexicon.bundled
        #expect(lexicon.words.count == 25_000)
        #expect(lexicon.words.first == "了")  // jieba's most frequent word
        #expect(zip(lexicon.frequencies, lexicon.frequencies.dropFirst()).allSatisfy { $0 >= $1 })
        #expect(lexicon.words.contains("公积金"))
        #expect(lexicon.words.allSatisfy { $0.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) } })
        #expect(throws: Lexicon.FormatError.self) { try Lexicon(text: "# only a comment\n") }
        #expect(throws: Lexicon.FormatError.self) { try Lexicon(text: "词 x\n") }
    }

    @Test func sameSeedSameRows() {
        let a = RealisticGenerator(seed: 11, end: end, count: 2000)
        let b = RealisticGenerator(seed: 11, end: end, count: 2000)
        let c = RealisticGenerator(seed: 12, end: end, count: 2000)
        for i in [0, 1, 57, 1999] {
            #expect(a.row(i).values == b.row(i).values)
        }
        #expect((0..<20).contains { a.row($0).values != c.row($0).values })
        let r = RealisticGenerator(seed: 11, end: end, count: 200, corpus: .random)
        #expect(r.row(5).values == RealisticGenerator(seed: 11, end: end, count: 200, corpus: .random).row(5).values)
    }

    @Test(arguments: [0.33, 0.6]) func distinctAnswerShareIsNearTheSetting(_ share: Double) {
        let n = 20_000
        let g = RealisticGenerator(seed: 3, end: end, count: n, distinctAnswerShare: share)
        let rows = (0..<n).map { g.row($0) }
        let answers = Set(rows.map { $0[.answer]! })
        let measured = Double(answers.count) / Double(n)
        #expect(abs(measured - share) < 0.03, "distinct answers \(measured), wanted \(share)")
        // The random corpus repeats nothing.
        let random = RealisticGenerator(seed: 3, end: end, count: 2000, corpus: .random)
        #expect(Set((0..<2000).map { random.row($0)[.answer]! }).count == 2000)
    }

    @Test func textLooksLikeTheBotsLogs() {
        let n = 5000
        let g = RealisticGenerator(seed: 9, end: end, count: n)
        let rows = (0..<n).map { g.row($0) }
        func median(_ xs: [Int]) -> Int { xs.sorted()[xs.count / 2] }
        let q = median(rows.map { $0[.question]!.count }), a = median(rows.map { $0[.answer]!.count })
        #expect((10...40).contains(q), "median question \(q)")
        #expect((100...600).contains(a), "median answer \(a)")
        #expect(rows.contains { $0[.answer]!.utf16.count > 32_767 })
        #expect(rows.filter { ($0[.question]! + $0[.answer]!).contains("失业金") }.count > 20)
        #expect(rows.contains { $0[.answer]!.contains("社保卡") })
        #expect(rows.contains { $0[.answer]!.contains("12333") })
        #expect(rows.contains { $0[.fallback] == "是" && $0[.answer]!.contains("12333") })
        let tax = ReferenceData.bundled.taxonomy
        #expect(rows.allSatisfy { r in tax.level1.contains { $0.name == r[.biz1] && $0.level2.contains(r[.biz2]!) } })
        let times = rows.map { ShanghaiTime.parse($0[.askedAt]!)! }
        #expect(times == times.sorted())
    }

    @Test func importTakesItsCSV() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("realistic.csv")
        try RealisticGenerator.writeCSV(path: path, records: 300, generator: RealisticGenerator(seed: 1, end: end, count: 300))
        let store = try SQLiteRecordStore(path: dir.path("t.sqlite"))
        let s = try Importer(store: store, reference: .bundled).importFile(path)
        #expect(s.imported == 300 && s.rejected == 0)
    }
}
