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
}
