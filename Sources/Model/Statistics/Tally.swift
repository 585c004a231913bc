/// Counts behind every figure of domain.md §3 for one group of records (an organisation, or all).
/// Small talk counts in `records` (and in the progress a reviewer sees) but in no metric.
/// Tallies add, and a label change moves one record's contribution: the live panel updates by
/// `move` without asking the store again.
public struct Tally: Equatable, Sendable {
    /// A record's part: whether it is small talk, a hit, decided by template, and its label.
    public struct Contribution: Equatable, Sendable {
        public var smallTalk: Bool
        public var hit: Bool
        public var byTemplate: Bool
        public var label: Label?

        public init(smallTalk: Bool, hit: Bool, byTemplate: Bool, label: Label?) {
            self.smallTalk = smallTalk
            self.hit = hit
            self.byTemplate = byTemplate
            self.label = label
        }
    }

    /// Every record in the filter, small talk included.
    public var records = 0
    public var smallTalk = 0
    /// Records in the filter with a label, small talk included (the reviewer's progress).
    public var labelledAll = 0
    /// Valid records answered from a knowledge entry.
    public var hits = 0
    /// Valid records whose hit was decided by the fallback-template test (the log said nothing).
    public var judgedByTemplate = 0
    /// Valid records per label, in `Label.allCases` order.
    public var labels = [0, 0, 0, 0]

    public init() {}

    public var valid: Int { records - smallTalk }
    public func count(_ l: Label) -> Int { labels[Self.index(l)] }
    /// Valid labelled records.
    public var labelled: Int { labels.reduce(0, +) }
    var judged: Int { count(.missingKnowledge) + count(.misunderstood) + count(.correct) }

    /// 准确率: 回答正确 ÷ (业务缺失 + 理解错误 + 回答正确).
    public var accuracy: Ratio { Ratio(count(.correct), of: judged) }
    /// 准确率(全口径): 回答正确 ÷ all labelled.
    public var accuracyAll: Ratio { Ratio(count(.correct), of: labelled) }
    /// 命中率: hits ÷ valid questions.
    public var hitRate: Ratio { Ratio(hits, of: valid) }
    /// 知识覆盖率: (理解错误 + 回答正确) ÷ (业务缺失 + 理解错误 + 回答正确).
    public var knowledgeCoverage: Ratio { Ratio(count(.misunderstood) + count(.correct), of: judged) }
    /// 非人社占比: 非人社职能 ÷ all labelled.
    public var outOfScopeShare: Ratio { Ratio(count(.outOfScope), of: labelled) }
    /// 标注率: labelled ÷ valid records.
    public var labelRate: Ratio { Ratio(labelled, of: valid) }

    static func index(_ l: Label) -> Int { Label.allCases.firstIndex(of: l)! }

    /// Adds (`times` 1) or removes (`times` -1) one record's part, or `times` identical ones.
    public mutating func add(_ c: Contribution, times: Int = 1) {
        records += times
        if c.label != nil { labelledAll += times }
        if c.smallTalk { smallTalk += times; return }
        if c.hit { hits += times }
        if c.byTemplate { judgedByTemplate += times }
        if let l = c.label { labels[Self.index(l)] += times }
    }

    /// One record changed (its label, or its business type moving it in or out of small talk).
    public mutating func move(from old: Contribution, to new: Contribution) {
        add(old, times: -1)
        add(new)
    }

    public static func + (a: Tally, b: Tally) -> Tally {
        var t = a
        t.records += b.records
        t.smallTalk += b.smallTalk
        t.labelledAll += b.labelledAll
        t.hits += b.hits
        t.judgedByTemplate += b.judgedByTemplate
        for i in 0..<4 { t.labels[i] += b.labels[i] }
        return t
    }

    /// Tallies per group computed in memory (for tests against the store, and small sets).
    public static func of<S: Sequence>(_ records: S, rules: HitRules, groupBy: (InteractionRecord) -> String)
        -> [String: Tally] where S.Element == InteractionRecord
    {
        var out: [String: Tally] = [:]
        for r in records { out[groupBy(r), default: Tally()].add(rules.contribution(of: r)) }
        return out
    }
}

extension Dictionary where Key == String, Value == Tally {
    /// All groups together.
    public var total: Tally { values.reduce(Tally(), +) }
}
