/// The storage the rest of Workbench talks to. Plain synchronous calls with no database types in
/// them: the embedded SQLite store implements it with GRDB, and a PostgreSQL store can implement it
/// with postgres-nio by waiting on its futures off the event loop — callers do not change.
public protocol RecordStore: TeamStore {
    /// A short description for headers and messages (a path, or a server and database).
    var location: String { get }
    /// Why this store cannot be written now (no permission, a read-only filesystem, a full disk,
    /// damage found), or nil. Reading works either way; every write is refused with the reason.
    var readOnly: String? { get }
    /// The file at the store's path is no longer the one it opened (SQLite: another file renamed
    /// over it, or it was moved away), in words; nil otherwise and on a server. Every write is
    /// refused from then on (`StoreError.replaced`), and `readOnly` says so too.
    var replaced: String? { get }
    /// SQLite's quick check (`thorough`: its full integrity check, which also compares every index
    /// with its table): the problems found, none when the file is sound. Problems found make the
    /// store refuse every later write (`readOnly`).
    func checkIntegrity(thorough: Bool) throws -> [String]
    /// A consistent copy of the whole database at `destination` (which must not exist), made
    /// while others may go on writing (SQLite's online backup API).
    func backup(to destination: String) throws

    /// Conflicts kept by imports (newest first), or those of one record.
    func importConflicts(recordId: String?, limit: Int) throws -> [ImportConflict]

    // Personal data (issue 18): stored texts read in key order, masked in place.
    /// Up to `limit` records after `after`, in key order, with their texts.
    func texts(after: RecordKey, limit: Int) throws -> [StoredText]
    /// Replaces records' question and answer with masked forms in one transaction, a `mask`
    /// history row each saying what was masked (never the text), the text index kept in step.
    func replaceTexts(_ items: [MaskedText], reviewer: String, at: Int64) throws
    /// How far `privacy apply` came with which version of the rules (nil: never run).
    func privacyMark() throws -> (rules: Int, doneTo: RecordKey)?
    func setPrivacyMark(rules: Int, doneTo: RecordKey) throws
    /// Every export: who, when, what, how many rows, where, the file's SHA-256.
    func logExport(_ entry: ExportLogEntry) throws
    func exportLog(limit: Int) throws -> [ExportLogEntry]

    func totalCount() throws -> Int
    func count(_ filter: RecordFilter) throws -> Int
    /// Newest first (asked-at, then insertion order). Pass the previous page's `next` to continue.
    func page(_ filter: RecordFilter, after cursor: PageCursor?, limit: Int) throws -> RecordPage
    func record(id: String) throws -> InteractionRecord?

    /// Sets or (with nil) clears the label. Writes the label history in the same transaction.
    /// Returns nil when nothing changed (the same label again). Changing another reviewer's label,
    /// or labelling a record another reviewer holds, is refused or marked as an override (`others`).
    @discardableResult
    func setLabel(_ label: Label?, recordId: String, reviewer: String, at: Int64, others: OthersWork) throws -> LabelChange?
    /// Second review (已复核): confirms the label, or changes it when one is given.
    @discardableResult
    func markReviewed(recordId: String, label: Label?, reviewer: String, at: Int64) throws -> LabelChange?
    /// The record's label history, oldest first.
    func history(recordId: String) throws -> [LabelChange]

