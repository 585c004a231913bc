import Crypto
import Foundation
import GRDB

/// Each distinct text (a question or an answer) is stored once, in `text_doc`; `record_doc` says
/// which texts a record has, and the view `record_text (seq, question, answer)` joins them, so
/// every reading query is unchanged (docs/decisions.md, "Texts stored once").
///
/// A bot repeats itself: its templates, its fallback sentence and its knowledge-base quotes come
/// back thousands of times (the log: 330,564 distinct answers in 1,000,000 rows). Stored
/// and indexed once each, the file and the text index shrink with the repetition, and so does
/// the import's writing.
///
/// A text's key is its SHA-256: a crafted pair of different answers cannot be made to share one
/// entry (a weaker hash could be collided on purpose, and a record would then show another
/// record's answer). The table keeps the first 8 bytes as `hash` (an index to find an entry);
/// an entry found there is compared text to text.
final class SQLiteTextDocuments {
    struct Key: Hashable {
        var a: UInt64, b: UInt64
    }

    /// The key of a text and its 8-byte prefix (the stored `hash`).
    static func key(_ text: String) -> Key {
        var text = text
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        return digest.withUnsafeBytes { raw in
            Key(a: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self), b: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    static func storedHash(_ key: Key) -> Int64 { Int64(bitPattern: key.a) }

    private let db: Database
    private let insert: SQLiteBulkStatement
    /// Entries made or found lately, by their whole key (no text comparison needed), in two
    /// generations of at most `generation` each: a bot's templates come back often and stay;
    /// memory stays bounded (~11 MB) whatever the file's size (an unbounded map of a 1,000,000-
    /// row import's 1.3 M distinct texts held 120 MB at its peak).
    private var recent: [Key: Int64] = [:]
    private var older: [Key: Int64] = [:]
    static let generation = 131_072
    /// The `text_doc_hash` index is there to find an entry stored before; a bulk import drops it
    /// while it inserts, and then a text met neither lately nor in this import is stored again
    /// (a second entry: found by searches as the first; it costs its bytes, nothing else).
    private let lookUpStored: Bool

    /// `bulk`: the `text_doc_hash` index is dropped until the import ends.
    init(_ db: Database, bulk: Bool) throws {
        self.db = db
        insert = try SQLiteBulkStatement(db, sql: "INSERT INTO text_doc (hash, text) VALUES (?, ?)")
        lookUpStored = !bulk
        recent.reserveCapacity(Self.generation)
    }

    private func remember(_ key: Key, _ id: Int64) {
        if recent.count >= Self.generation {
            older = recent
            recent = [:]
            recent.reserveCapacity(Self.generation)
        }
        recent[key] = id
    }

    /// The entry holding `text`, made if there is none.
    func id(for text: String) throws -> Int64 {
        let key = Self.key(text)
        if let id = recent[key] { return id }
        if let id = older[key] {
            remember(key, id)
            return id
        }
        let hash = Self.storedHash(key)
        if lookUpStored, let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM text_doc WHERE hash = ? AND text = ? LIMIT 1"),
                                                     arguments: [hash, text]) {
            remember(key, id)
            return id
        }
        insert.bind(1, hash)
        insert.bind(2, text)
        try insert.execute()
        let id = db.lastInsertedRowID
        remember(key, id)
        return id
    }

    /// Removes entries no record refers to any more (after masking), from the table and from
    /// the text index when they were indexed; returns how many.
    static func removeUnused(_ db: Database, _ ids: Set<Int64>) throws -> Int {
        var removed = 0
        let indexedTo = try SQLiteTextSearch.indexedTo(db)
        for id in ids {
            let used = try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM record_doc WHERE question_doc = ?) OR EXISTS (SELECT 1 FROM record_doc WHERE answer_doc = ?)
                """), arguments: [id, id]) ?? true
            guard !used, let text = try String.fetchOne(db.cachedStatement(sql: "SELECT text FROM text_doc WHERE id = ?"), arguments: [id])
            else { continue }
            if id <= indexedTo { try SQLiteTextSearch.unindex(db, id: id, text: text) }
            try db.cachedStatement(sql: "DELETE FROM text_doc WHERE id = ?").execute(arguments: [id])
            removed += 1
        }
        return removed
    }
}
