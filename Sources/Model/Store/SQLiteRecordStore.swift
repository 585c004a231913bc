import Foundation
import GRDB

/// The embedded store: one SQLite file through GRDB, in WAL mode so a reader never waits for a
/// writer and two reviewers' processes can share the file.
public final class SQLiteRecordStore: RecordStore {
    let dbQueue: DatabaseQueue
    public let path: String
    public var location: String { path }

    /// Opens (creating with owner-only permissions if needed) and migrates the database at `path`.
    public init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        do {
            if !dir.isEmpty, !fm.fileExists(atPath: dir) {
                try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            if !fm.fileExists(atPath: path) {
                // SQLite gives its -wal and -shm files the database file's mode, so 0600 here covers all three.
                guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw StoreError.cannotOpen(path, "cannot create the file")
                }
            }
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.journalMode = .wal
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            dbQueue = try DatabaseQueue(path: path, configuration: config)
            try SQLiteSchema.migrator.migrate(dbQueue)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.cannotOpen(path, e.message ?? "\(e)")
        } catch {
            throw StoreError.cannotOpen(path, error.localizedDescription)
        }
    }

    // MARK: reading

    static let columns = """
        seq, id, session_id, turn, asked_at, channel, org, question, answer, knowledge_id, standard_question,
        fallback, hit_flag, biz1, biz2, corrected_biz1, corrected_biz2, satisfaction, label, status, reviewer,
        labeled_at, reviewed_by, reviewed_at, note
        """

    static func decode(_ row: Row) -> InteractionRecord {
        func bool(_ i: Int) -> Bool? { (row[i] as Int64?).map { $0 != 0 } }
        return InteractionRecord(
            id: row[1], sessionId: row[2], turn: row[3], askedAt: row[4], channel: row[5], org: row[6],
            question: row[7], answer: row[8], knowledgeId: row[9], standardQuestion: row[10],
            fallback: bool(11), hitFlag: bool(12), biz1: row[13], biz2: row[14], correctedBiz1: row[15],
            correctedBiz2: row[16], satisfaction: row[17], label: (row[18] as String?).flatMap(Label.init(rawValue:)),
            status: ReviewStatus(rawValue: row[19]) ?? .unlabeled, reviewer: row[20], labeledAt: row[21],
            reviewedBy: row[22], reviewedAt: row[23], note: row[24])
    }

    /// WHERE clause and arguments for a filter; shared by page and count so they always agree.
    static func whereClause(_ f: RecordFilter) -> (String, StatementArguments) {
        var parts: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        if !f.orgs.isEmpty {
            parts.append("org IN (\(Array(repeating: "?", count: f.orgs.count).joined(separator: ",")))")
            args += f.orgs.map { $0 }
        }
        if let lo = f.askedAtLowerBound { parts.append("asked_at >= ?"); args.append(lo) }
        if let hi = f.askedAtUpperBound { parts.append("asked_at < ?"); args.append(hi) }
        if let s = f.status { parts.append("status = ?"); args.append(s.rawValue) }
        if let l = f.label { parts.append("label = ?"); args.append(l.code) }
        if let b = f.biz1 { parts.append("eff_biz1 = ?"); args.append(b) }
        if let b = f.biz2 { parts.append("eff_biz2 = ?"); args.append(b) }
        for t in f.textTerms {
            // instr: a plain substring, no LIKE wildcards or ASCII case folding.
            parts.append("(instr(question, ?) > 0 OR instr(answer, ?) > 0)")
            args += [t, t]
        }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), StatementArguments(args))
    }

    public func totalCount() throws -> Int {
        try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0 }
    }

    public func count(_ filter: RecordFilter) throws -> Int {
        let (w, args) = Self.whereClause(filter)
        return try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE \(w)", arguments: args) ?? 0 }
    }

    public func page(_ filter: RecordFilter, after cursor: PageCursor?, limit: Int) throws -> RecordPage {
        var (w, args) = Self.whereClause(filter)
        if let c = cursor {
            w += " AND (asked_at < ? OR (asked_at = ? AND seq < ?))"
            args += [c.askedAt, c.askedAt, c.seq]
        }
        let sql = "SELECT \(Self.columns) FROM record WHERE \(w) ORDER BY asked_at DESC, seq DESC LIMIT ?"
        args += [limit]
        return try dbQueue.read { db in
            var records: [InteractionRecord] = []
            var last: PageCursor?
            let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
            while let row = try rows.next() {
                records.append(Self.decode(row))
                last = PageCursor(askedAt: row[4], seq: row[0])
            }
            return RecordPage(records: records, next: records.count == limit ? last : nil)
        }
    }

    public func record(id: String) throws -> InteractionRecord? {
        try dbQueue.read { db in try Self.fetchRecord(db, id: id) }
    }

    static func fetchRecord(_ db: Database, id: String) throws -> InteractionRecord? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM record WHERE id = ?", arguments: [id]).map(decode)
    }

    // MARK: labels

    public func setLabel(_ label: Label?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeLabel(recordId: recordId, reviewer: reviewer, at: at) { r in
            guard r.label != label else { return nil }
            return (label, label == nil ? .unlabeled : .labeled, label == nil ? .clear : .label)
        }
    }

    public func markReviewed(recordId: String, label: Label?, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeLabel(recordId: recordId, reviewer: reviewer, at: at) { r in
            let newLabel = label ?? r.label
            guard let newLabel else { throw StoreError.notLabeled(recordId) }
            if r.status == .reviewed, r.label == newLabel { return nil }
            return (newLabel, .reviewed, .review)
        }
    }

    /// One short IMMEDIATE transaction: read the current state, decide, update, append history.
    /// Committed before it returns, so a caller that draws "saved" afterwards tells the truth.
    private func writeLabel(
        recordId: String, reviewer: String, at: Int64,
        decide: (InteractionRecord) throws -> (Label?, ReviewStatus, LabelChange.Action)?
    ) throws -> LabelChange? {
        try dbQueue.writeWithoutTransaction { db in
            var change: LabelChange?
            try db.inTransaction(.immediate) {
                guard let r = try Self.fetchRecord(db, id: recordId) else { throw StoreError.recordNotFound(recordId) }
                guard let (newLabel, newStatus, action) = try decide(r) else { return .commit }
                let c = LabelChange(
                    recordId: recordId, action: action, oldLabel: r.label, newLabel: newLabel, oldStatus: r.status,
                    newStatus: newStatus, reviewer: reviewer, at: at)
                switch action {
                case .review:
                    try db.execute(
                        sql: "UPDATE record SET label = ?, status = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
                        arguments: [newLabel?.code, newStatus.rawValue, reviewer, at, recordId])
                case .clear:
                    try db.execute(
                        sql: """
                            UPDATE record SET label = NULL, status = 'unlabeled', reviewer = NULL, labeled_at = NULL,
                            reviewed_by = NULL, reviewed_at = NULL WHERE id = ?
                            """,
                        arguments: [recordId])
                case .label, .import:
                    // A new label undoes an earlier second review: it has not been confirmed.
                    try db.execute(
                        sql: """
                            UPDATE record SET label = ?, status = ?, reviewer = ?, labeled_at = ?,
                            reviewed_by = NULL, reviewed_at = NULL WHERE id = ?
                            """,
                        arguments: [newLabel?.code, newStatus.rawValue, reviewer, at, recordId])
                }
                try Self.appendHistory(db, c)
                change = c
                return .commit
            }
            return change
        }
    }

    static func appendHistory(_ db: Database, _ c: LabelChange) throws {
        try db.execute(
            sql: """
                INSERT INTO label_history (record_id, action, old_label, new_label, old_status, new_status, reviewer, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [c.recordId, c.action.rawValue, c.oldLabel?.code, c.newLabel?.code, c.oldStatus.rawValue,
                        c.newStatus.rawValue, c.reviewer, c.at])
    }

    public func history(recordId: String) throws -> [LabelChange] {
        try dbQueue.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT record_id, action, old_label, new_label, old_status, new_status, reviewer, at
                    FROM label_history WHERE record_id = ? ORDER BY seq
                    """,
                arguments: [recordId]
            ).map { row in
                LabelChange(
                    recordId: row[0], action: LabelChange.Action(rawValue: row[1]) ?? .label,
                    oldLabel: (row[2] as String?).flatMap(Label.init(rawValue:)),
                    newLabel: (row[3] as String?).flatMap(Label.init(rawValue:)),
                    oldStatus: ReviewStatus(rawValue: row[4]) ?? .unlabeled,
                    newStatus: ReviewStatus(rawValue: row[5]) ?? .unlabeled, reviewer: row[6], at: row[7])
            }
        }
    }

    // MARK: import

    public func importBatch<T>(_ body: (any ImportSink) throws -> T) throws -> T {
        let result = try dbQueue.writeWithoutTransaction { db -> T in
            var result: T?
            try db.inTransaction(.immediate) {
                let sink = try SQLiteImportSink(db)
                result = try body(sink)
                return .commit
            }
            return result!
        }
        // Keep the planner's statistics current after big changes, and fold the WAL back into the
        // file so it does not stay as large as the import.
        try dbQueue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA analysis_limit = 1000; PRAGMA optimize;")
            _ = try? db.checkpoint(.truncate)
        }
        return result
    }

    public func recordImport(file: String, format: String, encoding: String, imported: Int, existing: Int,
                             rejected: Int, seconds: Double) throws {
        try dbQueue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO import_log (file, format, encoding, imported, existing, rejected, finished_at, seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [file, format, encoding, imported, existing, rejected, Int64(Date().timeIntervalSince1970), seconds])
        }
    }
}

