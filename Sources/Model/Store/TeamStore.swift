/// A reviewer's hold on a record: while it lasts, "next unlabelled" skips the record for everyone
/// else and their label on it needs a confirming key. It ends on its own (a killed app's too).
public struct Lease: Equatable, Sendable {
    public let key: RecordKey
    public let reviewer: String
    /// When this reviewer first took it (renewals keep it).
    public let since: Int64
    public let expires: Int64

    public init(key: RecordKey, reviewer: String, since: Int64, expires: Int64) {
        self.key = key
        self.reviewer = reviewer
        self.since = since
        self.expires = expires
    }
}

/// What a label write does about another reviewer's work on the record (their label, or their
/// unexpired lease).
public enum OthersWork: Sendable {
    /// Writes anyway (commands, scripts, a confirmed key); the history marks it as an override.
    case overwrite
    /// Writes nothing and throws `StoreError.othersWork`, so the app can ask first.
    case refuse
}

/// Reviewers sharing one database: leases on the records they are on. Part of every
/// `RecordStore`, so each store (the SQLite file, a server) does it atomically its own way.
public protocol TeamStore: AnyObject {
    /// How long a lease lasts unless renewed (seconds).
    static var leaseSeconds: Int64 { get }

    /// Claims these records for `reviewer` until `at + leaseSeconds`, in one atomic step: a record
    /// another reviewer holds unexpired is left out; the reviewer's own leases on them are renewed,
    /// and the reviewer's other leases end. Returns the keys the reviewer now holds.
    func claim(_ keys: [RecordKey], reviewer: String, at: Int64) throws -> Set<RecordKey>
    /// Unexpired leases on these records held by anyone but `reviewer`.
    func leases(_ keys: [RecordKey], except reviewer: String, at: Int64) throws -> [RecordKey: Lease]
    /// Ends every lease the reviewer holds (the app quits).
    func releaseLeases(reviewer: String) throws

    /// Splits the filter's records among reviewers by their shares (2:1 gives the first two of
    /// every three, interleaved in list order so each gets the same mix of days and counties);
    /// a record assigned before goes to its new reviewer. Returns how many each got.
    func assign(_ filter: RecordFilter, to shares: [(reviewer: String, share: Int)], by: String, at: Int64) throws -> [String: Int]
    /// Per reviewer: records assigned, and of those still unlabelled.
    func assignments() throws -> [String: (assigned: Int, open: Int)]

    // Blind double review: a sample of records that need two labels from two reviewers. A label
    // on a sampled, undecided record is that reviewer's own vote (`setLabel` records it); when the
    // second reviewer's vote agrees the record takes the label, else it waits for a supervisor.

    /// Draws the sample from the filter's unlabelled records: `rate` of each organisation × week
    /// (rounded), chosen by `seed` (the same seed, data and rate draw the same records). Returns how
    /// many records joined the sample.
    func drawSample(_ filter: RecordFilter, rate: Double, seed: UInt64, by: String, at: Int64) throws -> Int
    /// Where these records stand in the double review (records not sampled are left out).
    func sampleState(_ keys: [RecordKey], reviewer: String) throws -> [RecordKey: SampleState]
    /// Every vote, oldest first (for the agreement figures).
    func votes() throws -> [Vote]
    /// Sampled records whose two votes differ and that nobody has decided, oldest first.
    func disputes(limit: Int) throws -> [Dispute]
    func disputeCount() throws -> Int
    /// Whether any record has been sampled (a cheap check before reading sample states).
    func sampleExists() throws -> Bool
    /// Sampled records with one label in, given by someone other than `reviewer`, not decided and
    /// not held by anyone else: the ones this reviewer can complete, oldest first label first.
    func awaitingSecondVote(reviewer: String, at: Int64, limit: Int) throws -> [RecordKey]
    /// A supervisor decides a dispute: the record takes `label` (已复核 by them).
    @discardableResult
    func adjudicate(recordId: String, label: Label, by: String, at: Int64) throws -> LabelChange?
    /// Sends a dispute back: both votes are withdrawn (the history keeps them), the note says why.
    @discardableResult
    func sendBack(recordId: String, note: String, by: String, at: Int64) throws -> LabelChange?
}

/// One reviewer's own label on a double-review record.
public struct Vote: Equatable, Sendable {
    public let key: RecordKey
    public let recordId: String
    public let reviewer: String
    public let label: Label
    public let note: String?
    public let at: Int64

    public init(key: RecordKey, recordId: String, reviewer: String, label: Label, note: String?, at: Int64) {
        self.key = key
        self.recordId = recordId
        self.reviewer = reviewer
        self.label = label
        self.note = note
        self.at = at
    }
}

/// A double-review record as one reviewer may see it: how many votes are in and their own (never
/// the other's before both are in).
public struct SampleState: Equatable, Sendable {
    public let votes: Int
    public let mine: Label?
    /// Two votes that differ, undecided.
    public let disputed: Bool

    public init(votes: Int, mine: Label?, disputed: Bool) {
        self.votes = votes
        self.mine = mine
        self.disputed = disputed
    }
}

public struct Dispute: Equatable, Sendable {
    public let key: RecordKey
    public let recordId: String
    public let votes: [Vote]
}

extension Agreement {
    /// The double review's pairs: each sampled record's first two votes by different reviewers.
    public static func votePairs(_ votes: [Vote]) -> [ReviewPair] {
        var first: [RecordKey: Vote] = [:]
        var out: [ReviewPair] = []
        for v in votes {
            guard let a = first[v.key] else { first[v.key] = v; continue }
            guard a.reviewer != v.reviewer, !out.contains(where: { $0.recordId == v.recordId }) else { continue }
            out.append(ReviewPair(recordId: v.recordId, first: a.reviewer, firstLabel: a.label, second: v.reviewer, secondLabel: v.label))
        }
        return out
    }
}
