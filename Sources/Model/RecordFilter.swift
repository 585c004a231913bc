/// What a reviewer narrows the list to. Every field is optional; all given fields must hold.
public struct RecordFilter: Equatable, Sendable {
    /// Any of these organisations (normalised names). Empty: all.
    public var orgs: [String]
    /// Inclusive calendar days in Asia/Shanghai, as the start-of-day epoch of each.
    public var fromDay: Int64?
    public var toDay: Int64?
    public var status: ReviewStatus?
    /// `.some(nil)` is not used: "no label" is `status == .unlabeled`.
    public var label: Label?
    public var biz1: String?
    public var biz2: String?
    /// The text condition in the query language of `TextQuery` (words that must occur, `-word`,
    /// "phrases", `问:`/`答:`): plain substrings, not patterns.
    public var text: String?
    /// One hot-question topic (TOP10's `Enter`): its hash and, for the screen, its title.
    public var topic: TopicFilter?
    /// Records assigned to this reviewer (`workbench assign`; the app's 我的任务). Tested by the
    /// store only (a record does not carry its assignment): `matches` ignores it.
    public var assignee: String?

    public var textQuery: TextQuery { TextQuery(parsing: text ?? "") }

    /// The same filter without its text condition.
    public var withoutText: RecordFilter {
        var f = self
        f.text = nil
        return f
    }

    public init(
        orgs: [String] = [], fromDay: Int64? = nil, toDay: Int64? = nil, status: ReviewStatus? = nil,
        label: Label? = nil, biz1: String? = nil, biz2: String? = nil, text: String? = nil, topic: TopicFilter? = nil,
        assignee: String? = nil
    ) {
        self.topic = topic
        self.assignee = assignee
        self.orgs = orgs
        self.fromDay = fromDay
        self.toDay = toDay
        self.status = status
        self.label = label
        self.biz1 = biz1
        self.biz2 = biz2
        self.text = text
    }

    /// Epoch range [lower, upper) the period covers.
    public var askedAtLowerBound: Int64? { fromDay }
    public var askedAtUpperBound: Int64? { toDay.map { $0 + 86400 } }

    /// The business type filter as `L1` or `L1/L2`.
    public mutating func setBusinessType(_ text: String) {
        let t = BusinessType(parsing: text)
        biz1 = t.level1
        biz2 = t.level2
    }

    /// The same test the store's query makes, for records already in memory (and for tests that
    /// check the two agree). Business type here is the effective one (correction first).
    public func matches(_ r: InteractionRecord) -> Bool {
        if !orgs.isEmpty, !orgs.contains(r.org) { return false }
        if let lo = askedAtLowerBound, r.askedAt < lo { return false }
        if let hi = askedAtUpperBound, r.askedAt >= hi { return false }
        if let status, r.status != status { return false }
        if let label, r.label != label { return false }
        if let biz1, r.effectiveBiz1 != biz1 { return false }
        if let biz2, r.effectiveBiz2 != biz2 { return false }
        if let text, !TextQuery(parsing: text).matches(question: r.question, answer: r.answer) { return false }
        if let topic, QuestionTopic.bundled.topic(of: r) != topic.hash { return false }
        return true
    }
}

import Foundation

/// The records of one TOP10 topic (grouped as `QuestionTopic` says).
public struct TopicFilter: Equatable, Sendable {
    public var hash: Int64
    public var title: String
    public init(hash: Int64, title: String) {
        self.hash = hash
        self.title = title
    }
}

extension RecordFilter {
    /// What the figures of a filter count (准确率, 命中率 …), the same in the app's panel, an
    /// export's summary and a report: the filter without its 状态 and 标注 conditions — the share
    /// of correct answers among 未标注 records means nothing (issue 16, point 6).
    public var statisticsScope: RecordFilter {
        var f = self
        f.status = nil
        f.label = nil
        return f
    }
}
