import Foundation

/// How each reviewer works, from the label history: how much, how fast, how their label mix
/// compares with the team's, how often others agree with them, how often a supervisor overturned
/// them, and streaks too fast to have read the answer.
public struct ReviewerFigures: Sendable {
    public struct Row: Sendable {
        public let reviewer: String
        /// Labels, second reviews and double-review labels given.
        public let labels: Int
        /// Seconds between consecutive labels, counting only gaps of at most `idleGap` (longer is not work).
        public let activeSeconds: Int64
        public var itemsPerHour: Double? { activeSeconds > 0 ? Double(labels) * 3600 / Double(activeSeconds) : nil }
        /// Median gap between consecutive labels (gaps of at most `idleGap`).
        public let medianSeconds: Double?
        /// Labels given, in `Label.allCases` order.
        public let mix: [Int]
        /// χ² test of homogeneity of this mix against everyone else's (df 3): its p-value.
        public let mixP: Double?
        /// Blind double review: pairs with another reviewer, and how many agreed.
        public let pairs: Int
        public let agreed: Int
        /// Their double-review labels a supervisor decided on, and how many went the other way.
        public let adjudicated: Int
        public let overturned: Int
        /// Runs of `streakLength` or more labels each under `fastSeconds` after the previous, on answers
        /// over `longAnswer` characters: the records of each run.
        public let fastStreaks: [[String]]
        public var mixDiffers: Bool { (mixP ?? 1) < 0.01 }
    }

    public static let idleGap: Int64 = 300
    public static let fastSeconds: Int64 = 3
    public static let longAnswer = 200
    public static let streakLength = 10

    public let rows: [Row]
    public let teamMix: [Int]

    /// `history`: every change, oldest first; `from`/`to`: the period (epoch seconds, inclusive
    /// start, exclusive end); `answerLength`: an answer's length in characters by record id.
    public init(history: [LabelChange], votes: [Vote], from: Int64? = nil, to: Int64? = nil,
                answerLength: (String) -> Int?) {
        let acts = history.filter { c in
            [.label, .review, .vote].contains(c.action) && c.newLabel != nil
                && (from.map { c.at >= $0 } ?? true) && (to.map { c.at < $0 } ?? true)
                // The label two equal votes gave a record is not another act of its second voter.
                && !(c.action == .label && (c.newValue?.hasPrefix("双评一致") ?? false))
        }
        let byReviewer = Dictionary(grouping: acts, by: \.reviewer)
        let k = Label.allCases.count
        func mixOf(_ cs: [LabelChange]) -> [Int] {
            var m = Array(repeating: 0, count: k)
            for c in cs { if let l = c.newLabel, let i = Label.allCases.firstIndex(of: l) { m[i] += 1 } }
            return m
        }
        let team = mixOf(acts)
        teamMix = team
        let pairs = Agreement.votePairs(votes)
        // Decisions on disputed records: the adjudicated label by record.
        var decided: [String: Label] = [:]
        for c in history where c.action == .adjudicate { decided[c.recordId] = c.newLabel }
        rows = byReviewer.map { who, cs in
            let sorted = cs.sorted { $0.at < $1.at }
            var gaps: [Int64] = []
            var streaks: [[String]] = []
            var run: [String] = []
            // A label is fast when it came under `fastSeconds` after the reviewer's previous one.
            for (i, c) in sorted.enumerated() {
                let gap = i > 0 ? c.at - sorted[i - 1].at : Int64.max
                if gap <= Self.idleGap { gaps.append(gap) }
                if gap < Self.fastSeconds, (answerLength(c.recordId) ?? 0) > Self.longAnswer {
                    run.append(c.recordId)
                } else {
                    if run.count >= Self.streakLength { streaks.append(run) }
                    run = []
                }
            }
            if run.count >= Self.streakLength { streaks.append(run) }
            let g = gaps.sorted()
            let median: Double? = g.isEmpty ? nil
                : (g.count % 2 == 1 ? Double(g[g.count / 2]) : Double(g[g.count / 2 - 1] + g[g.count / 2]) / 2)
            let mine = mixOf(cs)
            let others = zip(team, mine).map { $0 - $1 }
            let theirPairs = pairs.filter { $0.first == who || $0.second == who }
            let theirVotes = votes.filter { $0.reviewer == who && decided[$0.recordId] != nil }
            return Row(reviewer: who, labels: cs.count, activeSeconds: gaps.reduce(0, +), medianSeconds: median, mix: mine,
                       mixP: Self.homogeneityP(mine, others),
                       pairs: theirPairs.count, agreed: theirPairs.filter { $0.firstLabel == $0.secondLabel }.count,
                       adjudicated: theirVotes.count, overturned: theirVotes.filter { decided[$0.recordId] != $0.label }.count,
                       fastStreaks: streaks)
        }.sorted { ($0.labels, $1.reviewer) > ($1.labels, $0.reviewer) }
    }

    /// p of Pearson's χ² test of homogeneity for two rows of counts over four categories (df 3,
    /// fewer when a category is empty in both); nil when either row is empty.
    public static func homogeneityP(_ a: [Int], _ b: [Int]) -> Double? {
        let na = Double(a.reduce(0, +)), nb = Double(b.reduce(0, +))
        guard na > 0, nb > 0 else { return nil }
        var chi = 0.0, df = -1
        for (x, y) in zip(a, b) where x + y > 0 {
            df += 1
            let col = Double(x + y), n = na + nb
            for (obs, row) in [(Double(x), na), (Double(y), nb)] {
                let e = row * col / n
                chi += (obs - e) * (obs - e) / e
            }
        }
        guard df > 0 else { return nil }
        return chiSquareSurvival(chi, df: df)
    }

    /// P(χ²_df ≥ x) for df 1, 2 or 3 (closed forms; four categories give at most 3).
    public static func chiSquareSurvival(_ x: Double, df: Int) -> Double {
        guard x > 0 else { return 1 }
        switch df {
        case 1: return erfc((x / 2).squareRoot())
        case 2: return exp(-x / 2)
        default: return erfc((x / 2).squareRoot()) + (2 * x / Double.pi).squareRoot() * exp(-x / 2)
        }
    }

    /// The figures for a period (`to` exclusive) from a store: the whole label history and the
    /// votes; answers are read only for labels given fast (streak candidates), each once.
    public static func load(_ store: any RecordStore, from: Int64?, to: Int64?) throws -> ReviewerFigures {
        var lengths: [String: Int] = [:]
        return ReviewerFigures(history: try store.historySince(0).changes, votes: try store.votes(), from: from, to: to) { id in
            if let n = lengths[id] { return n }
            let n = (try? store.record(id: id)).flatMap { $0 }.map { RecordText.count(RecordText.answer($0)) } ?? 0
            lengths[id] = n
            return n
        }
    }
}
