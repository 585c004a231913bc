import Foundation
import GRDB

/// One saved version of an entry and what made it.
public struct KnowledgeVersion: Equatable, Sendable {
    public enum Action: String, Sendable {
        case create, edit, retire, dates, review, `import`
        public var chineseName: String {
            switch self {
            case .create: "新建"
            case .edit: "编辑"
            case .retire: "停用"
            case .dates: "修改有效期"
            case .review: "复查确认"
            case .import: "导入"
            }
        }
    }
    public let entry: KnowledgeEntry
    public let action: Action
}

/// Where knowledge entries live, beside the records: the SQLite file (or a PostgreSQL server
/// shaped the same way). Saving never overwrites: it adds a version.
public protocol KnowledgeStore: AnyObject {
    /// Every entry's current version, by id.
    func knowledgeEntries() throws -> [KnowledgeEntry]
    func knowledgeEntry(id: String) throws -> KnowledgeEntry?
    /// Every version of an entry, oldest first.
    func knowledgeHistory(id: String) throws -> [KnowledgeVersion]
    /// Saves each entry as a new version (a new entry when its id is empty), all in one
    /// transaction, and returns them as saved: nil for one where nothing the user sees changed
    /// (unless the action is a review). `stamp`: who and when; nil keeps the entries' own (demo
    /// data made to look older). The caller validates.
    func saveKnowledge(_ entries: [(KnowledgeEntry, KnowledgeVersion.Action)], stamp: (by: String, at: Int64)?) throws
        -> [KnowledgeEntry?]
}

extension KnowledgeStore {
    public func saveKnowledge(_ entry: KnowledgeEntry, action: KnowledgeVersion.Action, by: String, at: Int64) throws
        -> KnowledgeEntry?
    {
        try saveKnowledge([(entry, action)], stamp: (by, at))[0]
    }

    public func saveKnowledge(_ entries: [(KnowledgeEntry, KnowledgeVersion.Action)], by: String, at: Int64) throws
        -> [KnowledgeEntry?]
    {
        try saveKnowledge(entries, stamp: (by, at))
    }
}

extension SQLiteRecordStore: KnowledgeStore {
    static let kbColumns = """
        topic, region, biz1, biz2, standard_question, similar_questions, answer, policy_basis, effective_from,
        effective_to, state, version, updated_by, updated_at, last_reviewed_at, bot_ids
        """

    static func decodeEntry(_ row: Row, id: String, from i: Int) -> KnowledgeEntry {
        let similar: String = row[i + 5]
        let bots: String = row[i + 15]
        var e = KnowledgeEntry(
            id: id, topic: row[i], region: row[i + 1], biz1: row[i + 2], biz2: row[i + 3], standardQuestion: row[i + 4],
            similarQuestions: similar.isEmpty ? [] : similar.split(separator: "\n").map(String.init), answer: row[i + 6],
            policyBasis: row[i + 7], effectiveFrom: row[i + 8], effectiveTo: row[i + 9],
            state: KnowledgeEntry.State(rawValue: row[i + 10]) ?? .draft, version: row[i + 11], updatedBy: row[i + 12],
            updatedAt: row[i + 13], lastReviewedAt: row[i + 14])
        e.botIds = KnowledgeEntry.parseBotIds(bots)
        return e
    }

    static func arguments(_ e: KnowledgeEntry) -> StatementArguments {
        let v = KnowledgeEntry.storedValues(e)
        return [v.topic, v.region, v.biz1, v.biz2, v.standardQuestion, v.similar, v.answer, v.policyBasis, v.effectiveFrom,
                v.effectiveTo, v.state, v.version, v.updatedBy, v.updatedAt, v.lastReviewedAt, v.botIds]
    }

