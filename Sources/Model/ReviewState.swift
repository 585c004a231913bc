/// The part of a record reviewers change: label, status, who and when, the business-type
/// correction and the note. Undo puts a saved copy of it back, whatever the change was.
public struct ReviewState: Equatable, Sendable {
    public var label: Label?
    public var status: ReviewStatus
    public var reviewer: String?
    public var labeledAt: Int64?
    public var reviewedBy: String?
    public var reviewedAt: Int64?
    public var correctedBiz1: String?
    public var correctedBiz2: String?
    public var note: String?

    public init(
        label: Label? = nil, status: ReviewStatus = .unlabeled, reviewer: String? = nil, labeledAt: Int64? = nil,
        reviewedBy: String? = nil, reviewedAt: Int64? = nil, correctedBiz1: String? = nil,
        correctedBiz2: String? = nil, note: String? = nil
    ) {
        self.label = label
        self.status = status
        self.reviewer = reviewer
        self.labeledAt = labeledAt
        self.reviewedBy = reviewedBy
        self.reviewedAt = reviewedAt
        self.correctedBiz1 = correctedBiz1
        self.correctedBiz2 = correctedBiz2
        self.note = note
    }
}

extension InteractionRecord {
    /// The same as `review` (the name undo and the store use).
    public var reviewState: ReviewState {
        get { review }
        set { review = newValue }
    }
}
