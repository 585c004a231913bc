import Foundation
import GRDB

/// Text conditions on the embedded store, answered from a full-text index (docs/decisions.md,
/// "Text search"):
///
/// - `record_fts`: FTS5, trigram tokenizer, case-sensitive, contentless, with positions
///   (`detail=full`): 1,000,000 records (402 M characters) index in ~170 s into +1.8 GB. Without
///   positions (`detail=none`, 67 s, +326 MB) words of four or more characters and 问:/答: had to be
///   checked text by text: counting 灵活就业 took 1.1 s instead of 61 ms.
/// - A word of three or more characters is a phrase of its trigrams (exact); one of one or two
///   characters is the OR of every indexed trigram that begins with it (found in
///   `record_fts_vocab`). Each text is indexed with two U+FFFF after it, so every character starts
///   a trigram and that OR is exact too: a word at the very end of a text is found.
/// - 问:/答: are column filters. Only a word holding U+FFFF itself is tested with `instr`.
/// - `record_chars`: which characters occur in each record, as ASCII tokens (`q5931` for 失 in the
///   question, `a5931` in the answer), FTS5 `detail=none`: a one-character word is one token's
///   list of records instead of the OR of every trigram that begins with it. Counting the
///   commonest characters at 1,000,000 records took p99 354 ms by the trigrams (bench).
///   It has its own mark (`text_index.chars_to`): until it is complete, one-character words use
///   the trigrams.
/// - Records above `text_index.indexed_to` are not indexed yet (a large import indexes after its
///   commit, resumably): they are tested with `instr`, so a search is right while the index builds.
enum SQLiteTextSearch {
    static let padding = "\u{FFFF}\u{FFFF}"

    /// One text condition, ready for SQL.
    struct Plan {
        /// An SQL condition on `record` (exact), with its arguments.
        var condition: String
        var arguments: [(any DatabaseValueConvertible)?]
        /// When the index selects the candidates: an SQL subquery yielding their seqs (a superset
        /// of the matches, or exactly them when `exact`) and its arguments.
        var candidates: (sql: String, arguments: [(any DatabaseValueConvertible)?])?
        /// The plain substring test of every term (on the record's texts).
        var scan: (sql: String, arguments: [(any DatabaseValueConvertible)?])
        /// The index alone answers (no term needs the substring test) and covers every record.
        var exact: Bool
        /// A required term occurs in no record at all.
        var nothing: Bool
    }

    /// The substring test of one term, on `record`.
    static func instr(_ t: TextQuery.Term) -> (String, [(any DatabaseValueConvertible)?]) {
        let sub = "(SELECT %@ FROM record_text t WHERE t.seq = record.seq)"
        let test: String
        var args: [(any DatabaseValueConvertible)?] = []
        switch t.field {
        case .any:
            test = "EXISTS (SELECT 1 FROM record_text t WHERE t.seq = record.seq AND (instr(t.question, ?) > 0 OR instr(t.answer, ?) > 0))"
            args = [t.text, t.text]
        case .question:
            test = "instr(\(String(format: sub, "question")), ?) > 0"
            args = [t.text]
        case .answer:
            test = "instr(\(String(format: sub, "answer")), ?) > 0"
            args = [t.text]
        }
        return (t.excluded ? "NOT \(test)" : test, args)
    }

