import Foundation
import Testing
@testable import Model

/// The agreement figures against worked examples as they are published, and against a plain
/// reference computation on random tables.
@Suite struct AgreementTests {
    func rounded(_ x: Double?, _ places: Double = 1000) -> Double? { x.map { ($0 * places).rounded() / places } }

    @Test func cohensKappaOfTheTextbookTable() throws {
        // Two readers, yes/no: 20 both yes, 5 yes/no, 10 no/yes, 15 both no → pₒ 0.7, pₑ 0.5, κ 0.40.
        let k = try #require(Agreement.cohen(Agreement.Table([[20, 5], [10, 15]])))
        #expect(rounded(k.value) == 0.4 && k.n == 50)
        #expect(rounded(Agreement.Table([[20, 5], [10, 15]]).expected) == 0.5)
        // SE = √(0.7·0.3 / (50·0.25)) = 0.1296.
        #expect(rounded(k.standardError, 10000) == 0.1296)
        #expect(Agreement.cohen(Agreement.Table(k: 4)) == nil)
    }

    @Test func fleissKappaOfTheFourteenRaterExample() {
        // Fleiss (1971) as usually reprinted: 10 subjects, 14 raters, 5 categories → κ = 0.210.
        let ratings = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                       [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
        #expect(rounded(Agreement.fleiss(ratings)) == 0.21)
        #expect(Agreement.fleiss([[1, 1], [2]]) == nil)
    }

    @Test func krippendorffsAlphaOfHisNominalExample() {
        // Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
        // missing values → α (nominal) = 0.743.
        let units = [[1, 1, 1], [2, 2, 3, 2], [3, 3, 3, 3], [3, 3, 3, 3], [2, 2, 2, 2], [1, 2, 3, 4], [4, 4, 4, 4],
                     [1, 1, 2, 1], [2, 2, 2, 2], [5, 5, 5], [1, 1], [3]]
        #expect(rounded(Agreement.krippendorffNominal(units)) == 0.743)
    }

    @Test func randomTablesAgreeWithAPlainComputation() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            // Pairs of labels, then κ from the pairs directly.
            let n = Int.random(in: 5...300, using: &rng)
            let pairs = (0..<n).map { _ in (Int.random(in: 0..<4, using: &rng), Int.random(in: 0..<4, using: &rng)) }
            var t = Agreement.Table(k: 4)
            for (a, b) in pairs { t.add(a, b) }
            let po = Double(pairs.filter { $0.0 == $0.1 }.count) / Double(n)
            let pe = (0..<4).map { c in
                Double(pairs.filter { $0.0 == c }.count) / Double(n) * Double(pairs.filter { $0.1 == c }.count) / Double(n)
            }.reduce(0, +)
            guard pe < 1 else { continue }
            let expected = (po - pe) / (1 - pe)
            #expect(abs((Agreement.cohen(t)?.value ?? .nan) - expected) < 1e-12)
            // With two coders and no missing values, α is κ's small-sample cousin: Scott's π with
            // an (n−1)/n … correction; both fall to 0 together when the mixes make agreement chance.
            let alpha = Agreement.krippendorffNominal(pairs.map { [$0.0, $0.1] })
            let fleiss = Agreement.fleiss(pairs.map { p in (0..<4).map { c in (p.0 == c ? 1 : 0) + (p.1 == c ? 1 : 0) } })
            if let alpha, let fleiss {
                // Fleiss' κ with two raters is Scott's π; α = 1 − (2n−1)/(2n) · (1 − π).
                let pi = fleiss
                #expect(abs(alpha - (1 - (2 * Double(n) - 1) / (2 * Double(n)) * (1 - pi))) < 1e-9)
            }
        }
    }
}
