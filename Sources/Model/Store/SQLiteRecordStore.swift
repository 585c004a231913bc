// Reason this file is long (1316 lines, not one file per feature part): the SQLite store's conformance to `RecordStore`, whose parts share its
// private queue, cached statements and write transaction helpers. Issue 33 moves tables, row
// decoding and filter SQL into a store core written once for both databases.
import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite file through GRDB, in WAL mode so a reader never waits for a
/// writer and two reviewers' processes can share the file.
public final class SQLiteRecordStore: RecordStore {
    let dbQueue: DatabaseQueue
    public let path: String
    let busyTimeout: TimeInterval
    public var location: String { path }
    /// How a page with text is read (`PageStrategy`); tests lower the bounds to reach every path.
    var pageStrategy = PageStrategy()

    /// Why this store cannot write (nil: it can): a file, folder or filesystem without write
    /// permission, a full disk, or damage SQLite found. Reading works; every write is refused.
    public var readOnly: String? { replaced ?? damage.map { "已损坏 (damaged): \($0)" } ?? unwritable }
    let unwritable: String?
    /// What SQLite said when it found the file damaged (at open or on any later read or write).
    public private(set) var damage: String?
    /// The file at `path` is no longer the one this store opened (another file renamed over it, or
    /// it was moved or deleted), as one line for a person; nil while it is. Found before and after
    /// every write and on each `changeCounter` poll; from then on every write is refused.
    public private(set) var replaced: String?
    /// Own commits may be in the WAL (since open or the last fold), the last one at `lastWrite`.
    var walPending = true
    var lastWrite = Date.distantPast
    /// How long after this store's last write the screen's poll (`changeCounter`) folds the WAL
    /// back into the file and empties it (`restWAL`).
    var walRestAfter: TimeInterval = 1

    /// Opens (creating with owner-only permissions if needed) and migrates the database at `path`.
    /// `busyTimeout`: how long a write waits for another process's write before giving up.
    /// A database that cannot be written (permissions, a read-only filesystem, a full disk) is
    /// opened read-only when its schema is current: reading never needs to write (issue 15, 9, 12).
    public init(path: String, busyTimeout: TimeInterval = 10) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        let fm = FileManager.default
        let dir = (path as NSString).deletingLastPathComponent
        do {
            if !dir.isEmpty, !fm.fileExists(atPath: dir) {
                do {
                    try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw StoreError.cannotOpen(path, "无法创建目录 (cannot create the directory) \(dir)")
                }
            }
            var why = Self.whyNotWritable(path: path, dir: dir.isEmpty ? "." : dir)
            if why == nil, !fm.fileExists(atPath: path) {
                // SQLite gives its -wal and -shm files the database file's mode, so 0600 here covers all three.
                guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw StoreError.cannotOpen(path, "cannot create the file")
                }
            }
            var queue: DatabaseQueue
            if why == nil {
                let sideFiles = [path + "-wal", path + "-shm"]
                let hadSideFiles = sideFiles.map { fm.fileExists(atPath: $0) }
                do {
                    queue = try Self.openWritable(path: path, busyTimeout: busyTimeout)
                } catch let e as DatabaseError where Self.isDiskFull(e, dir: dir.isEmpty ? "." : dir) {
                    // A full disk: SQLite cannot make the -shm file every WAL reader needs.
                    why = "磁盘已满 (the disk is full)"
                    queue = try Self.openReadOnly(path: path, busyTimeout: busyTimeout)
                    // What the tries began (an empty -wal, a -shm of a few bytes, smaller than the
                    // 32 KB any process using the file maps) is removed: the folder stays as it was.
                    for (file, had) in zip(sideFiles, hadSideFiles) where !had {
                        let size = (try? fm.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                        if size < 32 * 1024 { try? fm.removeItem(atPath: file) }
                    }
                }
            } else {
                queue = try Self.openReadOnly(path: path, busyTimeout: busyTimeout)
            }
            dbQueue = queue
            unwritable = why
            try SQLiteSchema.check(dbQueue, path: path)
            if let why {
                let pending = try dbQueue.read { try !SQLiteSchema.migrator.hasCompletedMigrations($0) }
                if pending {
                    throw StoreError.cannotOpen(path, "数据库来自旧版本，需要升级结构才能使用，但现在无法写入（\(why)）(made by an older Workbench and needs an upgrade, but cannot be written)")
                }
            } else {
                try SQLiteSchema.migrator.migrate(dbQueue)
                try SQLiteSchema.repairIndexes(dbQueue, path: path)
            }
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY {
            throw StoreError.cannotOpen(path, "数据库被另一个进程占用，可能正在进行大批量导入，请稍后再试 (database is locked by another process, perhaps a large import; try again shortly)")
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB {
            throw StoreError.damaged(path, e.message ?? "\(e)")
        } catch let e as DatabaseError {
            throw StoreError.cannotOpen(path, e.message ?? "\(e)")
        } catch {
            throw StoreError.cannotOpen(path, error.localizedDescription)
        }
    }

    /// Why the file (or, for a new file, its folder) cannot be written, or nil. SQLite also needs
    /// the folder for its -wal and -shm files. (root passes permission checks, not a read-only mount.)
    static func whyNotWritable(path: String, dir: String) -> String? {
        let exists = FileManager.default.fileExists(atPath: path)
        for target in exists ? [path, dir] : [dir] where access(target, W_OK) != 0 {
            let code = errno
            if code == EROFS { return "只读文件系统 (a read-only filesystem)" }
            if code == EACCES || code == EPERM {
                return target == path ? "没有文件的写权限 (no write permission on the file)" : "没有所在目录的写权限 (no write permission on its folder)"
            }
        }
        return nil
    }

    /// SQLITE_FULL, or an I/O error (making the -shm file) where the folder's disk has no room.
    static func isDiskFull(_ e: DatabaseError, dir: String) -> Bool {
        if e.resultCode == .SQLITE_FULL { return true }
        guard e.resultCode == .SQLITE_IOERR else { return false }
        var st = statvfs()
        guard statvfs(dir, &st) == 0 else { return false }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize) < 64 * 1024
    }

    static func openWritable(path: String, busyTimeout: TimeInterval) throws -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .callback(busyWaiter(timeout: busyTimeout))
        config.prepareDatabase { db in
            // 8 KB pages: a record's text row (~1.1 KB) packs better and the import's insert
            // side took 0.47 s instead of 0.84 s per 100,000 rows (bench). Effective only
            // when the file is new (so before WAL is set, which writes the header).
            try db.execute(sql: "PRAGMA page_size = 8192")
            // WAL, set only when the file is not in it yet: GRDB's `.wal` journal mode writes
            // a table and drops it on every open (for its pools' readers, not needed by one
            // queue), so merely listing records changed the file (issue 15, case 9).
            if try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" {
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let queue = try DatabaseQueue(path: path, configuration: config)
        // The -shm file is made on the first read, not at open: a full disk shows here.
        _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        return queue
    }