    /// An FTS5 string token: the text in double quotes, quotes doubled.
    static func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The index's expression for a term's text, or nil when the index cannot help (a text
    /// holding the padding character). `.none` inside: the text occurs in no indexed record.
    enum Expression {
        case match(String, exact: Bool), none
        /// One character: its `record_chars` token in the question and in the answer.
        case chars(question: String, answer: String)
    }

    /// The trigrams that begin with a one- or two-character word, per database file, as of an
    /// index mark: reading them from `record_fts_vocab` walks every posting of the range (33 ms
    /// for 卡, 177 ms for 的 at 1,000,000 records), and a reviewer types the same words again.
    /// Any index build moves the mark, so a cached list is never older than the index.
    private static let expansions = ExpansionCache()

    final class ExpansionCache: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String: (mark: Int64, terms: [String])] = [:]
        func get(_ key: String, mark: Int64) -> [String]? {
            lock.lock()
            defer { lock.unlock() }
            guard let e = entries[key], e.mark == mark else { return nil }
            return e.terms
        }
        func set(_ key: String, mark: Int64, _ terms: [String]) {
            lock.lock()
            defer { lock.unlock() }
            if entries.count >= 512 { entries.removeAll() }
            entries[key] = (mark, terms)
        }
    }

    /// `chars`: the character index may answer a one-character word (both indexes complete: a
    /// candidate from it could be a record the trigrams do not hold yet, which their NOT would
    /// not exclude).
    static func expression(_ db: Database, _ text: String, chars: Bool) throws -> Expression? {
        let scalars = Array(text.unicodeScalars)
        guard !scalars.isEmpty, !text.unicodeScalars.contains("\u{FFFF}") else { return nil }
        if scalars.count >= 3 {
            // A phrase: its trigrams at consecutive positions, which is the word itself.
            return .match(quoted(text), exact: true)
        }
        if scalars.count == 1, chars {
            let hex = String(scalars[0].value, radix: 16)
            return .chars(question: "q" + hex, answer: "a" + hex)
        }
        // One or two characters: every trigram that starts with them (a range of the vocabulary;
        // U+10FFFF sorts after every character in UTF-8 byte order).
        let mark = try indexedTo(db)
        let file = try String.fetchOne(db.cachedStatement(sql: "SELECT file FROM pragma_database_list WHERE name = 'main'")) ?? ""
        let key = file + "\u{0}" + text
        let terms = try (file.isEmpty ? nil : expansions.get(key, mark: mark)) ?? {
            let t = try String.fetchAll(db.cachedStatement(sql: """
                SELECT term FROM record_fts_vocab WHERE term >= ? AND term < ?
                """), arguments: [text, text + "\u{10FFFF}"])
            if !file.isEmpty { expansions.set(key, mark: mark, t) }  // an in-memory database has no name to key by
            return t
        }()
        guard !terms.isEmpty else { return Expression.none }
        return .match(terms.count == 1 ? quoted(terms[0]) : "(" + terms.map(quoted).joined(separator: " OR ") + ")", exact: true)
    }

    /// The records above this seq are not in the index yet.
    static func indexedTo(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT indexed_to FROM text_index")) ?? 0
    }

    /// The records above this seq are not in `record_chars` yet.
    static func charsTo(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT chars_to FROM text_index")) ?? 0
    }

    static func lastKey(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM record")) ?? 0
    }

    /// The `record_chars` tokens of a record's texts: each character once per field, `q`/`a` and
    /// its code point in lowercase hex, separated by spaces (written as bytes, not a String per
    /// character).
    static func charTokens(question: String, answer: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((question.utf8.count + answer.utf8.count) * 2)
        var seen = Set<UInt32>()
        let digits = Array("0123456789abcdef".utf8)
        for (tag, text) in [(UInt8(ascii: "q"), question), (UInt8(ascii: "a"), answer)] {
            seen.removeAll(keepingCapacity: true)
            for s in text.unicodeScalars where seen.insert(s.value).inserted {
                out.append(tag)
                let v = s.value
                var shift: UInt32 = 0
                while shift < 28, v >> (shift + 4) != 0 { shift += 4 }
                while true {
                    out.append(digits[Int((v >> shift) & 0xF)])
                    if shift == 0 { break }
                    shift -= 4
                }
                out.append(UInt8(ascii: " "))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The plain substring test of every term, on `record`.
    static func scan(_ query: TextQuery) -> (sql: String, arguments: [(any DatabaseValueConvertible)?]) {
        var parts: [String] = []
        var args: [(any DatabaseValueConvertible)?] = []
        for t in query.terms {
            let (s, a) = instr(t)
            parts.append(s)
            args += a
        }
        return (parts.joined(separator: " AND "), args)
    }

    /// The seqs of the records holding every required expression and no excluded one: from the
    /// table that has required ones (the trigrams first), the other table's as `IN`/`NOT IN`.
    static func candidateSQL(trigrams: ([String], [String]), chars: ([String], [String]))
        -> (sql: String, arguments: [(any DatabaseValueConvertible)?])?
    {
        func match(_ required: [String], _ excluded: [String]) -> String {
            let m = required.joined(separator: " AND ")
            return excluded.isEmpty ? m : "(" + m + ") NOT (" + excluded.joined(separator: " OR ") + ")"
        }
        let tables = [("record_fts", trigrams), ("record_chars", chars)]
        guard let primary = tables.firstIndex(where: { !$0.1.0.isEmpty }) else { return nil }
        let (table, (required, excluded)) = tables[primary]
        var sql = "SELECT rowid FROM \(table) WHERE \(table) MATCH ?"
        var args: [(any DatabaseValueConvertible)?] = [match(required, excluded)]
        let (other, (otherRequired, otherExcluded)) = tables[1 - primary]
        if !otherRequired.isEmpty {
            sql += " AND rowid IN (SELECT rowid FROM \(other) WHERE \(other) MATCH ?)"
            args.append(match(otherRequired, otherExcluded))
        } else if !otherExcluded.isEmpty {
            sql += " AND rowid NOT IN (SELECT rowid FROM \(other) WHERE \(other) MATCH ?)"
            args.append(otherExcluded.joined(separator: " OR "))
        }
        return (sql, args)
    }

    static func plan(_ db: Database, _ query: TextQuery) throws -> Plan {
        let scan = scan(query)
        let indexedTo = try indexedTo(db)
        let last = try lastKey(db)
        let complete = indexedTo >= last
        let charsUsable = try complete && charsTo(db) >= last

        var required: [String] = [], excluded: [String] = []
        var charsRequired: [String] = [], charsExcluded: [String] = []
        var exact = true
        var nothing = false
        for t in query.terms {
            guard let e = try expression(db, t.text, chars: charsUsable) else { exact = false; continue }
            switch e {
            case .none:
                // A required word no indexed record has: nothing matches once the index is
                // complete; until then only unindexed records can, so the word is tested there.
                if !t.excluded { nothing = true; exact = false }  // an excluded one excludes nothing
            case .chars(let q, let a):
                let m = t.field == .question ? q : t.field == .answer ? a : "(\(q) OR \(a))"
                if t.excluded { charsExcluded.append(m) } else { charsRequired.append(m) }
            case .match(let expr, let termExact):
                // A column filter keeps 问:/答: exact too.
                let m = t.field == .any ? expr : "\(t.field == .question ? "question" : "answer") : \(expr)"
                let isExact = termExact
                if t.excluded {
                    // Only an exact expression may exclude by the index: a superset would drop matches.
                    if isExact { excluded.append(m) } else { exact = false }
                } else {
                    required.append(m)
                    if !isExact { exact = false }
                }
            }
        }
        let candidates = candidateSQL(trigrams: (required, excluded), chars: (charsRequired, charsExcluded))
        // The exact condition on `record`.
        var condition: String
        var args: [(any DatabaseValueConvertible)?] = []
        if nothing && complete {
            condition = "0"
        } else if let c = candidates {
            condition = "record.seq IN (\(c.sql))"
            args += c.arguments
            if !exact {
                condition += " AND " + scan.sql
                args += scan.arguments
            }
            if !complete {
                // Not indexed yet: the substring test alone.
                condition = "((\(condition)) OR (record.seq > ? AND \(scan.sql)))"
                args += [indexedTo] + scan.arguments
            }
        } else {
            condition = scan.sql
            args += scan.arguments
        }
        return Plan(condition: condition, arguments: args, candidates: complete ? candidates : nil, scan: scan,
                    exact: exact && complete, nothing: nothing && complete)
    }

    /// Indexes up to `limit` more records in one write transaction (each index from its own
    /// mark); the progress after it.
    static func build(_ db: Database, limit: Int) throws -> TextIndexProgress {
        let last = try lastKey(db)
        func next(after from: Int64) throws -> Int64 {
            try Int64.fetchOne(db, sql: """
                SELECT max(seq) FROM (SELECT seq FROM record_text WHERE seq > ? ORDER BY seq LIMIT ?)
                """, arguments: [from, limit]) ?? last
        }
        let from = try indexedTo(db)
        if from < last {
            let to = try next(after: from)
            try db.execute(sql: """
                INSERT INTO record_fts (rowid, question, answer)
                SELECT seq, question || ?, answer || ? FROM record_text WHERE seq > ? AND seq <= ?
                """, arguments: [padding, padding, from, to])
            try db.execute(sql: "UPDATE text_index SET indexed_to = ?", arguments: [to])
        }
        let charsFrom = try charsTo(db)
        if charsFrom < last {
            let to = try next(after: charsFrom)
            let insert = try db.cachedStatement(sql: "INSERT INTO record_chars (rowid, chars) VALUES (?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, question, answer FROM record_text WHERE seq > ? AND seq <= ?",
                                           arguments: [charsFrom, to])
            while let row = try rows.next() {
                try insert.execute(arguments: [row[0] as Int64, charTokens(question: row[1], answer: row[2])])
            }
            try db.execute(sql: "UPDATE text_index SET chars_to = ?", arguments: [to])
        }
        return try progress(db)
    }

    /// A record's texts changed (masking): its old entry out of the contentless index (FTS5's
    /// 'delete' needs the values it was indexed with), the new one in.
    static func replace(_ db: Database, key: RecordKey, old: (String, String), new: (String, String)) throws {
        if key <= (try charsTo(db)) {
            try db.cachedStatement(sql: "INSERT INTO record_chars (record_chars, rowid, chars) VALUES ('delete', ?, ?)")
                .execute(arguments: [key, charTokens(question: old.0, answer: old.1)])
            try db.cachedStatement(sql: "INSERT INTO record_chars (rowid, chars) VALUES (?, ?)")
                .execute(arguments: [key, charTokens(question: new.0, answer: new.1)])
        }
        guard key <= (try indexedTo(db)) else { return }
        try db.cachedStatement(sql: "INSERT INTO record_fts (record_fts, rowid, question, answer) VALUES ('delete', ?, ?, ?)")
            .execute(arguments: [key, old.0 + padding, old.1 + padding])
        try db.cachedStatement(sql: "INSERT INTO record_fts (rowid, question, answer) VALUES (?, ?, ?)")
            .execute(arguments: [key, new.0 + padding, new.1 + padding])
    }

    /// Both indexes: complete when both are.
    static func progress(_ db: Database) throws -> TextIndexProgress {
        TextIndexProgress(indexedTo: min(try indexedTo(db), try charsTo(db)), last: try lastKey(db))
    }
}

/// How far the text index has come: records up to `indexedTo` (a record key) are indexed, of
/// those up to `last`.
public struct TextIndexProgress: Equatable, Sendable {
    public var indexedTo: Int64
    public var last: Int64
    public init(indexedTo: Int64, last: Int64) {
        self.indexedTo = indexedTo
        self.last = last
    }
    public var isComplete: Bool { indexedTo >= last }
    public var fraction: Double { last == 0 ? 1 : min(1, Double(indexedTo) / Double(last)) }
}