/// Inserts with one prepared statement; `INSERT OR IGNORE` on the unique id makes re-imports add
/// nothing twice, and `changesCount` says which rows were new.
final class SQLiteImportSink: ImportSink {
    let db: Database
    let insertStatement: Statement

    init(_ db: Database) throws {
        self.db = db
        insertStatement = try db.makeStatement(sql: """
            INSERT OR IGNORE INTO record (id, session_id, turn, asked_at, channel, org, question, answer, knowledge_id,
              standard_question, fallback, hit_flag, biz1, biz2, corrected_biz1, corrected_biz2, satisfaction, label,
              status, reviewer, labeled_at, reviewed_by, reviewed_at, note)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    func insert(_ r: InteractionRecord) throws -> Bool {
        try insertStatement.execute(arguments: [
            r.id, r.sessionId, r.turn, r.askedAt, r.channel, r.org, r.question, r.answer, r.knowledgeId,
            r.standardQuestion, r.fallback, r.hitFlag, r.biz1, r.biz2, r.correctedBiz1, r.correctedBiz2,
            r.satisfaction, r.label?.code, r.status.rawValue, r.reviewer, r.labeledAt, r.reviewedBy, r.reviewedAt,
            r.note,
        ])
        guard db.changesCount > 0 else { return false }
        if r.label != nil || r.status != .unlabeled {
            // A label that arrives with the data is a change too: the history says where it came from.
            try SQLiteRecordStore.appendHistory(db, LabelChange(
                recordId: r.id, action: .import, oldLabel: nil, newLabel: r.label, oldStatus: .unlabeled,
                newStatus: r.status, reviewer: r.reviewedBy ?? r.reviewer ?? "import", at: r.reviewedAt ?? r.labeledAt ?? 0))
        }
        return true
    }
}
