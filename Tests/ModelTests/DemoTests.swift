import Testing
@testable import Model

@Suite struct DemoTests {
    let end = ShanghaiTime.parse("2025-12-31 18:00:00")!

    @Test func sameSeedSameData() {
        let a = DemoGenerator(seed: 11, end: end, count: 1000)
        let b = DemoGenerator(seed: 11, end: end, count: 1000)
        let c = DemoGenerator(seed: 12, end: end, count: 1000)
        for i in [0, 1, 57, 999] {
            #expect(a.row(i).0.values == b.row(i).0.values)
        }
        #expect((0..<20).contains { a.row($0).0.values != c.row($0).0.values })
    }

    @Test func coversTheTaxonomyOrganisationsAndTheHardCases() {
        let g = DemoGenerator(seed: 1, end: end, count: 3000)
        let tax = ReferenceData.bundled.taxonomy
        let rows = (0..<3000).map { g.row($0) }
        let types = Set(rows.map { "\($0.0[.biz1]!)/\($0.0[.biz2]!)" })
        let all = Set(tax.level1.flatMap { l1 in l1.level2.map { "\(l1.name)/\($0)" } })
        #expect(types == all)
        let orgs = Set(rows.map { ReferenceData.bundled.organisations.normalise($0.0[.org]!) })
        #expect(orgs == Set(ReferenceData.bundled.organisations.names))
        #expect(rows.contains { $0.0[.org] == "港闸区" })  // legacy names to normalise
        #expect(rows.contains { ($0.0[.answer]?.utf16.count ?? 0) > 32_767 })
        #expect(rows.contains { $0.0[.fallback] == "是" })
        #expect(rows.contains { $0.0[.question]!.contains("320682198503121233") || $0.0[.question]!.contains("13800001234") })
        #expect(rows.filter { $0.1 != nil }.count > 600)
        let times = rows.map { ShanghaiTime.parse($0.0[.askedAt]!)! }
        #expect(times.max()! < ShanghaiTime.startOfDay(end) && times.min()! >= ShanghaiTime.startOfDay(end) - 90 * 86400)
        #expect(times == times.sorted())  // chronological, as a log export is
        #expect(Set(times).count > 2900)  // and not piled onto a few seconds
    }
}