    /// Read-only. A WAL database's readers need its -shm file; where it is missing and cannot be
    /// made (a read-only folder or filesystem, a full disk) and no -wal holds changes, the file is
    /// opened as immutable — no other process can be writing it then.
    static func openReadOnly(path: String, busyTimeout: TimeInterval) throws -> DatabaseQueue {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .callback(busyWaiter(timeout: busyTimeout))
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        } catch let e as DatabaseError where e.resultCode != .SQLITE_CORRUPT && e.resultCode != .SQLITE_NOTADB {
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
            guard wal == 0 else { throw e }
            // SQLite's URI form (this build opens URIs: SQLITE_USE_URI); ? # % escaped in the path.
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
            let queue = try DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: config)
            _ = try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
            return queue
        }
    }

    /// Waits for another process's write in short steps: 200 µs five times, then 1 ms a step,
    /// until `timeout` has passed. SQLite's own busy timeout sleeps 1, 2, 5, 10, 15, 20, 25 … 100 ms
    /// between tries, so a writer that lost the race four times had slept 18 ms however soon the
    /// lock was free. 8 reviewer processes labelling on 2 cores, claim-next p99: 81–140 ms with
    /// SQLite's steps at full speed, 27–37 ms with these; with a key every 50 ms each, 2.5–6.5 ms
    /// (docs/decisions.md). Steps of 50 µs doubling did worse at full speed (55–200 ms): the
    /// waiters' wake-ups took the CPU from the process holding the lock.
    static func busyWaiter(timeout: TimeInterval) -> Database.BusyCallback {
        let limit = max(0, timeout)
        return { tries in
            let waited = tries <= 5 ? Double(tries) * 200e-6 : 1e-3 + Double(tries - 5) * 1e-3
            guard waited < limit else { return false }
            usleep(tries < 5 ? 200 : 1000)
            return true
        }
    }

    // MARK: reading

    static let columns = """
        record.seq, id, session_id, turn, asked_at, channel, org, question, answer, knowledge_id, standard_question,
        fallback, hit_flag, biz1, biz2, corrected_biz1, corrected_biz2, satisfaction, label, status, reviewer,
        labeled_at, reviewed_by, reviewed_at, note
        """

    static let joined = "record JOIN record_text ON record_text.seq = record.seq"

    /// A record row by column name (`columns`); a page of 50 costs no measurable time more than by position.
    static func decode(_ row: Row) -> InteractionRecord {
        func bool(_ name: String) -> Bool? { (row[name] as Int64?).map { $0 != 0 } }
        return InteractionRecord(
            id: row["id"], sessionId: row["session_id"], turn: row["turn"], askedAt: row["asked_at"],
            channel: row["channel"], org: row["org"], question: row["question"], answer: row["answer"],
            knowledgeId: row["knowledge_id"], standardQuestion: row["standard_question"], fallback: bool("fallback"),
            hitFlag: bool("hit_flag"), biz1: row["biz1"], biz2: row["biz2"], correctedBiz1: row["corrected_biz1"],
            correctedBiz2: row["corrected_biz2"], satisfaction: row["satisfaction"],
            label: (row["label"] as String?).flatMap(Label.init(rawValue:)),
            status: ReviewStatus(rawValue: row["status"]) ?? .unlabeled, reviewer: row["reviewer"],
            labeledAt: row["labeled_at"], reviewedBy: row["reviewed_by"], reviewedAt: row["reviewed_at"], note: row["note"])
    }

    static let historyColumns = """
        record_id, action, old_label, new_label, old_status, new_status, reviewer, at, old_value, new_value, override
        """

    /// A `label_history` row (`historyColumns`) by column name.
    static func labelChange(_ row: Row) -> LabelChange {
        LabelChange(
            recordId: row["record_id"], action: LabelChange.Action(rawValue: row["action"]) ?? .label,
            oldLabel: (row["old_label"] as String?).flatMap(Label.init(rawValue:)),
            newLabel: (row["new_label"] as String?).flatMap(Label.init(rawValue:)),
            oldStatus: ReviewStatus(rawValue: row["old_status"]) ?? .unlabeled,
            newStatus: ReviewStatus(rawValue: row["new_status"]) ?? .unlabeled, reviewer: row["reviewer"], at: row["at"],
            oldValue: row["old_value"], newValue: row["new_value"], override: (row["override"] as Int?) == 1)
    }

    /// WHERE clause and arguments for a filter's conditions other than text.
    static func fieldClause(_ f: RecordFilter) -> (String, StatementArguments) {
        var parts: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        // Duplicates removed: `org IN (a, a)` is two index ranges to SQLite, which then sorts the
        // whole selection instead of reading one range in order (bench: 0.1-0.8 s a page).
        var seen = Set<String>()
        let orgs = f.orgs.filter { seen.insert($0).inserted }
        if orgs.count == 1 {
            parts.append("org = ?")
            args.append(orgs[0])
        } else if !orgs.isEmpty {
            parts.append("org IN (\(Array(repeating: "?", count: orgs.count).joined(separator: ",")))")
            args += orgs.map { $0 }
        }
        if let lo = f.askedAtLowerBound { parts.append("asked_at >= ?"); args.append(lo) }
        if let hi = f.askedAtUpperBound { parts.append("asked_at < ?"); args.append(hi) }
        if let s = f.status { parts.append("status = ?"); args.append(s.rawValue) }
        if let l = f.label { parts.append("label = ?"); args.append(l.code) }
        if let b = f.biz1 { parts.append("eff_biz1 = ?"); args.append(b) }
        if let b = f.biz2 { parts.append("eff_biz2 = ?"); args.append(b) }
        if let t = f.topic { parts.append("topic_hash = ?"); args.append(t.hash) }
        if let a = f.assignee {
            // `record.seq`: a page joins record_text, which has a `seq` too. See `assigneeClause`.
            parts.append(assigneeClause)
            args += [a, a]
        }
        return (parts.isEmpty ? "1" : parts.joined(separator: " AND "), StatementArguments(args))
    }

    /// 我的任务 (the reviewer twice): the records assigned to them, and every double-review record
    /// that has one vote in, from someone else, and is not decided — else, after `assign`, a
    /// sampled record sat in one reviewer's list and no second reviewer met it. Its vote count is
    /// one, so it leaves the others' lists when their vote comes in (a dispute waits for a
    /// supervisor, not for a third reviewer). The same in `PostgresRecordStore.whereClause`.
    static let assigneeClause = """
        (record.seq IN (SELECT a.seq FROM assignment a WHERE a.reviewer = ?)
         OR (record.label IS NULL AND record.seq IN (
           SELECT v.seq FROM vote v GROUP BY v.seq HAVING count(*) = 1 AND max(v.reviewer) <> ?)))
        """

    /// WHERE clause and arguments for a filter, its text condition answered from the text index
    /// (SQLiteTextSearch); shared by count, keys and the statistics so they always agree.
    static func whereClause(_ db: Database, _ f: RecordFilter) throws -> (String, StatementArguments) {
        var (w, args) = fieldClause(f)
        let q = f.textQuery
        if !q.isEmpty {
            let plan = try SQLiteTextSearch.plan(db, q)
            w += " AND " + plan.condition
            args += StatementArguments(plan.arguments)
        }
        return (w, args)
    }

    public func totalCount() throws -> Int {
        try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0 }
    }

    public func count(_ filter: RecordFilter) throws -> Int {
        try dbQueue.read { db in
            let q = filter.textQuery
            if !q.isEmpty, filter.withoutText == RecordFilter() {
                // Text alone, answered by the index alone: counted there, no record read.
                let plan = try SQLiteTextSearch.plan(db, q)
                if plan.nothing { return 0 }
                if plan.exact, let c = plan.candidates {
                    return try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(c.sql))", arguments: StatementArguments(c.arguments)) ?? 0
                }
            }
            let (w, args) = try Self.whereClause(db, filter)
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE \(w)", arguments: args) ?? 0
        }
    }

    public func page(_ filter: RecordFilter, after cursor: PageCursor?, limit: Int) throws -> RecordPage {
        try dbQueue.read { db in
            // SQLite cannot merge several ranges of the (org, …, asked_at) indexes in order, so
            // `org IN (a, b)` sorted the whole selection (bench: 33 ms a page at 100,000 rows).
            // One query per organisation, each reading its own index range in order, merged here.
            func rows(_ text: PageText, window: Int?) throws -> [(PageCursor, InteractionRecord)] {
                let orgs = Set(filter.orgs)
                guard orgs.count > 1 else { return try Self.pageRows(db, filter, text: text, window: window, after: cursor, limit: limit) }
                return try orgs.map { org -> [(PageCursor, InteractionRecord)] in
                    var one = filter
                    one.orgs = [org]
                    return try Self.pageRows(db, one, text: text, window: window, after: cursor, limit: limit)
                }.joined().sorted { ($0.0.askedAt, $0.0.seq) > ($1.0.askedAt, $1.0.seq) }.prefix(limit).map { $0 }
            }
            var text = Self.pageText(filter)
            var parts: [(PageCursor, InteractionRecord)]
            if case .scan = text {
                let strategy = pageStrategy
                let plan = try SQLiteTextSearch.plan(db, filter.textQuery)
                if let rare = try Self.pageTextByIndex(db, plan, strategy, below: strategy.windowAbove) {
                    // Too few for the window to hold a page.
                    parts = try rows(rare, window: nil)
                } else {
                    // The window first: a common word's page is there.
                    parts = try rows(text, window: strategy.denseWindow)
                    if parts.count < limit {
                        text = try Self.pageTextByIndex(db, plan, strategy, below: nil) ?? text
                        parts = try rows(text, window: nil)
                    }
                }
            } else {
                parts = try rows(text, window: nil)
            }
            return RecordPage(records: parts.map(\.1), next: parts.count == limit ? parts.last?.0 : nil)
        }
    }

    /// A page with text, by how many records the text index gives (docs/decisions.md, "Text
    /// search"): fewer than `lookupBelow`, each looked up and the few sorted; fewer than
    /// `windowAbove`, the list read in its order from its index, each key tested against the
    /// candidates (`+seq IN`: a set made once, no row read for a key that is not in it — 5 ms
    /// instead of 57 ms for 事业单's 25,524 candidates, which the lookups read and sorted); more,
    /// the next `denseWindow` records of the list first (their texts tested one by one, ~4 ms):
    /// a common word fills the page there, else the same choice up to `fewCandidates`, else the
    /// substring test along the list.
    struct PageStrategy {
        var denseWindow = 2_000
        var lookupBelow = 2_000
        var windowAbove = 25_000
        /// Testing texts along the list costs ~5 µs a row: with 20,000 here, 问:/答: words (a
        /// superset from the index) took 2.5 s p99 by the scan (bench).
        var fewCandidates = 200_000
    }

    enum PageText {
        case none
        /// Test the texts along the list's order.
        case scan(String, [(any DatabaseValueConvertible)?])
        /// Read the index's candidates in the list's order (record only, no text), then test the
        /// texts of the first ones (`check`, when the index gives a superset) until a page is full.
        case candidates(String, [(any DatabaseValueConvertible)?], check: (String, [(any DatabaseValueConvertible)?])?)
    }

    /// The substring test of the filter's text (`.none` without text).
    static func pageText(_ filter: RecordFilter) -> PageText {
        let q = filter.textQuery
        guard !q.isEmpty else { return .none }
        let s = SQLiteTextSearch.scan(q)
        return .scan(s.sql, s.arguments)
    }

    /// The index's plan for a page: by the candidates when there are fewer than `below` (else
    /// nil: the caller tries the window) or, with `below` nil, fewer than `fewCandidates`.
    static func pageTextByIndex(_ db: Database, _ plan: SQLiteTextSearch.Plan, _ strategy: PageStrategy, below: Int?) throws -> PageText? {
        if plan.nothing { return .candidates("0", [], check: nil) }
        guard let c = plan.candidates else { return below == nil ? .scan(plan.scan.sql, plan.scan.arguments) : nil }
        let bound = below ?? strategy.fewCandidates
        let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(c.sql) LIMIT \(bound))",
                                 arguments: StatementArguments(c.arguments)) ?? 0
        guard n < bound else { return below == nil ? .scan(plan.scan.sql, plan.scan.arguments) : nil }
        let check = plan.exact ? nil : (plan.scan.sql, plan.scan.arguments)
        if n < strategy.lookupBelow { return .candidates("record.seq IN (\(c.sql))", c.arguments, check: check) }
        // `+`: the set is a test on each key of the list's order, not the keys to look up.
        var sql = "+record.seq IN (\(c.sql))"
        var args = c.arguments
        if let check {
            sql += " AND " + check.0
            args += check.1
        }
        return .scan(sql, args)
    }

    /// `window`: only among the next so many records of the list (in its order).
    static func pageRows(_ db: Database, _ filter: RecordFilter, text: PageText, window: Int? = nil,
                         after cursor: PageCursor?, limit: Int) throws -> [(PageCursor, InteractionRecord)]
    {
        var (w, args) = fieldClause(filter)
        if let c = cursor {
            // A row value, not `asked_at < ? OR (asked_at = ? AND seq < ?)`: with the OR, SQLite
            // scanned the index from the top on every page (a page 900,000 rows down: 120 ms
            // instead of 0.9 ms; a full export of 1,000,000 rows took 79 s).
            w += " AND (asked_at, record.seq) < (?, ?)"
            args += [c.askedAt, c.seq]
        }
        if let window {
            // The window's keys read in the list's order from the filter's index, then tested.
            w = "record.seq IN (SELECT seq FROM record WHERE \(w) ORDER BY asked_at DESC, seq DESC LIMIT \(window))"
        }
        switch text {
        case .none: break
        case .scan(let t, let a):
            w += " AND " + t
            args += StatementArguments(a)
        case .candidates(let t, let a, let check):
            // Keys first (no text read), sorted; then the texts of only as many as a page needs.
            w += " AND " + t
            args += StatementArguments(a)
            let keys = try RecordKey.fetchCursor(db, sql: "SELECT seq FROM record WHERE \(w) ORDER BY asked_at DESC, seq DESC", arguments: args)
            var chosen: [RecordKey] = []
            let test = try check.map { c in (try db.cachedStatement(sql: "SELECT 1 FROM record WHERE seq = ? AND \(c.0)"), c.1) }
            while chosen.count < limit, let k = try keys.next() {
                if let (statement, a) = test {
                    guard try Int.fetchOne(statement, arguments: [k] + StatementArguments(a)) != nil else { continue }
                }
                chosen.append(k)
            }
            let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT \(columns) FROM \(joined) WHERE record.seq IN (SELECT value FROM json_each(?))"),
                                        arguments: [jsonList(chosen)])
            var byKey: [RecordKey: Row] = [:]
            for row in rows { byKey[row["seq"]] = row }
            return chosen.compactMap { k in byKey[k].map { (PageCursor(askedAt: $0["asked_at"], seq: k), decode($0)) } }
        }
        let sql = "SELECT \(columns) FROM \(joined) WHERE \(w) ORDER BY asked_at DESC, record.seq DESC LIMIT ?"
        args += [limit]
        var out: [(PageCursor, InteractionRecord)] = []
        let rows = try Row.fetchCursor(db, sql: sql, arguments: args)
        while let row = try rows.next() {
            out.append((PageCursor(askedAt: row["asked_at"], seq: row["seq"]), decode(row)))
        }
        return out
    }

    public func record(id: String) throws -> InteractionRecord? {
        try dbQueue.read { db in try Self.fetchRecord(db, id: id) }
    }

    static func fetchRecord(_ db: Database, id: String) throws -> InteractionRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM \(joined) WHERE id = ?"), arguments: [id]).map(decode)
    }

    /// Keys bound as one JSON array (`seq IN (SELECT value FROM json_each(?))`), so one cached
    /// statement serves any number of keys. A statement built per count of `?` was prepared anew
    /// on every call: preparing was half the CPU time of a claim, of a label's write and of
    /// loading a page of rows (perf, one reviewer at full speed, 5,000 records).
    static func jsonList(_ keys: some Sequence<RecordKey>) -> String {
        "[" + keys.map { String($0) }.joined(separator: ",") + "]"
    }

    static func jsonList(_ strings: [String]) -> String {
        (try? String(decoding: JSONSerialization.data(withJSONObject: strings), as: UTF8.self)) ?? "[]"
    }

    // MARK: labels

    @discardableResult
    public func setLabel(_ label: Label?, recordId: String, reviewer: String, at: Int64, others: OthersWork)
        throws -> LabelChange?
    {
        try writeReview(recordId: recordId) { db, r in
            // Another reviewer's work: their label, or a lease they hold on the record now.
            let theirs = ReviewRules.theirs(r, reviewer: reviewer)
            let holder = try Self.holder(db, recordId: recordId, except: reviewer, at: at)
            if others == .refuse, let who = holder ?? theirs {
                throw StoreError.othersWork(recordId, reviewer: who, label: r.label, holds: holder != nil)
            }
            // A double-review record not decided yet: the label is this reviewer's own vote.
            if r.label == nil, let seq = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT s.seq FROM double_sample s JOIN record ON record.seq = s.seq WHERE record.id = ?
                """), arguments: [recordId]) {
                return try Self.vote(db, seq: seq, record: r, label: label, reviewer: reviewer, at: at)
            }
            return ReviewRules.label(r, label, reviewer: reviewer, at: at, theirs: theirs, holder: holder)
        }
    }

    /// Who else holds an unexpired lease on the record, if anyone.
    static func holder(_ db: Database, recordId: String, except reviewer: String, at: Int64) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: """
            SELECT lease.reviewer FROM lease JOIN record ON record.seq = lease.seq
            WHERE record.id = ? AND lease.reviewer <> ? AND lease.expires > ?
            """), arguments: [recordId, reviewer, at])
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
    public func correctBusinessType(biz1: String?, biz2: String?, recordId: String, reviewer: String, at: Int64)
        throws -> LabelChange?
    {
        try writeReview(recordId: recordId) { _, r in ReviewRules.businessType(r, biz1: biz1, biz2: biz2, reviewer: reviewer, at: at) }
    }

    @discardableResult
    public func restore(_ state: ReviewState, expecting: ReviewState?, recordId: String, reviewer: String, at: Int64)
        throws -> LabelChange?
    {
        try writeReview(recordId: recordId) { _, r in
            try ReviewRules.restore(r, state, expecting: expecting, reviewer: reviewer, at: at)
        }
    }

    /// One short IMMEDIATE transaction: read the current state, decide, write the whole review
    /// state, append history. Committed before it returns, so a caller that draws "saved"
    /// afterwards tells the truth.
    private func writeReview(
        recordId: String, decide: (Database, InteractionRecord) throws -> (ReviewState, LabelChange)?
    ) throws -> LabelChange? {
        try mappingBusy { try dbQueue.writeWithoutTransaction { db in
            var change: LabelChange?
            try db.inTransaction(.immediate) {
                guard let r = try Self.fetchRecord(db, id: recordId) else { throw StoreError.recordNotFound(recordId) }
                guard let (s, c) = try decide(db, r) else { return .commit }
                try db.cachedStatement(
                    sql: """
                        UPDATE record SET label = ?, status = ?, reviewer = ?, labeled_at = ?, reviewed_by = ?,
                        reviewed_at = ?, corrected_biz1 = ?, corrected_biz2 = ?, note = ? WHERE id = ?
                        """
                ).execute(arguments: [s.label?.code, s.status.rawValue, s.reviewer, s.labeledAt, s.reviewedBy, s.reviewedAt,
                                s.correctedBiz1, s.correctedBiz2, s.note, recordId])
                try Self.appendHistory(db, c)
                change = c
                return .commit
            }
            return change
        } }
    }

    public func checkIntegrity(thorough: Bool) throws -> [String] {
        var problems: [String]
        do {
            // At most 20 problems: enough to say what is wrong; a badly damaged file lists thousands.
            let rows = try dbQueue.read { try String.fetchAll($0, sql: thorough ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)") }
            problems = rows == ["ok"] ? [] : rows
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB {
            problems = [e.message ?? "\(e)"]
        }
        if damage == nil, let first = problems.first { damage = first }
        return problems
    }

    public func backup(to destination: String) throws {
        let fm = FileManager.default
        // Owner-only like the database itself; a new name, so nothing the user has is replaced.
        guard fm.createFile(atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError.cannotOpen(destination, "cannot create the file")
        }
        do {
            let copy = try DatabaseQueue(path: destination)
            try dbQueue.backup(to: copy)
            try copy.close()
        } catch let e as DatabaseError {
            try? fm.removeItem(atPath: destination)
            throw StoreError.cannotOpen(destination, e.message ?? "\(e)")
        }
    }

    /// Every write goes through here. Refused before it starts on a store that cannot be written
    /// (`readOnly`) or was found damaged; a write that waited out the busy timeout is the user's
    /// to retry, said plainly; damage found while writing stops every later write.
    func mappingBusy<T>(_ body: () throws -> T) throws -> T {
        if let replaced { throw StoreError.replaced(path, replaced) }
        if let damage { throw StoreError.damaged(path, damage) }
        if let unwritable { throw StoreError.readOnly(path, why: unwritable) }
        // Still the file we opened? Before: nothing goes into an unlinked file (whose WAL, shared
        // by name, the new file's readers would take as theirs). After: a rename during the write
        // means it went there, so it is not reported as saved.
        if let why = movedAway() { throw StoreError.replaced(path, why) }
        do {
            let result = try body()
            walPending = true
            lastWrite = Date()
            if let why = movedAway() { throw StoreError.replaced(path, why) }
            return result
        } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
            throw StoreError.busy(path)
        } catch let e as DatabaseError where e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB {
            damage = e.message ?? "\(e)"
            throw StoreError.damaged(path, damage!)
        } catch let e as DatabaseError where e.resultCode == .SQLITE_READONLY {
            throw StoreError.readOnly(path, why: "文件或目录不可写 (the file or its folder cannot be written)")
        } catch let e as DatabaseError where e.resultCode == .SQLITE_FULL {
            throw StoreError.readOnly(path, why: "磁盘已满 (the disk is full)")
        }
    }

    /// Why the file at `path` is not the one this store has open (nil: it is), remembered in
    /// `replaced`. SQLite's own test (`SQLITE_FCNTL_HAS_MOVED`: one stat of the path against the
    /// inode of the descriptor it opened), so the check costs a stat, not a read.
    @discardableResult
    func movedAway() -> String? {
        if let replaced { return replaced }
        let moved = (try? dbQueue.inDatabase { db -> Bool in
            guard let connection = db.sqliteConnection else { return false }
            var flag: Int32 = 0
            return sqlite3_file_control(connection, "main", SQLITE_FCNTL_HAS_MOVED, &flag) == SQLITE_OK && flag != 0
        }) ?? false
        guard moved else { return nil }
        var st = stat()
        let gone = stat(path, &st) != 0
        replaced = gone ? StoreError.movedText : StoreError.replacedText
        // The WAL (found by name) may still hold frames this session committed to the old file.
        // When no other connection has committed since the screen's last poll (`data_version`
        // as it was), every frame there is the old file's: folded into it and the WAL emptied, so
        // whoever opens the file now at the path does not read it through them. Otherwise (a
        // session on the new file may have written there too) it is left alone.
        if let seen = dataVersionSeen, (try? dataVersion()) == seen {
            try? dbQueue.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
        }
        return replaced
    }

    /// `data_version` at the screen's last poll that found the file in place (nil: never polled).
    private var dataVersionSeen: Int64?

    func dataVersion() throws -> Int64 {
        // data_version is per connection and changes only for other connections' commits.
        try dbQueue.read { db in try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0 }
    }

    static func appendHistory(_ db: Database, _ c: LabelChange) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO label_history (\(historyColumns))
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [c.recordId, c.action.rawValue, c.oldLabel?.code, c.newLabel?.code, c.oldStatus.rawValue,
                        c.newStatus.rawValue, c.reviewer, c.at, c.oldValue, c.newValue, c.override ? 1 : 0])
    }

    public func history(recordId: String) throws -> [LabelChange] {
        try dbQueue.read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.historyColumns) FROM label_history WHERE record_id = ? ORDER BY seq",
                arguments: [recordId]
            ).map(Self.labelChange)
        }
    }

    // MARK: the review screen's list, change polling, statistics

    public func keys(_ filter: RecordFilter) throws -> [RecordKey] {
        try dbQueue.read { db in
            let (w, args) = try Self.whereClause(db, filter)
            return try RecordKey.fetchAll(db, sql: "SELECT seq FROM record WHERE \(w) ORDER BY asked_at DESC, seq DESC",
                                   arguments: args)
        }
    }

    /// The keys straight into 4 bytes each: no array of 8-byte keys made first.
    public func keyList(_ filter: RecordFilter) throws -> KeyList {
        try dbQueue.read { db in
            let (w, args) = try Self.whereClause(db, filter)
            let keys = try RecordKey.fetchCursor(db, sql: "SELECT seq FROM record WHERE \(w) ORDER BY asked_at DESC, seq DESC",
                                                 arguments: args)
            var out = KeyList()
            while let k = try keys.next() { out.append(k) }
            return out
        }
    }

    public func records(keys: [RecordKey]) throws -> [RecordKey: InteractionRecord] {
        guard !keys.isEmpty else { return [:] }
        return try dbQueue.read { db in
            var out: [RecordKey: InteractionRecord] = [:]
            let rows = try Row.fetchCursor(
                db.cachedStatement(sql: "SELECT \(Self.columns) FROM \(Self.joined) WHERE record.seq IN (SELECT value FROM json_each(?))"),
                arguments: [Self.jsonList(keys)])
            while let row = try rows.next() { out[row["seq"]] = Self.decode(row) }
            return out
        }
    }

    public func key(recordId: String) throws -> RecordKey? {
        try dbQueue.read { db in try RecordKey.fetchOne(db, sql: "SELECT seq FROM record WHERE id = ?", arguments: [recordId]) }
    }

    public func historySince(_ seq: Int64) throws -> (changes: [LabelChange], last: Int64) {
        try dbQueue.read { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT seq, \(Self.historyColumns) FROM label_history WHERE seq > ? ORDER BY seq"),
                arguments: [seq])
            let changes = rows.map(Self.labelChange)
            let last = rows.last.map { $0["seq"] as Int64 } ?? seq
            return (changes, last)
        }
    }

    public func lastHistorySeq() throws -> Int64 {
        try dbQueue.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM label_history") ?? 0 }
    }

    public func lastRecordKey() throws -> RecordKey {
        try dbQueue.read { db in try RecordKey.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0 }
    }

    public func longestAnswer(_ filter: RecordFilter, atLeast: Int, shown: (String) -> String) throws -> Int {
        try dbQueue.read { db in
            let (w, args) = try Self.whereClause(db, filter)
            // UTF-16 units of the shown text are at most twice the stored UTF-8 bytes (a control byte
            // becomes two characters), so shorter answers need not be read into Swift at all.
            let sql = """
                SELECT t.answer FROM record JOIN record_text t ON t.seq = record.seq
                WHERE \(w) AND length(CAST(t.answer AS BLOB)) * 2 >= ?
                """
            var longest = 0
            let rows = try String.fetchCursor(db, sql: sql, arguments: args + [atLeast])
            while let a = try rows.next() { longest = max(longest, shown(a).utf16.count) }
            return longest
        }
    }

    public func changeCounter() throws -> Int64 {
        let version = try dataVersion()
        // The screen's poll: a file renamed over ours is seen here too, before a label is typed.
        if movedAway() == nil {
            dataVersionSeen = version
            restWAL()
        }
        return version
    }

    /// A second after this store's last write, the WAL folded back into the file and emptied
    /// (`wal_checkpoint(TRUNCATE)`, a few ms, off the key's path). A WAL is found by its name, not
    /// by its file: left holding this session's frames, a copy renamed over the database would be
    /// read through them (whatever ends the WAL's index in shared memory rebuilds it from the
    /// file) and read as damaged — the restore-by-rename of issue 36. Busy (a long reader): tried
    /// again in 30 s, so an idle screen never waits on every poll.
    func restWAL() {
        guard walPending, unwritable == nil, damage == nil, replaced == nil,
              Date().timeIntervalSince(lastWrite) >= walRestAfter else { return }
        do {
            try dbQueue.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) }
            walPending = false
        } catch {
            lastWrite = Date().addingTimeInterval(30 - walRestAfter)
        }
    }

    public func talliesSnapshot(_ filter: RecordFilter, rules: HitRules) throws
        -> (tallies: [String: Tally], historySeq: Int64, lastKey: RecordKey)
    {
        // One read transaction: WAL gives it a single snapshot of all three.
        try dbQueue.read { db in
            let seq = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM label_history") ?? 0
            let key = try RecordKey.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0
            return (try Self.tallies(db, filter, rules: rules), seq, key)
        }
    }

    static let statisticsColumns = "seq, asked_at, org, eff_biz1, eff_biz2, label, status, hit_class, topic_hash, wording_hash"

    /// Read by position: this runs a million times when the index loads (`statisticsColumns`).
    static func statisticsRow(_ row: Row) -> StatisticsRow {
        StatisticsRow(
            key: row[0], askedAt: row[1], org: row[2], biz1: row[3], biz2: row[4],
            label: (row[5] as String?).flatMap(Label.init(rawValue:)), status: ReviewStatus(rawValue: row[6]) ?? .unlabeled,
            facts: RecordFacts(hitClass: UInt8(clamping: row[7] as Int? ?? 3), topic: row[8] ?? 0, wording: row[9] ?? 0))
    }

    public func statisticsRows(after key: RecordKey, _ body: (StatisticsRow) throws -> Void) throws {
        try dbQueue.read { db in
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.statisticsColumns) FROM record WHERE seq > ? ORDER BY seq", arguments: [key])
            while let row = try rows.next() { try body(Self.statisticsRow(row)) }
        }
    }

    /// Stepped through the C API: three integers a row, a million rows (GRDB's rows took 0.63 s
    /// at 1,000,000, this ~0.2 s). NULL reads as 0, as `statisticsRow` has it.
    public func statisticsTopics(through key: RecordKey, _ body: (_ key: RecordKey, _ topic: Int64, _ wording: Int64) throws -> Void) throws {
        try dbQueue.read { db in
            let statement = try db.makeStatement(sql: "SELECT seq, topic_hash, wording_hash FROM record WHERE seq <= ? ORDER BY seq")
            try statement.setArguments([key])
            let s = statement.sqliteStatement
            defer { sqlite3_reset(s) }
            while true {
                let rc = sqlite3_step(s)
                if rc == SQLITE_DONE { return }
                guard rc == SQLITE_ROW else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: rc),
                                        message: db.sqliteConnection.map { String(cString: sqlite3_errmsg($0)) }, sql: statement.sql)
                }
                try body(sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2))
            }
        }
    }

    public func statisticsRows(recordIds: [String]) throws -> [StatisticsRow] {
        guard !recordIds.isEmpty else { return [] }
        return try dbQueue.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT \(Self.statisticsColumns) FROM record WHERE id IN (SELECT value FROM json_each(?))"),
                arguments: [Self.jsonList(recordIds)]
            ).map(Self.statisticsRow)
        }
    }

    public func interrupt() { dbQueue.interrupt() }

    /// The bytes SQLite holds on the heap in this process (every connection: page caches,
    /// schemas, prepared statements), for the bench.
    public static var heapInUse: Int { Int(sqlite3_memory_used()) }

    public func openAnother() throws -> any RecordStore {
        try SQLiteRecordStore(path: path, busyTimeout: busyTimeout)
    }

    public func tallies(_ filter: RecordFilter, rules: HitRules) throws -> [String: Tally] {
        try dbQueue.read { db in try Self.tallies(db, filter, rules: rules) }
    }

    public func organisationCounts() throws -> [OrgCount] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT org, count(*) FROM record GROUP BY org ORDER BY 2 DESC, 1")
                .map { OrgCount(org: $0[0], count: $0[1]) }
        }
    }

    @discardableResult
    public func renameOrganisations(_ renames: [String: String], reviewer: String, at: Int64) throws -> Int {
        let pairs = renames.filter { $0.key != $0.value }.sorted { $0.key < $1.key }
        guard !pairs.isEmpty else { return 0 }
        return try mappingBusy { try dbQueue.write { db in
            var changed = 0
            for (old, new) in pairs {
                // The history first (it reads the old name), then the records: one statement each.
                try db.execute(sql: """
                    INSERT INTO label_history (\(Self.historyColumns))
                    SELECT id, 'org', label, label, status, status, ?, ?, org, ?, 0 FROM record WHERE org = ? ORDER BY seq
                    """, arguments: [reviewer, at, new, old])
                try db.execute(sql: "UPDATE record SET org = ? WHERE org = ?", arguments: [new, old])
                changed += db.changesCount
            }
            return changed
        } }
    }

    /// The hit test of HitRules, in SQL, from the raw columns: 0/1 what the log says, 2/3 decided
    /// by the fallback template on the answer's opening (read only for those rows). The same
    /// classes as `RecordFacts.hitClass`, which import stores; the full recount uses this instead,
    /// so the two are checked against each other.
    static func hitClassSQL(_ phrases: [String]) -> (String, StatementArguments) {
        let template = phrases.map { _ in "instr(substr(t.answer, 1, \(HitRules.templateWindow)), ?) > 0" }
        let templateTest = template.isEmpty ? "0" : template.joined(separator: " OR ")
        let sql = """
            CASE WHEN fallback = 1 THEN 0
                 WHEN hit_flag = 1 OR coalesce(knowledge_id, '') <> '' OR coalesce(standard_question, '') <> '' THEN 1
                 WHEN hit_flag = 0 THEN 0
                 WHEN fallback = 0 THEN 1
                 ELSE (SELECT CASE WHEN \(templateTest) THEN 2 ELSE 3 END FROM record_text t WHERE t.seq = record.seq)
            END
            """
        return (sql, StatementArguments(phrases))
    }

    static func tallies(_ db: Database, _ filter: RecordFilter, rules: HitRules) throws -> [String: Tally] {
        let (w, whereArgs) = try Self.whereClause(db, filter)
        let (hit, hitArgs) = hitClassSQL(rules.fallbackPhrases)
        let sql = """
            SELECT org, label, coalesce(eff_biz1 = ? AND eff_biz2 = ?, 0), \(hit) AS h, count(*)
            FROM record WHERE \(w) GROUP BY 1, 2, 3, 4
            """
        let arguments = StatementArguments([rules.smallTalkLevel1, rules.smallTalkLevel2]) + hitArgs + whereArgs
        var out: [String: Tally] = [:]
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try rows.next() {
            let h: Int = row[3]
            let c = Tally.Contribution(
                smallTalk: (row[2] as Int) != 0, hit: h == 1 || h == 3, byTemplate: h >= 2,
                label: (row[1] as String?).flatMap(Label.init(rawValue:)))
            out[row[0], default: Tally()].add(c, times: row[4])
        }
        return out
    }

    // MARK: import

    public func importBatch<T>(expectedRows: Int?, _ body: (any ImportSink) throws -> T) throws -> T {
        let result = try mappingBusy { try dbQueue.writeWithoutTransaction { db -> T in
            let bulk = try expectedRows.map { try Self.worthBulkMode(db, incoming: $0) } ?? false
            // Bulk: a rollback journal instead of WAL (every page written once, not to the WAL and
            // again at checkpoint: 1,000,000 rows in ~11 s instead of 18-33 s). Possible only while
            // no other connection has the file open, so a reviewer's open app keeps it in WAL; a
            // process that starts during such an import waits, then is told the file is busy.
            var rollbackJournal = false
            if bulk {
                let mode = try? String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                rollbackJournal = mode?.lowercased() == "delete"
            }
            defer {
                if rollbackJournal { _ = try? String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
            }
            var result: T?
            var indexes: [String] = []
            try db.inTransaction(.immediate) {
                // A small import into an indexed database is indexed in its own transaction
                // (~67 µs a record); a large one after its commit, resumably (completeTextIndex).
                let indexed = try SQLiteTextSearch.progress(db)
                // Bulk: drop the secondary indexes and build them again by sorting, once the
                // records are committed.
                indexes = bulk ? try Self.dropSecondaryIndexes(db) : []
                result = try body(try SQLiteImportSink(db, bulk: bulk))
                if !bulk, indexed.isComplete {
                    _ = try SQLiteTextSearch.build(db, limit: Int.max)
                }
                return .commit
            }
            // The records are committed and countable; their indexes follow in a transaction of
            // their own (bench, 1,000,000 realistic rows: records committed at 11.2 s with the
            // indexes inside, the sqlite3 shell's .import 6.8 s). Until they are there a filter
            // reads the table; a process that opens the file meanwhile, or after a crash here,
            // puts back what is missing (SQLiteSchema.repairIndexes), hence IF NOT EXISTS.
            if !indexes.isEmpty {
                try db.inTransaction(.immediate) {
                    // Sorting with helper threads: the indexes over 1,000,000 rows took ~4 s instead of ~6 s.
                    try db.execute(sql: "PRAGMA threads = \(min(4, ProcessInfo.processInfo.activeProcessorCount))")
                    for sql in indexes { try db.execute(sql: SQLiteSchema.ifNotExists(sql)) }
                    return .commit
                }
            }
            return result!
        } }
        // Keep the planner's statistics current after big changes, and fold the WAL back into the
        // file so it does not stay as large as the import.
        try mappingBusy { try dbQueue.writeWithoutTransaction { db in
            // analysis_limit keeps ANALYZE to a sample: a few ms at 1,000,000 rows.
            try db.execute(sql: "PRAGMA analysis_limit = 1000; ANALYZE record;")
            _ = try? db.checkpoint(.truncate)
        } }
        return result
    }

    /// Rebuilding an index costs about 5.5 µs per row in the table; keeping it up to date costs
    /// about 20 µs per inserted row (bench, 100,000 rows, 5-7 indexes). So rebuild when the import is
    /// large against what is stored.
    static func worthBulkMode(_ db: Database, incoming: Int) throws -> Bool {
        guard incoming >= 20_000 else { return false }
        let stored = try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM record") ?? 0
        return incoming * 5 / 2 > stored
    }

    /// Drops the secondary indexes of the record and its texts (not the unique id index, which
    /// finds duplicates) and returns the statements that make them again.
    static func dropSecondaryIndexes(_ db: Database) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT name, sql FROM sqlite_master
            WHERE type = 'index' AND tbl_name IN ('record', 'record_doc', 'text_doc') AND sql IS NOT NULL
            """)
        for row in rows { try db.execute(sql: "DROP INDEX \(row[0] as String)") }
        return rows.map { $0[1] }
    }

    public func textIndexProgress() throws -> TextIndexProgress {
        try dbQueue.read { db in try SQLiteTextSearch.progress(db) }
    }

    public func buildTextIndex(limit: Int) throws -> TextIndexProgress {
        let p = try mappingBusy { try dbQueue.write { db in try SQLiteTextSearch.build(db, limit: limit) } }
        // The index of a large import went through the WAL: fold it back, as the import does.
        if p.isComplete, limit > 1000 { _ = try? mappingBusy { try dbQueue.writeWithoutTransaction { _ = try $0.checkpoint(.truncate) } } }
        return p
    }

    public func importConflicts(recordId: String?, limit: Int) throws -> [ImportConflict] {
        try dbQueue.read { db in
            let sql = "SELECT file, line, record_id, fields, incoming, at FROM import_conflict"
                + (recordId == nil ? "" : " WHERE record_id = ?") + " ORDER BY id DESC LIMIT ?"
            let args: StatementArguments = recordId.map { [$0, limit] } ?? [limit]
            return try Row.fetchAll(db, sql: sql, arguments: args).map { row in
                ImportConflict(file: row["file"], line: row["line"], recordId: row["record_id"],
                               fields: (row["fields"] as String).split(separator: ",").map(String.init),
                               incoming: row["incoming"], at: row["at"])
            }
        }
    }

    public func logImport(_ s: ImportSummary) throws {
        try mappingBusy { try dbQueue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO import_log (file, format, encoding, imported, existing, rejected, finished_at, seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [s.file, s.format, s.encoding, s.imported, s.existing, s.rejected,
                            Int64(Date().timeIntervalSince1970), s.seconds])
        } }
    }
}

