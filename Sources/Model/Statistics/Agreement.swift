import Foundation

/// How far reviewers agree with each other, beyond chance: the figures a supervisor needs before
/// quoting an accuracy made from their labels. Categories are indices 0..<k (the four labels, or
/// any other coding), so the worked examples of the literature can be checked as they are printed.
public enum Agreement {
    /// Two raters' labels on the same items as a k × k table (rows: the first rater).
    public struct Table: Equatable, Sendable {
        public private(set) var counts: [[Int]]
        public var k: Int { counts.count }
        public var n: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }

        public init(k: Int) { counts = Array(repeating: Array(repeating: 0, count: k), count: k) }
        public init(_ counts: [[Int]]) { self.counts = counts }

        public mutating func add(_ first: Int, _ second: Int, times: Int = 1) { counts[first][second] += times }

        /// Share of items both rated alike.
        public var observed: Double? {
            n == 0 ? nil : Double((0..<k).reduce(0) { $0 + counts[$1][$1] }) / Double(n)
        }

        /// The agreement expected by chance from each rater's own mix.
        public var expected: Double? {
            guard n > 0 else { return nil }
            let total = Double(n)
            return (0..<k).reduce(0.0) { sum, c in
                let row = Double(counts[c].reduce(0, +)), col = Double((0..<k).reduce(0) { $0 + counts[$1][c] })
                return sum + row / total * col / total
            }
        }
    }

    /// Cohen's κ with its large-sample standard error (SE = √(pₒ(1−pₒ) / (n(1−pₑ)²))) and 95% interval.
    public struct Kappa: Equatable, Sendable {
        public let value: Double
        public let n: Int
        public let standardError: Double
        /// κ ± 1.96 SE, kept within κ's range [−1, 1].
        public var interval95: (lower: Double, upper: Double) {
            (max(-1, value - 1.96 * standardError), min(1, value + 1.96 * standardError))
        }
        public static func == (a: Kappa, b: Kappa) -> Bool { a.value == b.value && a.n == b.n && a.standardError == b.standardError }
    }

    /// Cohen's κ of a two-rater table; nil when it is empty or chance agreement is total.
    public static func cohen(_ t: Table) -> Kappa? {
        guard let po = t.observed, let pe = t.expected, pe < 1 else { return nil }
        let kappa = (po - pe) / (1 - pe)
        let se = (po * (1 - po) / (Double(t.n) * (1 - pe) * (1 - pe))).squareRoot()
        return Kappa(value: kappa, n: t.n, standardError: se)
    }

    /// Fleiss' κ: `ratings[i][c]` raters put item i in category c; every item has the same number
    /// of raters (at least two).
    public static func fleiss(_ ratings: [[Int]]) -> Double? {
        guard let first = ratings.first, !first.isEmpty else { return nil }
        let raters = first.reduce(0, +)
        guard raters >= 2, ratings.allSatisfy({ $0.count == first.count && $0.reduce(0, +) == raters }) else { return nil }
        let items = Double(ratings.count), r = Double(raters)
        let pBar = ratings.reduce(0.0) { sum, row in
            sum + (row.reduce(0.0) { $0 + Double($1 * $1) } - r) / (r * (r - 1))
        } / items
        let shares = (0..<first.count).map { c in Double(ratings.reduce(0) { $0 + $1[c] }) / (items * r) }
        let pe = shares.reduce(0.0) { $0 + $1 * $1 }
        guard pe < 1 else { return nil }
        return (pBar - pe) / (1 - pe)
    }

    /// Krippendorff's α for nominal data: `units[u]` holds the values the coders gave unit u
    /// (coders who gave none are simply absent; units with fewer than two values are not pairable).
    public static func krippendorffNominal(_ units: [[Int]]) -> Double? {
        var coincidences: [Int: [Int: Double]] = [:]
        for values in units where values.count >= 2 {
            let weight = 1.0 / Double(values.count - 1)
            for (i, a) in values.enumerated() {
                for (j, b) in values.enumerated() where i != j { coincidences[a, default: [:]][b, default: 0] += weight }
            }
        }
        let totals = coincidences.mapValues { $0.values.reduce(0, +) }
        let n = totals.values.reduce(0, +)
        guard n > 1 else { return nil }
        var disagreeObserved = 0.0, disagreeExpected = 0.0
        for (c, row) in coincidences { for (k, o) in row where k != c { disagreeObserved += o } }
        for (c, nc) in totals { for (k, nk) in totals where k != c { disagreeExpected += nc * nk } }
        guard disagreeExpected > 0 else { return nil }
        return 1 - (n - 1) * disagreeObserved / disagreeExpected
    }
}
