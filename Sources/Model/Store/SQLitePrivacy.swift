import Foundation
import GRDB

/// Personal data in stored texts (issue 18) and the export log, for the SQLite store.
extension SQLiteRecordStore {
    public func texts(after: RecordKey, limit: Int) throws -> [StoredText] {
        try dbQueue.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT t.seq, r.id, t.question, t.answer FROM record_text t JOIN record r ON r.seq = t.seq
                WHERE t.seq > ? ORDER BY t.seq LIMIT ?
                """), arguments: [after, limit]).map { StoredText(key: $0[0], recordId: $0[1], question: $0[2], answer: $0[3]) }
        }
    }

    public func replaceTexts(_ items: [MaskedText], reviewer: String, at: Int64) throws {
        guard !items.isEmpty else { return }
        try mappingBusy { try dbQueue.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                // Texts are shared between records (SQLiteTextDocuments): a masked record gets
                // entries of its own masked texts; an old entry no record uses any more is removed,
                // from the index too, so the unmasked text is gone from the file's tables.
                let wasComplete = try SQLiteTextSearch.progress(db).isComplete
                let texts = try SQLiteTextDocuments(db, bulk: false)
                var released = Set<Int64>()
                for item in items {
                    guard let old = try Row.fetchOne(db.cachedStatement(sql: """
                            SELECT d.question_doc, d.answer_doc, t.question, t.answer
                            FROM record_doc d JOIN record_text t ON t.seq = d.seq WHERE d.seq = ?
                            """), arguments: [item.key]),
                          let r = try Self.fetchRecord(db, id: item.recordId) else { continue }
                    let (q, a): (String, String) = (old[2], old[3])
                    guard q != item.question || a != item.answer else { continue }
                    try db.cachedStatement(sql: "UPDATE record_doc SET question_doc = ?, answer_doc = ? WHERE seq = ?")
                        .execute(arguments: [try texts.id(for: item.question), try texts.id(for: item.answer), item.key])
                    released.formUnion([old[0] as Int64, old[1] as Int64])
                    try Self.appendHistory(db, ReviewRules.change(r, r.reviewState, .mask, reviewer, at, old: nil, new: item.what))
                }
                _ = try SQLiteTextDocuments.removeUnused(db, released)
                // New entries join an index that was complete at once, as a small import's do.
                if wasComplete { _ = try SQLiteTextSearch.build(db, limit: Int.max) }
                return .commit
            }
        } }
    }

    public func privacyMark() throws -> (rules: Int, doneTo: RecordKey)? {
        try dbQueue.read { db in
            try Row.fetchOne(db, sql: "SELECT rules, done_to FROM privacy_mark").map { (rules: $0[0], doneTo: $0[1]) }
        }
    }

    public func setPrivacyMark(rules: Int, doneTo: RecordKey) throws {
        try mappingBusy { try dbQueue.write { db in
            try db.execute(sql: "DELETE FROM privacy_mark")
            try db.execute(sql: "INSERT INTO privacy_mark (rules, done_to) VALUES (?, ?)", arguments: [rules, doneTo])
        } }
    }

    public func logExport(_ e: ExportLogEntry) throws {
        try mappingBusy { try dbQueue.write { db in
            try db.execute(sql: """
                INSERT INTO export_log (by, at, filter, format, rows, file, sha256, masked) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [e.by, e.at, e.filter, e.format, e.rows, e.file, e.sha256, e.masked])
        } }
    }

    public func exportLog(limit: Int) throws -> [ExportLogEntry] {
        try dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT by, at, filter, format, rows, file, sha256, masked FROM export_log ORDER BY id DESC LIMIT ?",
                             arguments: [limit]).map {
                ExportLogEntry(by: $0[0], at: $0[1], filter: $0[2], format: $0[3], rows: $0[4], file: $0[5], sha256: $0[6], masked: $0[7])
            }
        }
    }
}