/// Inserts with one prepared statement; `INSERT OR IGNORE` on the unique id makes re-imports add
/// nothing twice, and `changesCount` says which rows were new.
final class SQLiteImportSink: ImportSink {
    let db: Database
    let insertRecord: SQLiteBulkStatement
    let insertText: SQLiteBulkStatement
    let texts: SQLiteTextDocuments

    /// `bulk`: the secondary indexes are dropped while it inserts (see SQLiteTextDocuments).
    init(_ db: Database, bulk: Bool = false) throws {
        self.db = db
        insertRecord = try SQLiteBulkStatement(db, sql: """
            INSERT OR IGNORE INTO record (id, session_id, turn, asked_at, channel, org, knowledge_id,
              standard_question, fallback, hit_flag, biz1, biz2, corrected_biz1, corrected_biz2, satisfaction, label,
              status, reviewer, labeled_at, reviewed_by, reviewed_at, note, hit_class, topic_hash, wording_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        insertText = try SQLiteBulkStatement(db, sql: "INSERT INTO record_doc (seq, question_doc, answer_doc) VALUES (?, ?, ?)")
        texts = try SQLiteTextDocuments(db, bulk: bulk)
    }

    func add(_ r: InteractionRecord, facts: RecordFacts, origin: ImportOrigin) throws -> ImportOutcome {
        guard try insertNew(r, facts: facts) else { return try compareWithStored(r, origin: origin) }
        return .inserted
    }

    /// The log's own fields (not what reviewers changed since): a record stored with other values
    /// in any of these is a conflict, one with the same values a plain re-import.
    static let comparedSQL = """
        SELECT r.session_id, r.turn, r.asked_at, r.channel, r.org, t.question, t.answer, r.knowledge_id,
               r.standard_question, r.fallback, r.hit_flag, r.biz1, r.biz2, r.satisfaction
        FROM record r JOIN record_text t ON t.seq = r.seq WHERE r.id = ?
        """

    /// Only rows whose id is stored already get here: a first import pays nothing; a re-import of
    /// the same file reads each stored row once.
    func compareWithStored(_ r: InteractionRecord, origin: ImportOrigin) throws -> ImportOutcome {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.comparedSQL), arguments: [r.id]) else { return .identical }
        let stored = ImportComparison.Stored(
            sessionId: row[0], turn: row[1], askedAt: row[2], channel: row[3], org: row[4], question: row[5], answer: row[6],
            knowledgeId: row[7], standardQuestion: row[8], fallback: row[9], hitFlag: row[10], biz1: row[11], biz2: row[12],
            satisfaction: row[13])
        let differing = stored.differences(from: r)
        guard !differing.isEmpty else { return .identical }
        let incoming = RecordJSON.line(r)
        // The same file imported again keeps one copy of each conflict.
        let known = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM import_conflict WHERE record_id = ? AND incoming = ?"),
                                      arguments: [r.id, incoming]) ?? false
        if !known {
            try db.cachedStatement(sql: """
                INSERT INTO import_conflict (file, line, record_id, fields, incoming, at) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [origin.file, origin.line, r.id, differing.joined(separator: ","), incoming,
                                        Int64(Date().timeIntervalSince1970)])
        }
        return .conflict(fields: differing)
    }

    func insertNew(_ r: InteractionRecord, facts: RecordFacts) throws -> Bool {
        let s = insertRecord
        s.bind(1, r.id); s.bind(2, r.sessionId); s.bind(3, r.turn); s.bind(4, r.askedAt); s.bind(5, r.channel)
        s.bind(6, r.org); s.bind(7, r.knowledgeId); s.bind(8, r.standardQuestion); s.bind(9, r.fallback)
        s.bind(10, r.hitFlag); s.bind(11, r.biz1); s.bind(12, r.biz2); s.bind(13, r.correctedBiz1)
        s.bind(14, r.correctedBiz2); s.bind(15, r.satisfaction); s.bind(16, r.label?.code); s.bind(17, r.status.rawValue)
        s.bind(18, r.reviewer); s.bind(19, r.labeledAt); s.bind(20, r.reviewedBy); s.bind(21, r.reviewedAt)
        s.bind(22, r.note); s.bind(23, Int(facts.hitClass)); s.bind(24, facts.topic); s.bind(25, facts.wording)
        guard try s.execute() > 0 else { return false }
        let seq = db.lastInsertedRowID
        insertText.bind(1, seq)
        insertText.bind(2, try texts.id(for: r.question))
        insertText.bind(3, try texts.id(for: r.answer))
        try insertText.execute()
        // A label that arrives with the data is a change too: the history says where it came from.
        if let c = ReviewRules.importedLabel(r) { try SQLiteRecordStore.appendHistory(db, c) }
        return true
    }
}

