// Reason this file is long (737 lines, not one file per feature part): the server store's conformance to `RecordStore`, whose parts share
// its connection and transaction helpers. Issue 33 moves tables, row decoding and filter SQL into a
// store core written once for both databases.
import Foundation

/// The team server's store: the same protocols as the SQLite file, on a PostgreSQL server through
/// postgres-nio (one connection per store; `openAnother` for work on another thread). The tables
/// and the SQL mirror the SQLite store's; where the two differ it is said here.
///
/// - Writes lock the record (`FOR UPDATE`) in a short transaction, decide by `ReviewRules` and
///   write state and history together: two reviewers' keys on one record are serialised.
/// - Leases are one `INSERT … ON CONFLICT DO UPDATE … WHERE` (a row lock per record): of two
///   reviewers claiming at once the second waits for the first's commit and then sees its lease.
/// - Other sessions' changes arrive by LISTEN/NOTIFY (`workbench_changes`, sent by triggers):
///   `changeCounter` is a local count moved by them, so the screen's check costs no round trip.
/// - Text conditions are `LIKE '%…%'` on record_text, answered by pg_trgm's GIN indexes where the
///   server has the extension (exact, like the substring test; no separate index to build).
public final class PostgresRecordStore: RecordStore, KnowledgeStore, @unchecked Sendable {
    let db: PGConnection
    /// Tests: the next COMMIT lands on the server, then the connection drops before its reply is read.
    package func dropConnectionAfterNextCommit() { db.dropAfterNextCommit = true }
    public let address: PostgresAddress
    let url: String
    public var location: String { address.display }
    public private(set) var readOnly: String?
    private let changes = ChangeCount()
    /// A read replica: changes are noticed by polling (`changeCounter`), not by LISTEN.
    private var polling = false

    public static var leaseSeconds: Int64 { 120 }

    final class ChangeCount: @unchecked Sendable {
        private let lock = NSLock()
        private var n: Int64 = 0
        func bump() { lock.lock(); n += 1; lock.unlock() }
        var value: Int64 { lock.lock(); defer { lock.unlock() }; return n }
    }

    /// Connects, listens for other sessions' changes and brings the schema up to date (on a read
    /// replica: checks it is current and opens read-only).
    /// An interactive session (the app's own store) waits at most this long for any one answer
    /// (see `PGConnection.deadline`); its other stores (`openAnother`: searches, the statistics
    /// load) and every command wait as long as it takes.
    public static let interactiveDeadline: TimeInterval = 10

    /// `deadline`: how long to wait for any one answer from the server (nil: as long as it takes).
    public init(url: String, deadline: TimeInterval? = nil) throws {
        self.url = url
        address = try PostgresAddress(url)
        db = try PGConnection(address, deadline: deadline)
        let replica = try db.query("SELECT pg_is_in_recovery()::int::bigint").first?.int64(0) == 1
        try mapping {
            if replica {
                readOnly = "只读副本 (a read replica)"
                let applied = Set(try db.query("SELECT id FROM wb_migration").map { $0.string(0) })
                guard PostgresSchema.migrations.allSatisfy({ applied.contains($0.id) }) else {
                    throw StoreError.cannotOpen(location, "只读副本上的结构不是最新，请先在主服务器上运行 workbench db init (the replica's schema is not current)")
                }
                // A standby cannot LISTEN: what the primary's replay brings is noticed by reading
                // the last history and record keys (two index lookups) when the screen asks.
                polling = true
            } else {
                let changes = self.changes
                try db.listen { changes.bump() }
                try PostgresSchema.migrate(db, location: location)
            }
        }
    }

    deinit { db.close() }

