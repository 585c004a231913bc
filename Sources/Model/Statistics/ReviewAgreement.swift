/// Agreement between a record's label and a second review of it by someone else (已复核: the
/// reviewer confirms the label or changes it) — the pairs the history already holds. They are not
/// blind (the second reviewer saw the first label), so they bound agreement from above.
public struct ReviewPair: Equatable, Sendable {
    public let recordId: String
    public let first: String
    public let firstLabel: Label
    public let second: String
    public let secondLabel: Label
}

public struct AgreementSummary: Sendable {
    public struct Group: Sendable {
        public let name: String
        public let table: Agreement.Table
        public var n: Int { table.n }
        public var percent: Double? { table.observed }
        public var kappa: Agreement.Kappa? { Agreement.cohen(table) }
    }

    public let pairs: [ReviewPair]
    /// Every pair: first label (rows) × second review (columns), in `Label.allCases` order.
    public let all: Group
    /// Per reviewer pair ("李娜 → 王强": who labelled, who reviewed).
    public let byReviewers: [Group]
    public let byOrg: [Group]
    /// Krippendorff's α (nominal) over every pair.
    public let alpha: Double?
    /// Fleiss' κ over every pair (two ratings an item, whoever gave them).
    public let fleiss: Double?

    /// Agreement on one label: 2·both ÷ (first's + second's uses of it).
    public func specific(_ l: Label) -> (value: Double?, n: Int) {
        let i = Label.allCases.firstIndex(of: l)!
        let row = all.table.counts[i].reduce(0, +), col = all.table.counts.reduce(0) { $0 + $1[i] }
        return (row + col == 0 ? nil : 2 * Double(all.table.counts[i][i]) / Double(row + col), row + col)
    }

    public init(pairs: [ReviewPair], orgOf: [String: String]) {
        self.pairs = pairs
        func index(_ l: Label) -> Int { Label.allCases.firstIndex(of: l)! }
        func group(_ name: String, _ ps: [ReviewPair]) -> Group {
            var t = Agreement.Table(k: Label.allCases.count)
            for p in ps { t.add(index(p.firstLabel), index(p.secondLabel)) }
            return Group(name: name, table: t)
        }
        all = group("全部", pairs)
        byReviewers = Dictionary(grouping: pairs) { "\($0.first) → \($0.second)" }
            .map { group($0.key, $0.value) }.sorted { ($0.n, $1.name) > ($1.n, $0.name) }
        byOrg = Dictionary(grouping: pairs) { orgOf[$0.recordId] ?? "?" }
            .map { group($0.key, $0.value) }.sorted { ($0.n, $1.name) > ($1.n, $0.name) }
        alpha = Agreement.krippendorffNominal(pairs.map { [index($0.firstLabel), index($0.secondLabel)] })
        fleiss = Agreement.fleiss(pairs.map { p in
            Label.allCases.map { l in (p.firstLabel == l ? 1 : 0) + (p.secondLabel == l ? 1 : 0) }
        })
    }
}

extension Agreement {
    /// The latest second review of each record by someone other than its labeller, from the
    /// history in order (`historySince(0)`). The first label is the last one given before it: in
    /// this tool, or arriving with imported data (the labeller's, when the log names one). A record
    /// that arrived already reviewed carries one label only — the first one is not in the data,
    /// so it gives no pair (its reviewer's label is the first of a later review).
    public static func reviewPairs(_ history: [LabelChange]) -> [ReviewPair] {
        var owner: [String: (String, Label)] = [:]
        var out: [String: ReviewPair] = [:]
        for c in history {
            switch c.action {
            case .label:
                if let l = c.newLabel { owner[c.recordId] = (c.reviewer, l) }
            case .import:
                // `ReviewRules.importedLabel`: the labeller (or the reviewer, for a reviewed one);
                // `import` when the log names nobody.
                if let l = c.newLabel, c.newStatus != .unlabeled, c.reviewer != ReviewRules.unnamedImporter {
                    owner[c.recordId] = (c.reviewer, l)
                } else {
                    owner[c.recordId] = nil
                }
            case .clear, .undo, .adjudicate, .sendBack:
                // Who stands behind a restored label is not in the row: no pair from it.
                owner[c.recordId] = nil
            case .review:
                guard let (who, l) = owner[c.recordId], who != c.reviewer, let l2 = c.newLabel else { continue }
                out[c.recordId] = ReviewPair(recordId: c.recordId, first: who, firstLabel: l, second: c.reviewer, secondLabel: l2)
                owner[c.recordId] = (c.reviewer, l2)
            case .note, .businessType, .vote, .mask, .org:
                continue
            }
        }
        return out.values.sorted { $0.recordId < $1.recordId }
    }
}