    /// Sets (or with nil or empty text, clears) the reviewer's note; kept in the history.
    @discardableResult
    func setNote(_ note: String?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange?
    /// 人工修正分类: the reviewer's business type (nil clears the correction); kept in the history.
    @discardableResult
    func correctBusinessType(biz1: String?, biz2: String?, recordId: String, reviewer: String, at: Int64) throws
        -> LabelChange?
    /// Undo: puts an earlier review state back as it was; the history gets an `undo` row.
    /// `expecting`: the state the undone change left; when someone has changed the record since,
    /// nothing is written and `StoreError.changedSince` says by whom (their work is not undone).
    @discardableResult
    func restore(_ state: ReviewState, expecting: ReviewState?, recordId: String, reviewer: String, at: Int64) throws
        -> LabelChange?

    /// Every record key the filter selects, in list order (newest first). The review screen holds
    /// this list (as a `KeyList`, 4 bytes a record) and fetches only the rows it shows.
    func keys(_ filter: RecordFilter) throws -> [RecordKey]
    /// The same keys held in 4 bytes each (`KeyList`): what the review list keeps.
    func keyList(_ filter: RecordFilter) throws -> KeyList
    /// The records with these keys, by key; keys of records that no longer exist are left out.
    func records(keys: [RecordKey]) throws -> [RecordKey: InteractionRecord]
    /// The stored key of a record, for a caller that has only its id.
    func key(recordId: String) throws -> RecordKey?

    /// A number that changes whenever another connection (another reviewer's process) commits:
    /// polled by the review screen to show their labels within a second.
    func changeCounter() throws -> Int64

    /// History rows written after `seq` (any process's), and the last seq seen: lets a screen move
    /// its figures by what changed instead of counting everything again.
    func historySince(_ seq: Int64) throws -> (changes: [LabelChange], last: Int64)
    func lastHistorySeq() throws -> Int64
    /// The newest record's key: when it changes, records were imported.
    func lastRecordKey() throws -> RecordKey

    /// The longest answer among the filter's records, in UTF-16 units after `shown` (how many
    /// continuation cells an XLSX export needs). Only answers that could pass `atLeast` are read.
    func longestAnswer(_ filter: RecordFilter, atLeast: Int, shown: (String) -> String) throws -> Int

    /// Every organisation name stored in the records, with how many records carry it (most
    /// first, then by name): names outside the reference data too (`workbench orgs`).
    func organisationCounts() throws -> [OrgCount]
    /// Rewrites stored organisation names (`renames`: stored name → new name) in one transaction,
    /// with an `org` history row per record (the old and new name), so every reader — filters,
    /// figures, exports — sees the new name and open screens follow by the history. Returns how
    /// many records changed.
    @discardableResult
    func renameOrganisations(_ renames: [String: String], reviewer: String, at: Int64) throws -> Int

    /// The statistics of the filter's records, per organisation (see `Tally`).
    func tallies(_ filter: RecordFilter, rules: HitRules) throws -> [String: Tally]
    /// The same, with the history position and newest record key they count up to, read in one
    /// snapshot: a screen can count on another connection and then catch up by the history.
    func talliesSnapshot(_ filter: RecordFilter, rules: HitRules) throws
        -> (tallies: [String: Tally], historySeq: Int64, lastKey: RecordKey)
    /// Every record after `key`, in key order, as the statistics index holds it (no texts read).
    func statisticsRows(after key: RecordKey, _ body: (StatisticsRow) throws -> Void) throws
    /// The current statistics rows of these records (after label changes), in no set order.
    func statisticsRows(recordIds: [String]) throws -> [StatisticsRow]
    /// The hot-question facts (topic, wording) of every record up to `key`, in key order: the two
    /// columns the app's statistics index reads only when a board with a TOP N is counted.
    func statisticsTopics(through key: RecordKey, _ body: (_ key: RecordKey, _ topic: Int64, _ wording: Int64) throws -> Void) throws
    /// Stops the query this connection is running (called from another thread): it throws.
    /// A search superseded by a newer keystroke ends at once instead of finishing unseen.
    func interrupt()
    /// Another connection to the same data, for work on another thread.
    func openAnother() throws -> any RecordStore

    /// Runs one file's import in one transaction: either all of `body`'s inserts are kept or none.
    /// `expectedRows` (an estimate) lets a store choose a faster way for a large import.
    func importBatch<T>(expectedRows: Int?, _ body: (any ImportSink) throws -> T) throws -> T
    /// How far the text index (which answers text conditions) has come. Records not in it yet are
    /// still found, by a slower substring scan.
    func textIndexProgress() throws -> TextIndexProgress
    /// Adds up to `limit` more records to the text index in one short write transaction: a large
    /// import, or a database from before the index, is indexed by repeated calls, resumably.
    func buildTextIndex(limit: Int) throws -> TextIndexProgress
    /// Keeps a line per imported file (what, how many, how long) for the audit trail.
    func logImport(_ summary: ImportSummary) throws
}

extension RecordStore {
    public var replaced: String? { nil }

