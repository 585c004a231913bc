import Foundation

/// One citizen question and the bot's answer, as logged, plus what reviewers said of it.
public struct InteractionRecord: Equatable, Sendable {
    /// The log's 记录ID, kept as text (18-digit IDs must not become numbers). Generated from a content
    /// hash only when the log has none, so a re-import finds the same record.
    public var id: String
    public var sessionId: String?
    public var turn: Int?
    /// Seconds since 1970 (UTC); shown and filtered in Asia/Shanghai.
    public var askedAt: Int64
    public var channel: String?
    /// Normalised organisation name (港闸区 → 崇川区 …).
    public var org: String
    public var question: String
    /// 问答结果, complete.
    public var answer: String
    public var knowledgeId: String?
    public var standardQuestion: String?
    /// 是否兜底 as logged; nil when the log does not say.
    public var fallback: Bool?
    /// 是否命中 as logged; nil when the log does not say.
    public var hitFlag: Bool?
    public var biz1: String?
    public var biz2: String?
    public var satisfaction: String?
    /// What reviewers changed: label, status, who and when, the business-type correction, the note.
    public var review: ReviewState

    public init(
        id: String, sessionId: String? = nil, turn: Int? = nil, askedAt: Int64, channel: String? = nil,
        org: String, question: String, answer: String, knowledgeId: String? = nil,
        standardQuestion: String? = nil, fallback: Bool? = nil, hitFlag: Bool? = nil,
        biz1: String? = nil, biz2: String? = nil, correctedBiz1: String? = nil, correctedBiz2: String? = nil,
        satisfaction: String? = nil, label: Label? = nil, status: ReviewStatus? = nil, reviewer: String? = nil,
        labeledAt: Int64? = nil, reviewedBy: String? = nil, reviewedAt: Int64? = nil, note: String? = nil
    ) {
        self.id = id
        self.sessionId = sessionId
        self.turn = turn
        self.askedAt = askedAt
        self.channel = channel
        self.org = org
        self.question = question
        self.answer = answer
        self.knowledgeId = knowledgeId
        self.standardQuestion = standardQuestion
        self.fallback = fallback
        self.hitFlag = hitFlag
        self.biz1 = biz1
        self.biz2 = biz2
        self.satisfaction = satisfaction
        review = ReviewState(
            label: label, status: status ?? (label == nil ? .unlabeled : .labeled), reviewer: reviewer,
            labeledAt: labeledAt, reviewedBy: reviewedBy, reviewedAt: reviewedAt, correctedBiz1: correctedBiz1,
            correctedBiz2: correctedBiz2, note: note)
    }

    /// Business type that statistics use: the reviewer's correction where there is one.
    public var effectiveBiz1: String? { correctedBiz1 ?? biz1 }
    public var effectiveBiz2: String? { correctedBiz1 != nil ? correctedBiz2 : biz2 }

    // The review fields, read and written through `review` (one copy, not two).
    public var label: Label? { get { review.label } set { review.label = newValue } }
    public var status: ReviewStatus { get { review.status } set { review.status = newValue } }
    public var reviewer: String? { get { review.reviewer } set { review.reviewer = newValue } }
    public var labeledAt: Int64? { get { review.labeledAt } set { review.labeledAt = newValue } }
    public var reviewedBy: String? { get { review.reviewedBy } set { review.reviewedBy = newValue } }
    public var reviewedAt: Int64? { get { review.reviewedAt } set { review.reviewedAt = newValue } }
    /// 人工修正分类: the reviewer's correction of the business type.
    public var correctedBiz1: String? { get { review.correctedBiz1 } set { review.correctedBiz1 = newValue } }
    public var correctedBiz2: String? { get { review.correctedBiz2 } set { review.correctedBiz2 = newValue } }
    public var note: String? { get { review.note } set { review.note = newValue } }
}