    public func knowledgeEntries() throws -> [KnowledgeEntry] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT id, \(Self.kbColumns) FROM kb_entry ORDER BY seq")
                .map { Self.decodeEntry($0, id: $0[0], from: 1) }
        }
    }

    public func knowledgeEntry(id: String) throws -> KnowledgeEntry? {
        try dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT id, \(Self.kbColumns) FROM kb_entry WHERE id = ?", arguments: [id])
                .map { Self.decodeEntry($0, id: $0[0], from: 1) }
        }
    }

    public func knowledgeHistory(id: String) throws -> [KnowledgeVersion] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT action, \(Self.kbColumns) FROM kb_version WHERE entry_id = ? ORDER BY version",
                             arguments: [id])
                .map { KnowledgeVersion(entry: Self.decodeEntry($0, id: id, from: 1),
                                        action: KnowledgeVersion.Action(rawValue: $0[0]) ?? .edit) }
        }
    }

    public func saveKnowledge(_ entries: [(KnowledgeEntry, KnowledgeVersion.Action)], stamp: (by: String, at: Int64)?) throws
        -> [KnowledgeEntry?]
    {
        try mappingBusy {
            try dbQueue.write { db in try entries.map { try Self.save(db, $0.0, $0.1, stamp: stamp) } }
        }
    }

    static func save(_ db: Database, _ entry: KnowledgeEntry, _ action: KnowledgeVersion.Action, stamp: (by: String, at: Int64)?)
        throws -> KnowledgeEntry?
    {
        var e = KnowledgeEntry.stamped(entry, action, stamp: stamp)
        let current = e.id.isEmpty ? nil
            : try Row.fetchOne(db, sql: "SELECT id, \(kbColumns) FROM kb_entry WHERE id = ?", arguments: [e.id])
                .map { decodeEntry($0, id: $0[0], from: 1) }
        if let current {
            guard let next = KnowledgeEntry.nextVersion(e, of: current, action, stamped: stamp != nil) else { return nil }
            e = next
            try db.execute(sql: """
                UPDATE kb_entry SET topic = ?, region = ?, biz1 = ?, biz2 = ?, standard_question = ?, similar_questions = ?,
                  answer = ?, policy_basis = ?, effective_from = ?, effective_to = ?, state = ?, version = ?, updated_by = ?,
                  updated_at = ?, last_reviewed_at = ?, bot_ids = ? WHERE id = ?
                """, arguments: arguments(e) + [e.id])
        } else {
            let seq = (try Int.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) + 1 FROM kb_entry")) ?? 1
            if e.id.isEmpty { e.id = String(format: "KB-%05d", seq) }
            e.version = 1
            try db.execute(sql: "INSERT INTO kb_entry (id, seq, \(kbColumns)) VALUES (?, ?, \(Array(repeating: "?", count: 16).joined(separator: ", ")))",
                           arguments: [e.id, seq] + arguments(e))
        }
        try db.execute(sql: "INSERT INTO kb_version (entry_id, action, \(kbColumns)) VALUES (?, ?, \(Array(repeating: "?", count: 16).joined(separator: ", ")))",
                       arguments: [e.id, KnowledgeEntry.versionAction(action, isNew: current == nil).rawValue]
                           + arguments(e))
        return e
    }
}

/// How a save makes the next version, the same in every store.
extension KnowledgeEntry {
    /// The columns as stored: similar questions one per line (a newline inside one would split
    /// it), bot ids separated by spaces.
    static func storedValues(_ e: KnowledgeEntry) -> (
        topic: String, region: String, biz1: String?, biz2: String?, standardQuestion: String, similar: String, answer: String,
        policyBasis: String, effectiveFrom: Int64, effectiveTo: Int64?, state: String, version: Int, updatedBy: String,
        updatedAt: Int64, lastReviewedAt: Int64?, botIds: String
    ) {
        let similar = e.similarQuestions.map { $0.replacingOccurrences(of: "\n", with: " ").trimmed }.filter { !$0.isEmpty }
        return (e.topic, e.region, e.biz1, e.biz2, e.standardQuestion, similar.joined(separator: "\n"), e.answer, e.policyBasis,
                e.effectiveFrom, e.effectiveTo, e.state.rawValue, e.version, e.updatedBy, e.updatedAt, e.lastReviewedAt,
                e.botIds.joined(separator: " "))
    }

    /// Who and when (nil keeps the entry's own: demo data made to look older).
    static func stamped(_ entry: KnowledgeEntry, _ action: KnowledgeVersion.Action, stamp: (by: String, at: Int64)?) -> KnowledgeEntry {
        var e = entry
        if let stamp {
            e.updatedBy = stamp.by
            e.updatedAt = stamp.at
            if action == .review { e.lastReviewedAt = stamp.at }
        }
        return e
    }

    /// The next version of a stored entry, or nil when nothing the user sees changed (a review
    /// always makes one).
    static func nextVersion(_ e: KnowledgeEntry, of current: KnowledgeEntry, _ action: KnowledgeVersion.Action, stamped: Bool)
        -> KnowledgeEntry?
    {
        if action != .review, current.fieldValues == e.fieldValues { return nil }
        var next = e
        next.version = current.version + 1
        if action != .review, stamped { next.lastReviewedAt = current.lastReviewedAt }
        return next
    }

    /// The version's action as kept: an edit that makes a new entry is its creation.
    static func versionAction(_ action: KnowledgeVersion.Action, isNew: Bool) -> KnowledgeVersion.Action {
        isNew && action == .edit ? .create : action
    }
}