    /// Builds the text index to the end in batches, reporting after each; stops early (resumable)
    /// when `progress` returns false.
    @discardableResult
    public func completeTextIndex(batch: Int = 20_000, progress: (TextIndexProgress) -> Bool = { _ in true }) throws -> TextIndexProgress {
        var p = try textIndexProgress()
        while !p.isComplete {
            p = try buildTextIndex(limit: batch)
            if !progress(p) { break }
        }
        return p
    }

    /// Sets the label whoever set it before (commands, scripts): an override is marked in the history.
    @discardableResult
    public func setLabel(_ label: Label?, recordId: String, reviewer: String, at: Int64) throws -> LabelChange? {
        try setLabel(label, recordId: recordId, reviewer: reviewer, at: at, others: .overwrite)
    }

    public func importBatch<T>(_ body: (any ImportSink) throws -> T) throws -> T {
        try importBatch(expectedRows: nil, body)
    }

    public func keyList(_ filter: RecordFilter) throws -> KeyList { KeyList(try keys(filter)) }

    public func statisticsTopics(through key: RecordKey, _ body: (_ key: RecordKey, _ topic: Int64, _ wording: Int64) throws -> Void) throws {
        try statisticsRows(after: .min) { r in
            if r.key <= key { try body(r.key, r.facts.topic, r.facts.wording) }
        }
    }
}

/// A record's place in the store (SQLite's rowid; a PostgreSQL store's bigserial).
public typealias RecordKey = Int64

/// Where the next page starts: the last row of the previous one.
public struct PageCursor: Equatable, Sendable {
    public let askedAt: Int64
    public let seq: Int64
    public init(askedAt: Int64, seq: Int64) {
        self.askedAt = askedAt
        self.seq = seq
    }
}

public struct RecordPage: Sendable {
    public let records: [InteractionRecord]
    public let next: PageCursor?
}

/// One row of the append-only label history.
public struct LabelChange: Equatable, Sendable {
    public enum Action: String, Hashable, Sendable {
        case label, clear, review, `import`
        /// Not label changes, kept in the same history: the note and the business-type correction.
        case note, businessType = "biz"
        /// An earlier state put back by undo.
        case undo
        /// A reviewer's own label on a double-review record (blind until both are in).
        case vote
        /// A supervisor's decision on a double-review record whose two labels differ.
        case adjudicate
        /// A disagreement sent back to both reviewers (their labels are in the history).
        case sendBack = "send-back"
        /// Personal data masked in the texts (`newValue` says what, never the text itself).
        case mask
        /// The stored organisation rewritten to the reference data's name (`workbench orgs
        /// --apply`): `oldValue` the name as imported, `newValue` the one now stored.
        case org
    }
    public let recordId: String
    public let action: Action
    public let oldLabel: Label?
    public let newLabel: Label?
    public let oldStatus: ReviewStatus
    public let newStatus: ReviewStatus
    public let reviewer: String
    public let at: Int64
    /// For `note` and `biz` rows: the text before and after (business type as `一级/二级`).
    public let oldValue: String?
    public let newValue: String?
    /// The change replaced another reviewer's label, or was made on a record another reviewer held.
    public let override: Bool

    public init(
        recordId: String, action: Action, oldLabel: Label?, newLabel: Label?, oldStatus: ReviewStatus,
        newStatus: ReviewStatus, reviewer: String, at: Int64, oldValue: String? = nil, newValue: String? = nil,
        override: Bool = false
    ) {
        self.override = override
        self.oldValue = oldValue
        self.newValue = newValue
        self.recordId = recordId
        self.action = action
        self.oldLabel = oldLabel
        self.newLabel = newLabel
        self.oldStatus = oldStatus
        self.newStatus = newStatus
        self.reviewer = reviewer
        self.at = at
    }
}

/// Receives one file's records inside the import transaction.
public protocol ImportSink: AnyObject {
    /// Inserts the record with its statistics facts unless one with its id is already stored
    /// (earlier, or from this same file). A stored record with other content is a conflict: the
    /// stored side stays, the incoming one is kept in the conflicts (`origin`: file and line).
    func add(_ record: InteractionRecord, facts: RecordFacts, origin: ImportOrigin) throws -> ImportOutcome