    /// Server errors as the store's: one line naming the server, never the SQL or a password.
    func mapping<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch StoreError.cannotOpen(_, let why) {
            // The store was open: this is a reconnect that failed.
            throw StoreError.unreachable(location, why)
        } catch let e as StoreError {
            throw e
        } catch is PGCommitUnknown {
            throw StoreError.unreachable(location, "提交时连接中断，重连后再确认 (the connection went during COMMIT)")
        } catch let e as PGServerError {
            switch e.state {
            case "42501": throw StoreError.server(location, "没有权限：\(e.message) (permission denied for this role)")
            case "25006": throw StoreError.readOnly(location, why: "只读副本 (a read replica)")
            case "57014": throw StoreError.server(location, "语句被取消或超时（statement_timeout）(the statement was cancelled or timed out)")
            case "53300": throw StoreError.server(location, "连接数已满 (the server's connection limit is reached)")
            case "40P01", "40001": throw StoreError.busy(location)
            // The server shutting down or starting up (a restart): try again shortly.
            case "57P01", "57P02", "57P03": throw StoreError.unreachable(location, e.message)
            default: throw StoreError.server(location, e.message)
            }
        } catch where PGConnection.isConnectionLost(error) {
            throw StoreError.unreachable(location, "连接中断 (the connection was lost)")
        }
    }

    func read<T>(_ body: () throws -> T) throws -> T { try mapping(body) }

    func write<T>(_ body: () throws -> T) throws -> T {
        if let readOnly { throw StoreError.readOnly(location, why: readOnly) }
        return try mapping { try db.transaction(body) }
    }

    // MARK: reading

    static let columns = """
        record.seq, id, session_id, turn, asked_at, channel, org, question, answer, knowledge_id, standard_question,
        fallback, hit_flag, biz1, biz2, corrected_biz1, corrected_biz2, satisfaction, label, status, reviewer,
        labeled_at, reviewed_by, reviewed_at, note
        """
    static let joined = "record JOIN record_text ON record_text.seq = record.seq"

    static func decode(_ r: PGRow) -> InteractionRecord {
        InteractionRecord(
            id: r.string(1), sessionId: r.stringOrNil(2), turn: r.intOrNil(3), askedAt: r.int64(4), channel: r.stringOrNil(5),
            org: r.string(6), question: r.string(7), answer: r.string(8), knowledgeId: r.stringOrNil(9),
            standardQuestion: r.stringOrNil(10), fallback: r.bool(11), hitFlag: r.bool(12), biz1: r.stringOrNil(13),
            biz2: r.stringOrNil(14), correctedBiz1: r.stringOrNil(15), correctedBiz2: r.stringOrNil(16),
            satisfaction: r.stringOrNil(17), label: r.stringOrNil(18).flatMap(Label.init(rawValue:)),
            status: ReviewStatus(rawValue: r.string(19)) ?? .unlabeled, reviewer: r.stringOrNil(20), labeledAt: r.int64OrNil(21),
            reviewedBy: r.stringOrNil(22), reviewedAt: r.int64OrNil(23), note: r.stringOrNil(24))
    }

    static let historyColumns = SQLiteRecordStore.historyColumns

    /// A `historyColumns` row from position `i`.
    static func labelChange(_ r: PGRow, from i: Int = 0) -> LabelChange {
        LabelChange(
            recordId: r.string(i), action: LabelChange.Action(rawValue: r.string(i + 1)) ?? .label,
            oldLabel: r.stringOrNil(i + 2).flatMap(Label.init(rawValue:)), newLabel: r.stringOrNil(i + 3).flatMap(Label.init(rawValue:)),
            oldStatus: ReviewStatus(rawValue: r.string(i + 4)) ?? .unlabeled, newStatus: ReviewStatus(rawValue: r.string(i + 5)) ?? .unlabeled,
            reviewer: r.string(i + 6), at: r.int64(i + 7), oldValue: r.stringOrNil(i + 8), newValue: r.stringOrNil(i + 9),
            override: r.int64(i + 10) == 1)
    }

    /// A LIKE pattern for a substring (`\` is LIKE's escape in PostgreSQL).
    static func pattern(_ text: String) -> String {
        "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    /// WHERE clause and arguments for a filter (text included).
    static func whereClause(_ f: RecordFilter) -> (String, PGArgs) {
        var parts: [String] = []
        var args: PGArgs = []
        var seen = Set<String>()
        let orgs = f.orgs.filter { seen.insert($0).inserted }
        if orgs.count == 1 {
            parts.append("org = ?")
            args.append(orgs[0])
        } else if !orgs.isEmpty {
            parts.append("org = ANY(?)")
            args.append(PGTexts(values: orgs))
        }
        if let lo = f.askedAtLowerBound { parts.append("asked_at >= ?"); args.append(lo) }
        if let hi = f.askedAtUpperBound { parts.append("asked_at < ?"); args.append(hi) }
        if let s = f.status { parts.append("status = ?"); args.append(s.rawValue) }
        if let l = f.label { parts.append("label = ?"); args.append(l.code) }
        if let b = f.biz1 { parts.append("eff_biz1 = ?"); args.append(b) }
        if let b = f.biz2 { parts.append("eff_biz2 = ?"); args.append(b) }
        if let t = f.topic { parts.append("topic_hash = ?"); args.append(t.hash) }
        if let a = f.assignee {
            parts.append(SQLiteRecordStore.assigneeClause)
            args += [a, a]
        }
        for t in f.textQuery.terms {
            let p = pattern(t.text)
            let test: String
            switch t.field {
            case .any:
                test = "(t.question LIKE ? OR t.answer LIKE ?)"
                args += [p, p]
            case .question:
                test = "t.question LIKE ?"
                args.append(p)
            case .answer:
                test = "t.answer LIKE ?"
                args.append(p)
            }
            parts.append("\(t.excluded ? "NOT " : "")EXISTS (SELECT 1 FROM record_text t WHERE t.seq = record.seq AND \(test))")
        }
        return (parts.isEmpty ? "TRUE" : parts.joined(separator: " AND "), args)
    }

    public func totalCount() throws -> Int {
        try read { try db.query("SELECT count(*) FROM record").first?.int(0) ?? 0 }
    }

    public func count(_ filter: RecordFilter) throws -> Int {
        let (w, args) = Self.whereClause(filter)
        return try read { try db.query("SELECT count(*) FROM record WHERE \(w)", args).first?.int(0) ?? 0 }
    }

    public func page(_ filter: RecordFilter, after cursor: PageCursor?, limit: Int) throws -> RecordPage {
        var (w, args) = Self.whereClause(filter)
        if let c = cursor {
            w += " AND (asked_at, record.seq) < (?, ?)"
            args += [c.askedAt, c.seq]
        }
        args.append(limit)
        let rows = try read {
            try db.query("SELECT \(Self.columns) FROM \(Self.joined) WHERE \(w) ORDER BY asked_at DESC, record.seq DESC LIMIT ?", args)
        }
        let records = rows.map(Self.decode)
        let next = rows.count == limit ? rows.last.map { PageCursor(askedAt: $0.int64(4), seq: $0.int64(0)) } : nil
        return RecordPage(records: records, next: next)
    }

    public func record(id: String) throws -> InteractionRecord? {
        try read { try db.query("SELECT \(Self.columns) FROM \(Self.joined) WHERE id = ?", [id]).first.map(Self.decode) }
    }

    public func keys(_ filter: RecordFilter) throws -> [RecordKey] {
        let (w, args) = Self.whereClause(filter)
        // One array, not a row per key: 1,000,000 rows decoded one by one took 3.6 s (bench,
        // release, loopback) where the app's open aims at 0.5 s. ARRAY(subquery) keeps the index's
        // order (73 ms at 1,000,000); array_agg(… ORDER BY …) sorted again (230 ms).
        return try read {
            try db.query("SELECT ARRAY(SELECT record.seq FROM record WHERE \(w) ORDER BY asked_at DESC, record.seq DESC)", args)
                .first?.int64Array(0) ?? []
        }
    }

    public func records(keys: [RecordKey]) throws -> [RecordKey: InteractionRecord] {
        guard !keys.isEmpty else { return [:] }
        return try read {
            var out: [RecordKey: InteractionRecord] = [:]
            for row in try db.query("SELECT \(Self.columns) FROM \(Self.joined) WHERE record.seq = ANY(?)", [keys]) {
                out[row.int64(0)] = Self.decode(row)
            }
            return out
        }
    }

    public func key(recordId: String) throws -> RecordKey? {
        try read { try db.query("SELECT seq FROM record WHERE id = ?", [recordId]).first?.int64(0) }
    }

    public func history(recordId: String) throws -> [LabelChange] {
        try read {
            try db.query("SELECT \(Self.historyColumns) FROM label_history WHERE record_id = ? ORDER BY seq", [recordId])
                .map { Self.labelChange($0) }
        }
    }

    public func historySince(_ seq: Int64) throws -> (changes: [LabelChange], last: Int64) {
        try read {
            let rows = try db.query("SELECT seq, \(Self.historyColumns) FROM label_history WHERE seq > ? ORDER BY seq", [seq])
            return (rows.map { Self.labelChange($0, from: 1) }, rows.last?.int64(0) ?? seq)
        }
    }

    public func lastHistorySeq() throws -> Int64 {
        try read { try db.query("SELECT coalesce(max(seq), 0) FROM label_history").first?.int64(0) ?? 0 }
    }

    public func lastRecordKey() throws -> RecordKey {
        try read { try db.query("SELECT coalesce(max(seq), 0) FROM record").first?.int64(0) ?? 0 }
    }

    public func longestAnswer(_ filter: RecordFilter, atLeast: Int, shown: (String) -> String) throws -> Int {
        let (w, args) = Self.whereClause(filter)
        return try read {
            var longest = 0
            let sql = """
                SELECT t2.answer FROM record JOIN record_text t2 ON t2.seq = record.seq
                WHERE \(w) AND octet_length(t2.answer) * 2 >= ?
                """
            for row in try db.query(sql, args + [atLeast]) { longest = max(longest, shown(row.string(0)).utf16.count) }
            return longest
        }
    }

    /// Moved by other sessions' NOTIFY (never by this one's own writes), like SQLite's data_version.
    /// On a read replica: the last history and record keys (the replay's progress) instead.
    public func changeCounter() throws -> Int64 {
        guard polling else {
            db.reviveIfClosed()
            return changes.value
        }
        return try read {
            try db.query("SELECT (SELECT coalesce(max(seq), 0) FROM label_history) * 4294967296 + (SELECT coalesce(max(seq), 0) FROM record)")
                .first?.int64(0) ?? 0
        }
    }

    public func interrupt() { db.cancel() }

    public func openAnother() throws -> any RecordStore { try PostgresRecordStore(url: url) }

    public func checkIntegrity(thorough: Bool) throws -> [String] {
        // The server keeps its own files sound (WAL, checksums where enabled); what can be checked
        // from here is that every table the schema names is there.
        let present = Set(try read { try db.query("SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()").map { $0.string(0) } })
        let wanted = ["record", "record_text", "label_history", "kb_entry", "kb_version", "lease", "vote", "double_sample",
                      "assignment", "import_log", "import_conflict", "export_log", "privacy_mark"]
        return wanted.filter { !present.contains($0) }.map { "缺少表 \($0) (table missing)" }
    }

    public func backup(to destination: String) throws {
        throw StoreError.cannotOpen(location, "服务器上的数据库请用 pg_dump 备份，或 workbench db copy 复制到一个 SQLite 文件 (back up a server database with pg_dump)")
    }

    // MARK: labels

    /// The record, locked for this transaction.
    func lockedRecord(_ id: String) throws -> (RecordKey, InteractionRecord) {
        guard let row = try db.query("SELECT \(Self.columns) FROM \(Self.joined) WHERE id = ? FOR UPDATE OF record", [id]).first else {
            throw StoreError.recordNotFound(id)
        }
        return (row.int64(0), Self.decode(row))
    }

    func writeReview(recordId: String, decide: (RecordKey, InteractionRecord) throws -> ReviewRules.Outcome?) throws -> LabelChange? {
        try write {
            let (key, r) = try lockedRecord(recordId)
            guard let (s, c) = try decide(key, r) else { return nil }
            // The state and its history row in one statement: each round trip is a chance to wait
            // for a core (bench: commit p99 13-27 ms at p50 2-5 ms with ten processes on two).
            try db.execute("""
                WITH changed AS (
                  UPDATE record SET label = ?, status = ?, reviewer = ?, labeled_at = ?, reviewed_by = ?,
                  reviewed_at = ?, corrected_biz1 = ?, corrected_biz2 = ?, note = ? WHERE seq = ? RETURNING seq)
                INSERT INTO label_history (\(Self.historyColumns))
                SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM changed
                """, [s.label?.code, s.status.rawValue, s.reviewer, s.labeledAt, s.reviewedBy, s.reviewedAt,
                      s.correctedBiz1, s.correctedBiz2, s.note, key] + Self.historyValues(c))
            return c
        }
    }

    func appendHistory(_ c: LabelChange) throws {
        try db.execute("INSERT INTO label_history (\(Self.historyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       Self.historyValues(c))
    }

    /// A history row's values, in `historyColumns` order.
    static func historyValues(_ c: LabelChange) -> PGArgs {
        [c.recordId, c.action.rawValue, c.oldLabel?.code, c.newLabel?.code, c.oldStatus.rawValue,
         c.newStatus.rawValue, c.reviewer, c.at, c.oldValue, c.newValue, c.override ? 1 : 0]
    }

    @discardableResult
    public func setLabel(_ label: Label?, recordId: String, reviewer: String, at: Int64, others: OthersWork) throws -> LabelChange? {
        try writeReview(recordId: recordId) { key, r in
            let theirs = ReviewRules.theirs(r, reviewer: reviewer)
            // Another's lease and the sample in one round trip.
            let facts = try db.query("""
                SELECT (SELECT reviewer FROM lease WHERE seq = ? AND reviewer <> ? AND expires > ?),
                       EXISTS (SELECT 1 FROM double_sample WHERE seq = ?)::int::bigint
                """, [key, reviewer, at, key]).first
            let holder = facts?.stringOrNil(0)
            if others == .refuse, let who = holder ?? theirs {
                throw StoreError.othersWork(recordId, reviewer: who, label: r.label, holds: holder != nil)
            }
            if r.label == nil, facts?.int64(1) == 1 {
                let votes = try db.query("SELECT reviewer, label FROM vote WHERE seq = ? ORDER BY at, id", [key])
                    .map { (reviewer: $0.string(0), label: Label(rawValue: $0.string(1))) }
                guard let d = try ReviewRules.vote(r, votes: votes, label: label, reviewer: reviewer, at: at) else { return nil }
                if let v = d.vote {
                    try db.execute("""
                        INSERT INTO vote (seq, reviewer, label, at) VALUES (?, ?, ?, ?)
                        ON CONFLICT (seq, reviewer) DO UPDATE SET label = excluded.label, at = excluded.at
                        """, [key, reviewer, v.code, at])
                } else {
                    try db.execute("DELETE FROM vote WHERE seq = ? AND reviewer = ?", [key, reviewer])
                }
                if let row = d.voteRow { try appendHistory(row) }
                return d.outcome
            }
            return ReviewRules.label(r, label, reviewer: reviewer, at: at, theirs: theirs, holder: holder)
        }
    }

    @discardableResult
    public func markReviewed(recordId: String, label: Label?, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in try ReviewRules.markReviewed(r, label, reviewer: reviewer, at: at) }
    }

    @discardableResult
    public func setNote(_ note: String?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in ReviewRules.note(r, note, reviewer: reviewer, at: at) }
    }

    @discardableResult
    public func correctBusinessType(biz1: String?, biz2: String?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in ReviewRules.businessType(r, biz1: biz1, biz2: biz2, reviewer: reviewer, at: at) }
    }

    @discardableResult
    public func restore(_ state: ReviewState, expecting: ReviewState?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in try ReviewRules.restore(r, state, expecting: expecting, reviewer: reviewer, at: at) }
    }

    // MARK: statistics

    public func tallies(_ filter: RecordFilter, rules: HitRules) throws -> [String: Tally] {
        try read { try tallies(filter, rules: rules, on: db) }
    }

    public func organisationCounts() throws -> [OrgCount] {
        try read {
            // Ties by the characters' code points, as SQLite orders them (not the server's locale).
            try db.query("SELECT org, count(*) FROM record GROUP BY org ORDER BY 2 DESC, org COLLATE \"C\"")
                .map { OrgCount(org: $0.string(0), count: $0.int(1)) }
        }
    }

    @discardableResult
    public func renameOrganisations(_ renames: [String: String], reviewer: String, at: Int64) throws -> Int {
        let pairs = renames.filter { $0.key != $0.value }.sorted { $0.key < $1.key }
        guard !pairs.isEmpty else { return 0 }
        return try write {
            var changed = 0
            for (old, new) in pairs {
                try db.execute("""
                    INSERT INTO label_history (\(Self.historyColumns))
                    SELECT id, 'org', label, label, status, status, ?, ?, org, ?, 0 FROM record WHERE org = ? ORDER BY seq
                    """, [reviewer, at, new, old])
                changed += try db.execute("UPDATE record SET org = ? WHERE org = ?", [new, old])
            }
            return changed
        }
    }

    func tallies(_ filter: RecordFilter, rules: HitRules, on db: PGConnection) throws -> [String: Tally] {
        let (w, whereArgs) = Self.whereClause(filter)
        let (hit, hitArgs) = Self.hitClassSQL(rules.fallbackPhrases)
        let sql = """
            SELECT org, label, CASE WHEN eff_biz1 = ? AND eff_biz2 = ? THEN 1 ELSE 0 END::bigint, (\(hit))::bigint AS h, count(*)
            FROM record WHERE \(w) GROUP BY 1, 2, 3, 4
            """
        var out: [String: Tally] = [:]
        for row in try db.query(sql, [rules.smallTalkLevel1, rules.smallTalkLevel2] + hitArgs + whereArgs) {
            let h = row.int(3)
            let c = Tally.Contribution(smallTalk: row.int(2) != 0, hit: h == 1 || h == 3, byTemplate: h >= 2,
                                       label: row.stringOrNil(1).flatMap(Label.init(rawValue:)))
            out[row.string(0), default: Tally()].add(c, times: row.int(4))
        }
        return out
    }

    /// SQLiteRecordStore.hitClassSQL in PostgreSQL's words.
    static func hitClassSQL(_ phrases: [String]) -> (String, PGArgs) {
        let template = phrases.map { _ in "strpos(substr(t.answer, 1, \(HitRules.templateWindow)), ?) > 0" }
        let templateTest = template.isEmpty ? "FALSE" : template.joined(separator: " OR ")
        let sql = """
            CASE WHEN fallback = 1 THEN 0
                 WHEN hit_flag = 1 OR coalesce(knowledge_id, '') <> '' OR coalesce(standard_question, '') <> '' THEN 1
                 WHEN hit_flag = 0 THEN 0
                 WHEN fallback = 0 THEN 1
                 ELSE (SELECT CASE WHEN \(templateTest) THEN 2 ELSE 3 END FROM record_text t WHERE t.seq = record.seq)
            END
            """
        return (sql, phrases.map { $0 })
    }

    public func talliesSnapshot(_ filter: RecordFilter, rules: HitRules) throws
        -> (tallies: [String: Tally], historySeq: Int64, lastKey: RecordKey)
    {
        // One REPEATABLE READ transaction: a single snapshot of all three.
        try mapping {
            try db.transaction(isolation: "REPEATABLE READ READ ONLY") {
                let seq = try db.query("SELECT coalesce(max(seq), 0) FROM label_history").first?.int64(0) ?? 0
                let key = try db.query("SELECT coalesce(max(seq), 0) FROM record").first?.int64(0) ?? 0
                return (try tallies(filter, rules: rules, on: db), seq, key)
            }
        }
    }

    static let statisticsColumns = SQLiteRecordStore.statisticsColumns

    static func statisticsRow(_ r: PGRow) -> StatisticsRow {
        StatisticsRow(
            key: r.int64(0), askedAt: r.int64(1), org: r.string(2), biz1: r.stringOrNil(3), biz2: r.stringOrNil(4),
            label: r.stringOrNil(5).flatMap(Label.init(rawValue:)), status: ReviewStatus(rawValue: r.string(6)) ?? .unlabeled,
            facts: RecordFacts(hitClass: UInt8(clamping: r.intOrNil(7) ?? 3), topic: r.int64(8), wording: r.int64(9)))
    }

    public func statisticsRows(after key: RecordKey, _ body: (StatisticsRow) throws -> Void) throws {
        // In slices by key: the whole table at once would be held in memory as rows first.
        var from = key
        while true {
            let rows = try read {
                try db.query("SELECT \(Self.statisticsColumns) FROM record WHERE seq > ? ORDER BY seq LIMIT 50000", [from])
            }
            for row in rows { try body(Self.statisticsRow(row)) }
            guard rows.count == 50000, let last = rows.last else { return }
            from = last.int64(0)
        }
    }

    public func statisticsRows(recordIds: [String]) throws -> [StatisticsRow] {
        guard !recordIds.isEmpty else { return [] }
        return try read {
            try db.query("SELECT \(Self.statisticsColumns) FROM record WHERE id = ANY(?)", [PGTexts(values: recordIds)])
                .map(Self.statisticsRow)
        }
    }

    // MARK: import

    public func importBatch<T>(expectedRows: Int?, _ body: (any ImportSink) throws -> T) throws -> T {
        if let readOnly { throw StoreError.readOnly(location, why: readOnly) }
        // Not retried: the body reads a file once. A lost connection rolls the whole file back.
        let result = try mapping { try db.transaction(retry: false) { try body(PostgresImportSink(db)) } }
        if (expectedRows ?? 0) >= 20_000 { _ = try? db.execute("ANALYZE record") }
        return result
    }

    /// Always complete: the trigram indexes are kept by the server on every write.
    public func textIndexProgress() throws -> TextIndexProgress {
        let last = try lastRecordKey()
        return TextIndexProgress(indexedTo: last, last: last)
    }

    public func buildTextIndex(limit: Int) throws -> TextIndexProgress { try textIndexProgress() }

    public func logImport(_ s: ImportSummary) throws {
        _ = try write {
            try db.execute("""
                INSERT INTO import_log (file, format, encoding, imported, existing, rejected, finished_at, seconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [s.file, s.format, s.encoding, s.imported, s.existing, s.rejected, Int64(Date().timeIntervalSince1970), s.seconds])
        }
    }

    public func importConflicts(recordId: String?, limit: Int) throws -> [ImportConflict] {
        let sql = "SELECT file, line, record_id, fields, incoming, at FROM import_conflict"
            + (recordId == nil ? "" : " WHERE record_id = ?") + " ORDER BY id DESC LIMIT ?"
        let args: PGArgs = recordId.map { [$0, limit] } ?? [limit]
        return try read {
            try db.query(sql, args).map {
                ImportConflict(file: $0.string(0), line: $0.int(1), recordId: $0.string(2),
                               fields: $0.string(3).split(separator: ",").map(String.init), incoming: $0.string(4), at: $0.int64(5))
            }
        }
    }

    // MARK: personal data (issue 18)

    public func texts(after: RecordKey, limit: Int) throws -> [StoredText] {
        try read {
            try db.query("""
                SELECT t.seq, r.id, t.question, t.answer FROM record_text t JOIN record r ON r.seq = t.seq
                WHERE t.seq > ? ORDER BY t.seq LIMIT ?
                """, [after, limit]).map { StoredText(key: $0.int64(0), recordId: $0.string(1), question: $0.string(2), answer: $0.string(3)) }
        }
    }

    public func replaceTexts(_ items: [MaskedText], reviewer: String, at: Int64) throws {
        guard !items.isEmpty else { return }
        try write {
            for item in items {
                guard let row = try db.query("SELECT \(Self.columns) FROM \(Self.joined) WHERE record.seq = ? FOR UPDATE OF record", [item.key]).first
                else { continue }
                let r = Self.decode(row)
                guard r.question != item.question || r.answer != item.answer else { continue }
                try db.execute("UPDATE record_text SET question = ?, answer = ? WHERE seq = ?", [item.question, item.answer, item.key])
                try appendHistory(ReviewRules.change(r, r.reviewState, .mask, reviewer, at, old: nil, new: item.what))
            }
        }
    }

    public func privacyMark() throws -> (rules: Int, doneTo: RecordKey)? {
        try read { try db.query("SELECT rules, done_to FROM privacy_mark").first.map { (rules: $0.int(0), doneTo: $0.int64(1)) } }
    }

    public func setPrivacyMark(rules: Int, doneTo: RecordKey) throws {
        try write {
            try db.execute("DELETE FROM privacy_mark")
            try db.execute("INSERT INTO privacy_mark (rules, done_to) VALUES (?, ?)", [rules, doneTo])
        }
    }

    public func logExport(_ e: ExportLogEntry) throws {
        try write {
            try db.execute("INSERT INTO export_log (by, at, filter, format, rows, file, sha256, masked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           [e.by, e.at, e.filter, e.format, e.rows, e.file, e.sha256, e.masked])
        }
    }

    public func exportLog(limit: Int) throws -> [ExportLogEntry] {
        try read {
            try db.query("SELECT by, at, filter, format, rows, file, sha256, masked FROM export_log ORDER BY id DESC LIMIT ?", [limit]).map {
                ExportLogEntry(by: $0.string(0), at: $0.int64(1), filter: $0.string(2), format: $0.string(3), rows: $0.int(4),
                               file: $0.string(5), sha256: $0.stringOrNil(6), masked: $0.int(7))
            }
        }
    }
}

/// One file's records inside the import transaction, a statement each (the SQLite sink's rules:
/// a stored id is never inserted twice; one stored with other content is a conflict).
final class PostgresImportSink: ImportSink {
    let db: PGConnection
    private var staged = false
    init(_ db: PGConnection) { self.db = db }

    static let recordColumns = ["id", "session_id", "turn", "asked_at", "channel", "org", "knowledge_id", "standard_question",
                                "fallback", "hit_flag", "biz1", "biz2", "corrected_biz1", "corrected_biz2", "satisfaction", "label",
                                "status", "reviewer", "labeled_at", "reviewed_by", "reviewed_at", "note", "hit_class", "topic_hash",
                                "wording_hash"]

    /// The batch COPYed into a temporary table, then moved by one statement: the first record of
    /// each id not stored yet goes into `record` and `record_text` in file order; the others are
    /// compared with what is stored (already there, or stored by this very batch).
    func add(batch records: [InteractionRecord], facts: [RecordFacts], lines: [Int], file: String) throws -> [ImportOutcome] {
        guard !records.isEmpty else { return [] }
        if staged {
            try db.execute("TRUNCATE wb_incoming")
        } else {
            // Same column types as the tables, dropped with the file's transaction.
            try db.execute("""
                CREATE TEMP TABLE wb_incoming ON COMMIT DROP AS
                SELECT 0::bigint AS n, \(Self.recordColumns.map { "r." + $0 }.joined(separator: ", ")), t.question, t.answer
                FROM record r JOIN record_text t ON t.seq = r.seq WITH NO DATA
                """)
            staged = true
        }
        var rows = PGCopyRows()
        for (n, r) in records.enumerated() {
            let f = facts[n]
            rows.add(Int64(n)); rows.add(r.id); rows.add(r.sessionId); rows.add(r.turn); rows.add(r.askedAt); rows.add(r.channel)
            rows.add(r.org); rows.add(r.knowledgeId); rows.add(r.standardQuestion); rows.add(r.fallback); rows.add(r.hitFlag)
            rows.add(r.biz1); rows.add(r.biz2); rows.add(r.correctedBiz1); rows.add(r.correctedBiz2); rows.add(r.satisfaction)
            rows.add(r.label?.code); rows.add(r.status.rawValue); rows.add(r.reviewer); rows.add(r.labeledAt); rows.add(r.reviewedBy)
            rows.add(r.reviewedAt); rows.add(r.note); rows.add(Int64(f.hitClass)); rows.add(f.topic); rows.add(f.wording)
            rows.add(r.question); rows.add(r.answer)
            rows.endRow()
        }
        try db.copy(into: "wb_incoming", columns: ["n"] + Self.recordColumns + ["question", "answer"], rows: rows)
        let columns = Self.recordColumns.joined(separator: ", ")
        let inserted = try db.query("""
            WITH first AS (SELECT DISTINCT ON (id) * FROM wb_incoming ORDER BY id, n),
            ins AS (INSERT INTO record (\(columns)) SELECT \(columns) FROM first ORDER BY n
                    ON CONFLICT (id) DO NOTHING RETURNING seq, id),
            txt AS (INSERT INTO record_text (seq, question, answer)
                    SELECT ins.seq, first.question, first.answer FROM ins JOIN first ON first.id = ins.id)
            SELECT first.n FROM ins JOIN first ON first.id = ins.id
            """)
        var outcomes = [ImportOutcome?](repeating: nil, count: records.count)
        var history = PGCopyRows()
        for row in inserted {
            let n = row.int(0)
            outcomes[n] = .inserted
            if let c = ReviewRules.importedLabel(records[n]) {
                history.add(c.recordId); history.add(c.action.rawValue); history.add(c.oldLabel?.code); history.add(c.newLabel?.code)
                history.add(c.oldStatus.rawValue); history.add(c.newStatus.rawValue); history.add(c.reviewer); history.add(c.at)
                history.add(c.oldValue); history.add(c.newValue); history.add(Int64(0))
                history.endRow()
            }
        }
        if history.count > 0 { try db.copy(into: "label_history", columns: Self.historyNames, rows: history) }
        let others = records.indices.filter { outcomes[$0] == nil }
        if !others.isEmpty {
            var stored: [String: ImportComparison.Stored] = [:]
            for row in try db.query("""
                SELECT r.id, \(Self.comparedColumns) FROM record r JOIN record_text t ON t.seq = r.seq WHERE r.id = ANY(?)
                """, [PGTexts(values: others.map { records[$0].id })]) {
                stored[row.string(0)] = Self.stored(row, from: 1)
            }
            for n in others {
                outcomes[n] = try compare(records[n], with: stored[records[n].id], origin: ImportOrigin(file: file, line: lines[n]))
            }
        }
        return outcomes.map { $0 ?? .identical }
    }

    static let historyNames = PostgresRecordStore.historyColumns.split(separator: ",")
        .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }

    static let comparedColumns = """
        r.session_id, r.turn, r.asked_at, r.channel, r.org, t.question, t.answer, r.knowledge_id,
        r.standard_question, r.fallback, r.hit_flag, r.biz1, r.biz2, r.satisfaction
        """

    static func stored(_ row: PGRow, from i: Int) -> ImportComparison.Stored {
        ImportComparison.Stored(
            sessionId: row.stringOrNil(i), turn: row.intOrNil(i + 1), askedAt: row.int64(i + 2), channel: row.stringOrNil(i + 3),
            org: row.string(i + 4), question: row.string(i + 5), answer: row.string(i + 6), knowledgeId: row.stringOrNil(i + 7),
            standardQuestion: row.stringOrNil(i + 8), fallback: row.bool(i + 9), hitFlag: row.bool(i + 10),
            biz1: row.stringOrNil(i + 11), biz2: row.stringOrNil(i + 12), satisfaction: row.stringOrNil(i + 13))
    }

    /// A record whose id is stored: identical, or a conflict kept once in `import_conflict`.
    private func compare(_ r: InteractionRecord, with stored: ImportComparison.Stored?, origin: ImportOrigin) throws -> ImportOutcome {
        guard let stored else { return .identical }
        let differing = stored.differences(from: r)
        guard !differing.isEmpty else { return .identical }
        let incoming = RecordJSON.line(r)
        if try db.query("SELECT 1::bigint FROM import_conflict WHERE record_id = ? AND incoming = ?", [r.id, incoming]).isEmpty {
            try db.execute("INSERT INTO import_conflict (file, line, record_id, fields, incoming, at) VALUES (?, ?, ?, ?, ?, ?)",
                           [origin.file, origin.line, r.id, differing.joined(separator: ","), incoming, Int64(Date().timeIntervalSince1970)])
        }
        return .conflict(fields: differing)
    }

    func add(_ r: InteractionRecord, facts: RecordFacts, origin: ImportOrigin) throws -> ImportOutcome {
        try add(batch: [r], facts: [facts], lines: [origin.line], file: origin.file)[0]
    }
}

/// The log's own fields of a stored record, compared with an incoming one (both stores' sinks).
enum ImportComparison {
    struct Stored {
        let sessionId: String?
        let turn: Int?
        let askedAt: Int64
        let channel: String?
        let org: String
        let question: String
        let answer: String
        let knowledgeId: String?
        let standardQuestion: String?
        let fallback: Bool?
        let hitFlag: Bool?
        let biz1: String?
        let biz2: String?
        let satisfaction: String?

        /// The Chinese header names of the fields that differ.
        func differences(from r: InteractionRecord) -> [String] {
            let pairs: [(LogField, Bool)] = [
                (.sessionId, sessionId == r.sessionId), (.turn, turn == r.turn), (.askedAt, askedAt == r.askedAt),
                (.channel, channel == r.channel), (.org, org == r.org), (.question, question == r.question),
                (.answer, answer == r.answer), (.knowledgeId, knowledgeId == r.knowledgeId),
                (.standardQuestion, standardQuestion == r.standardQuestion), (.fallback, fallback == r.fallback),
                (.hitFlag, hitFlag == r.hitFlag), (.biz1, biz1 == r.biz1), (.biz2, biz2 == r.biz2),
                (.satisfaction, satisfaction == r.satisfaction),
            ]
            return pairs.filter { !$0.1 }.map { $0.0.displayName }
        }
    }
}