// MARK: leases (TeamStore)

extension SQLiteRecordStore {
    public static var leaseSeconds: Int64 { 120 }

    /// One IMMEDIATE transaction, so two processes claiming at the same moment are serialised by
    /// SQLite's write lock: the second sees the first's rows and takes none of them.
    public func claim(_ keys: [RecordKey], reviewer: String, at: Int64) throws -> Set<RecordKey> {
        let expires = at + Self.leaseSeconds
        return try mappingBusy { try dbQueue.writeWithoutTransaction { db in
            var held = Set<RecordKey>()
            try db.inTransaction(.immediate) {
                // The reviewer's other leases end: one reviewer holds what they are on, no more.
                try db.cachedStatement(sql: "DELETE FROM lease WHERE reviewer = ? AND seq NOT IN (SELECT value FROM json_each(?))")
                    .execute(arguments: [reviewer, Self.jsonList(keys)])
                for key in keys {
                    // Taken when free, expired or already ours (then renewed, keeping `since`).
                    try db.cachedStatement(sql: """
                        INSERT INTO lease (seq, reviewer, since, expires) VALUES (?, ?, ?, ?)
                        ON CONFLICT(seq) DO UPDATE SET
                          since = CASE WHEN lease.reviewer = excluded.reviewer THEN lease.since ELSE excluded.since END,
                          reviewer = excluded.reviewer, expires = excluded.expires
                        WHERE lease.reviewer = excluded.reviewer OR lease.expires <= ?
                        """).execute(arguments: [key, reviewer, at, expires, at])
                    if db.changesCount > 0 { held.insert(key) }
                }
                return .commit
            }
            return held
        } }
    }