    /// The records of one batch in file order (`lines[i]` is `records[i]`'s line in `file`), an
    /// outcome each: the same as `add` for one after the other. A server store sends the batch in
    /// one COPY instead of a round trip per record.
    func add(batch records: [InteractionRecord], facts: [RecordFacts], lines: [Int], file: String) throws -> [ImportOutcome]
}

extension ImportSink {
    public func add(batch records: [InteractionRecord], facts: [RecordFacts], lines: [Int], file: String) throws -> [ImportOutcome] {
        try records.indices.map { try add(records[$0], facts: facts[$0], origin: ImportOrigin(file: file, line: lines[$0])) }
    }
}

/// Where an imported row came from.
public struct ImportOrigin: Sendable, Equatable {
    public let file: String
    public let line: Int
    public init(file: String, line: Int) { self.file = file; self.line = line }
}

public enum ImportOutcome: Equatable, Sendable {
    case inserted
    /// Already stored with the same content (a plain re-import): nothing to say.
    case identical
    /// Already stored with other content in these fields (their Chinese header names).
    case conflict(fields: [String])
}

public struct StoredText: Sendable, Equatable {
    public let key: RecordKey
    public let recordId: String
    public let question: String
    public let answer: String
    public init(key: RecordKey, recordId: String, question: String, answer: String) {
        self.key = key; self.recordId = recordId; self.question = question; self.answer = answer
    }
}

/// A record's texts after masking, and what was masked in words ("身份证号 1、手机号 2").
public struct MaskedText: Sendable, Equatable {
    public let key: RecordKey
    public let recordId: String
    public let question: String
    public let answer: String
    public let what: String
    public init(key: RecordKey, recordId: String, question: String, answer: String, what: String) {
        self.key = key; self.recordId = recordId; self.question = question; self.answer = answer; self.what = what
    }
}

/// One export, as the export log keeps it.
public struct ExportLogEntry: Sendable, Equatable {
    public let by: String
    public let at: Int64
    public let filter: String
    public let format: String
    public let rows: Int
    public let file: String
    /// Of the file as written; nil for a pipe or a terminal (nothing to read back).
    public let sha256: String?
    /// Personal data the last check found and masked in the written texts.
    public let masked: Int
    public init(by: String, at: Int64, filter: String, format: String, rows: Int, file: String, sha256: String?, masked: Int) {
        self.by = by; self.at = at; self.filter = filter; self.format = format; self.rows = rows; self.file = file
        self.sha256 = sha256; self.masked = masked
    }
}

/// An imported record that met a stored one with the same id and other content.
public struct ImportConflict: Sendable, Equatable {
    public let file: String
    public let line: Int
    public let recordId: String
    public let fields: [String]
    /// The incoming record as a `list --format jsonl` line.
    public let incoming: String
    public let at: Int64

    public init(file: String, line: Int, recordId: String, fields: [String], incoming: String, at: Int64) {
        self.file = file; self.line = line; self.recordId = recordId; self.fields = fields; self.incoming = incoming; self.at = at
    }
}

extension ImportSink {
    /// Inserts; true when the record was new.
    public func insert(_ record: InteractionRecord, facts: RecordFacts) throws -> Bool {
        try add(record, facts: facts, origin: ImportOrigin(file: "", line: 0)) == .inserted
    }

    /// Inserts with facts from the bundled reference data and the default fallback phrases.
    public func insert(_ record: InteractionRecord) throws -> Bool {
        try insert(record, facts: RecordFacts.of(record, rules: .defaultPhrases, topics: .bundled))
    }
}

extension StoreError {
    /// Why `replaced`: another file renamed over the open one (the way a copy is put back), or
    /// the file moved or deleted.
    public static let replacedText = "数据库文件已被替换（另一个文件改名覆盖了它），本会话不再写入"
    public static let movedText = "数据库文件已被移走或删除，本会话不再写入"

    public static func english(_ why: String) -> String {
        why == movedText ? "the database file was moved or deleted: this session writes nothing more"
                         : "the database file was replaced by another file renamed over it: this session writes nothing more"
    }
}

public enum StoreError: Error, CustomStringConvertible, Equatable {
    case recordNotFound(String)
    case notLabeled(String)
    case cannotOpen(String, String)
    /// Another process held the write lock for longer than the busy timeout.
    case busy(String)
    /// Undo refused: the record was changed after the change being undone (by `reviewer`).
    case changedSince(String, reviewer: String)
    /// A label refused (`OthersWork.refuse`): `reviewer` labelled the record (`label`) or holds it.
    case othersWork(String, reviewer: String, label: Label?, holds: Bool)
    /// A double-review record already has its two reviewers' labels.
    case sampleComplete(String)
    /// The database cannot be written (why: permissions, a read-only filesystem, a full disk).
    case readOnly(String, why: String)
    /// SQLite found damage (detail: its words): nothing more is written until it is repaired.
    case damaged(String, String)
    /// The file at the path is no longer the one opened (`why`: `replacedText` or `movedText`):
    /// nothing more is written by this store; the session is to be closed and opened again.
    case replaced(String, String)
    /// The database server refused or failed a statement (where, and why in its words: no
    /// permission for this role, a statement timeout, the connection lost).
    case server(String, String)
    /// The server cannot be reached just now (restarted, the network down): nothing was
    /// committed, or — after a connection lost during COMMIT — it is not known yet. Trying the
    /// same write again later is safe: a label already in place writes nothing twice.
    case unreachable(String, String)

    public var description: String {
        switch self {
        case .recordNotFound(let id): "没有这条记录 (no such record): \(id)"
        case .notLabeled(let id): "记录 \(id) 尚未标注，复核时请给出标注 (not labelled yet: give a label to review it)"
        case .cannotOpen(let path, let why): "无法打开数据库 \(path): \(why)"
        case .changedSince(let id, let who): "记录 \(id) 之后已被 \(who) 修改，不能撤销，以免覆盖其修改 (changed since by \(who): not undone, so their change stays)"
        case .othersWork(let id, let who, let label, let holds):
            holds ? "记录 \(id) 正由 \(who) 审核中 (\(who) is on this record)"
                  : "记录 \(id) 已由 \(who) 标注为「\(label?.chineseName ?? "未标注")」 (labelled by \(who))"
        case .sampleComplete(let id):
            "记录 \(id) 是双评样本，已有两名审核员标注 (a double-review record that two reviewers have already labelled)"
        case .readOnly(let path, let why): "数据库 \(path) 只读（\(why)），未保存任何修改 (the database is read-only: nothing saved)"
        case .damaged(let path, let detail):
            "数据库 \(path) 已损坏（\(detail)），未写入任何内容；用 workbench db check --db \(path) 查看，再用备份恢复（workbench db restore 备份文件 --db \(path)，备份由 workbench db backup 做）或 sqlite3 \(path) .recover (the database is damaged: nothing written; restore a backup with workbench db restore, or recover with sqlite3 .recover)"
        case .replaced(let path, let why):
            "\(why)，这次的修改未保存；请退出后重新打开。要恢复备份：所有人退出后运行 workbench db restore 备份文件 --db \(path) (\(Self.english(why)), this change was not saved; quit and open again; to restore a backup, with everyone out: workbench db restore BACKUP --db \(path))"
        case .server(let place, let why): "数据库服务器 \(place)：\(why)"
        case .unreachable(let place, let why): "数据库服务器 \(place) 暂时连不上（\(why)），未保存 (the server cannot be reached just now: not saved)"
        case .busy(let path): "数据库 \(path) 正被另一个进程写入（可能在大批量导入），未保存，请稍后再试 (database busy: another process is writing, perhaps a large import; nothing was saved, try again)"
        }
    }
}