    public func leases(_ keys: [RecordKey], except reviewer: String, at: Int64) throws -> [RecordKey: Lease] {
        guard !keys.isEmpty else { return [:] }
        return try dbQueue.read { db in
            var out: [RecordKey: Lease] = [:]
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, reviewer, since, expires FROM lease
                WHERE seq IN (SELECT value FROM json_each(?)) AND reviewer <> ? AND expires > ?
                """), arguments: [Self.jsonList(keys), reviewer, at])
            for row in rows {
                let l = Lease(key: row["seq"], reviewer: row["reviewer"], since: row["since"], expires: row["expires"])
                out[l.key] = l
            }
            return out
        }
    }

    public func releaseLeases(reviewer: String) throws {
        try mappingBusy { try dbQueue.write { db in try db.execute(sql: "DELETE FROM lease WHERE reviewer = ?", arguments: [reviewer]) } }
    }
}

// MARK: blind double review (TeamStore)

extension SQLiteRecordStore {
    /// A vote on a sampled record (inside the label's transaction): the reviewer's own label; with
    /// the other reviewer's equal vote, the record takes it.
    static func vote(_ db: Database, seq: Int64, record r: InteractionRecord, label: Label?, reviewer: String, at: Int64)
        throws -> (ReviewState, LabelChange)?
    {
        let votes = try Row.fetchAll(db.cachedStatement(sql: "SELECT reviewer, label FROM vote WHERE seq = ? ORDER BY at, rowid"), arguments: [seq])
            .map { (reviewer: $0["reviewer"] as String, label: Label(rawValue: $0["label"] as String)) }
        guard let d = try ReviewRules.vote(r, votes: votes, label: label, reviewer: reviewer, at: at) else { return nil }
        if let label = d.vote {
            try db.cachedStatement(sql: """
                INSERT INTO vote (seq, reviewer, label, at) VALUES (?, ?, ?, ?)
                ON CONFLICT(seq, reviewer) DO UPDATE SET label = excluded.label, at = excluded.at
                """).execute(arguments: [seq, reviewer, label.code, at])
        } else {
            try db.execute(sql: "DELETE FROM vote WHERE seq = ? AND reviewer = ?", arguments: [seq, reviewer])
        }
        if let row = d.voteRow { try appendHistory(db, row) }
        return d.outcome
    }

    public func drawSample(_ filter: RecordFilter, rate: Double, seed: UInt64, by: String, at: Int64) throws -> Int {
        try mappingBusy { try dbQueue.write { db in
            let (w, args) = try Self.whereClause(db, filter)
            let rows = try Row.fetchAll(db, sql: """
                SELECT seq, org, asked_at FROM record WHERE \(w) AND label IS NULL
                AND seq NOT IN (SELECT seq FROM double_sample)
                """, arguments: args)
            var strata: [String: [Int64]] = [:]
            for row in rows { strata[ReviewRules.stratum(org: row["org"], askedAt: row["asked_at"]), default: []].append(row["seq"]) }
            let chosen = ReviewRules.sample(strata, rate: rate, seed: seed)
            for seq in chosen {
                try db.execute(sql: "INSERT INTO double_sample (seq, drawn_at, drawn_by, seed) VALUES (?, ?, ?, ?)",
                               arguments: [seq, at, by, Int64(bitPattern: seed)])
            }
            return chosen.count
        } }
    }

    public func sampleState(_ keys: [RecordKey], reviewer: String) throws -> [RecordKey: SampleState] {
        guard !keys.isEmpty else { return [:] }
        return try dbQueue.read { db in
            var out: [RecordKey: SampleState] = [:]
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT s.seq AS seq, record.label AS decided,
                  (SELECT count(*) FROM vote v WHERE v.seq = s.seq) AS n,
                  (SELECT count(DISTINCT label) FROM vote v WHERE v.seq = s.seq) AS kinds,
                  (SELECT label FROM vote v WHERE v.seq = s.seq AND v.reviewer = ?) AS mine
                FROM double_sample s JOIN record ON record.seq = s.seq WHERE s.seq IN (SELECT value FROM json_each(?))
                """), arguments: [reviewer, Self.jsonList(keys)])
            for row in rows {
                let n: Int = row["n"], kinds: Int = row["kinds"]
                out[row["seq"]] = SampleState(votes: n, mine: (row["mine"] as String?).flatMap(Label.init(rawValue:)),
                                              disputed: n >= 2 && kinds > 1 && (row["decided"] as String?) == nil)
            }
            return out
        }
    }

    static let voteColumns = "v.seq AS seq, record.id AS id, v.reviewer AS reviewer, v.label AS label, v.note AS note, v.at AS at"

    static func vote(_ row: Row) -> Vote? {
        guard let label = Label(rawValue: row["label"] as String) else { return nil }
        return Vote(key: row["seq"], recordId: row["id"], reviewer: row["reviewer"], label: label, note: row["note"], at: row["at"])
    }

    public func votes() throws -> [Vote] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.voteColumns) FROM vote v JOIN record ON record.seq = v.seq ORDER BY v.at, v.rowid")
                .compactMap(Self.vote)
        }
    }

    static let disputedSeqs = """
        SELECT v.seq FROM vote v JOIN record ON record.seq = v.seq WHERE record.label IS NULL
        GROUP BY v.seq HAVING count(*) >= 2 AND count(DISTINCT v.label) > 1
        """

    public func disputes(limit: Int) throws -> [Dispute] {
        try dbQueue.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.voteColumns) FROM vote v JOIN record ON record.seq = v.seq
                WHERE v.seq IN (SELECT seq FROM (\(Self.disputedSeqs)) ORDER BY seq)
                ORDER BY v.seq, v.at, v.rowid
                """)
            return ReviewRules.disputes(rows.compactMap(Self.vote), limit: limit)
        }
    }

    public func sampleExists() throws -> Bool {
        try dbQueue.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM double_sample)") ?? false }
    }

    public func awaitingSecondVote(reviewer: String, at: Int64, limit: Int) throws -> [RecordKey] {
        try dbQueue.read { db in
            try RecordKey.fetchAll(db.cachedStatement(sql: """
                SELECT v.seq FROM vote v JOIN record ON record.seq = v.seq
                WHERE record.label IS NULL
                  AND NOT EXISTS (SELECT 1 FROM lease l WHERE l.seq = v.seq AND l.reviewer <> ? AND l.expires > ?)
                GROUP BY v.seq HAVING count(*) = 1 AND max(v.reviewer) <> ?
                ORDER BY min(v.at), v.seq LIMIT ?
                """), arguments: [reviewer, at, reviewer, limit])
        }
    }

    public func disputeCount() throws -> Int {
        try dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(Self.disputedSeqs))") ?? 0 }
    }

    @discardableResult
    public func adjudicate(recordId: String, label: Label, by: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in ReviewRules.adjudicate(r, label, by: by, at: at) }
    }

    @discardableResult
    public func sendBack(recordId: String, note: String, by: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { db, r in
            try db.execute(sql: "DELETE FROM vote WHERE seq = (SELECT seq FROM record WHERE id = ?)", arguments: [recordId])
            return ReviewRules.sendBack(r, note: note, by: by, at: at)
        }
    }
}

// MARK: assignment (TeamStore)

extension SQLiteRecordStore {
    public func assign(_ filter: RecordFilter, to shares: [(reviewer: String, share: Int)], by: String, at: Int64) throws
        -> [String: Int]
    {
        guard shares.contains(where: { $0.share > 0 }) else { return [:] }
        let keys = try keys(filter)
        return try mappingBusy { try dbQueue.write { db in
            var counts: [String: Int] = [:]
            for (key, who) in ReviewRules.assign(keys, shares: shares) {
                try db.execute(sql: """
                    INSERT INTO assignment (seq, reviewer, assigned_at, assigned_by) VALUES (?, ?, ?, ?)
                    ON CONFLICT(seq) DO UPDATE SET reviewer = excluded.reviewer, assigned_at = excluded.assigned_at,
                      assigned_by = excluded.assigned_by
                    """, arguments: [key, who, at, by])
                counts[who, default: 0] += 1
            }
            return counts
        } }
    }

    public func assignments() throws -> [String: (assigned: Int, open: Int)] {
        try dbQueue.read { db in
            var out: [String: (assigned: Int, open: Int)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT a.reviewer AS reviewer, count(*) AS n, sum(record.label IS NULL) AS open
                FROM assignment a JOIN record ON record.seq = a.seq GROUP BY a.reviewer
                """) {
                out[row["reviewer"]] = (row["n"], row["open"])
            }
            return out
        }
    }
}

extension StoreError {
    /// An error as one line for a person: SQLite's own errors (a damaged page met while reading,
    /// a full disk) without the SQL statement GRDB adds; everything else as it describes itself.
    public static func explain(_ error: Error) -> String {
        guard let e = error as? DatabaseError else { return "\(error)" }
        let what = e.message ?? "SQLite error \(e.resultCode.rawValue)"
        switch e.resultCode {
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return "数据库已损坏（\(what)）；用 workbench db check 检查，再用备份恢复或 sqlite3 .recover (the database is damaged)"
        case .SQLITE_FULL: return "磁盘已满，未保存 (the disk is full: nothing saved)"
        case .SQLITE_READONLY: return "数据库只读，未保存 (the database is read-only: nothing saved)"
        case .SQLITE_IOERR: return "读写数据库文件出错（\(what)），磁盘可能已满或损坏 (an I/O error: the disk may be full or failing)"
        default: return "数据库错误 (database error): \(what)"
        }
    }
}
