import Foundation
import GRDB

/// Text conditions on the embedded store, answered from a full-text index (docs/decisions.md,
/// "Text search" and "Texts stored once"):
///
/// - The index is over the distinct texts (`text_doc`, see SQLiteTextDocuments), not the
///   records: a bot's repeated answers are indexed once. A term's matching texts become records
///   through `record_doc` (its `question_doc`/`answer_doc` indexes); 问:/答: choose the column.
/// - `doc_fts`: FTS5, trigram tokenizer, case-sensitive, contentless, with positions
///   (`detail=full`). Without positions (`detail=none`) words of four or more characters had to
///   be checked text by text: counting 灵活就业 took 1.1 s instead of 61 ms.
/// - A word of three or more characters is a phrase of its trigrams (exact); one of two
///   characters is the OR of every indexed trigram that begins with it (found in
///   `doc_fts_vocab`). Each text is indexed with two U+FFFF after it, so every character starts
///   a trigram and that OR is exact too: a word at the very end of a text is found.
/// - Only a word holding U+FFFF itself is tested with `instr`.
/// - `doc_chars`: which characters occur in each text, as ASCII tokens (`x5931` for 失), FTS5
///   `detail=none`, built in the same pass: a one-character word is one token's list instead of
///   the OR of every trigram that begins with it (counting the commonest characters took p99
///   354 ms by the trigrams at 1,000,000 records).
/// - Texts above `text_index.indexed_to` (an entry id) are not indexed yet (a large import
///   indexes after its commit, resumably): the records holding one are tested with `instr`, so a
///   search is right while the index builds.
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
        /// One character: its `doc_chars` token.
        case chars(String)
    }

    /// The trigrams that begin with a one- or two-character word, per database file, as of an
    /// index mark: reading them from `doc_fts_vocab` walks every posting of the range (33 ms
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
            return .chars("x" + String(scalars[0].value, radix: 16))
        }
        // One or two characters: every trigram that starts with them (a range of the vocabulary;
        // U+10FFFF sorts after every character in UTF-8 byte order).
        let mark = try indexedTo(db)
        let file = try String.fetchOne(db.cachedStatement(sql: "SELECT file FROM pragma_database_list WHERE name = 'main'")) ?? ""
        let key = file + "\u{0}" + text
        let terms = try (file.isEmpty ? nil : expansions.get(key, mark: mark)) ?? {
            let t = try String.fetchAll(db.cachedStatement(sql: """
                SELECT term FROM doc_fts_vocab WHERE term >= ? AND term < ?
                """), arguments: [text, text + "\u{10FFFF}"])
            if !file.isEmpty { expansions.set(key, mark: mark, t) }  // an in-memory database has no name to key by
            return t
        }()
        guard !terms.isEmpty else { return Expression.none }
        return .match(terms.count == 1 ? quoted(terms[0]) : "(" + terms.map(quoted).joined(separator: " OR ") + ")", exact: true)
    }

    /// The texts (entry ids) above this are not in the index yet.
    static func indexedTo(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(indexed_to, chars_to) FROM text_index")) ?? 0
    }

    static func lastKey(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM text_doc")) ?? 0
    }

    /// The `doc_chars` tokens of a text: each character once, `x` and its code point in
    /// lowercase hex, separated by spaces (written as bytes, not a String per character).
    static func charTokens(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 2)
        var seen = Set<UInt32>()
        let digits = Array("0123456789abcdef".utf8)
        for s in text.unicodeScalars where seen.insert(s.value).inserted {
            out.append(UInt8(ascii: "x"))
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

    /// One term answered by the index: the texts that hold it (an SQL query of entry ids) and the
    /// column it must be in.
    struct IndexedTerm {
        var texts: String
        var argument: String
        var field: TextQuery.Field
        var excluded: Bool

        /// A test on a `record_doc` row that no index answers (`+`): the row comes from the
        /// first required term's index.
        var test: (String, [(any DatabaseValueConvertible)?]) {
            let sets: String
            var args: [(any DatabaseValueConvertible)?] = [argument]
            switch field {
            case .question: sets = "+question_doc IN (\(texts))"
            case .answer: sets = "+answer_doc IN (\(texts))"
            case .any:
                sets = "(+question_doc IN (\(texts)) OR +answer_doc IN (\(texts)))"
                args.append(argument)
            }
            return (excluded ? "NOT " + sets : sets, args)
        }
    }

    /// The seqs of the records holding every required term and no excluded one (nil without a
    /// required term: the index would list every other record). The first required term's
    /// texts are read from the covering `record_doc` indexes as a stream, in two disjoint parts
    /// when either column may hold it (the answer holds it; else the question): no set of
    /// records is made to remove duplicates, so a LIMIT stops early and a count reads index
    /// entries only. The other terms are tests on each row. (SQLite's own plan for
    /// `question_doc IN … OR answer_doc IN …` collected every record in a set first: counting
    /// 12333's 497,925 records took 0.44 s instead of 0.19 s.)
    static func candidateSQL(_ terms: [IndexedTerm]) -> (sql: String, arguments: [(any DatabaseValueConvertible)?])? {
        guard let first = terms.firstIndex(where: { !$0.excluded }) else { return nil }
        let lead = terms[first]
        var rest = ""
        var restArgs: [(any DatabaseValueConvertible)?] = []
        for (i, t) in terms.enumerated() where i != first {
            let (c, a) = t.test
            rest += " AND " + c
            restArgs += a
        }
        func part(_ column: String, _ extra: String = "", _ extraArgs: [(any DatabaseValueConvertible)?] = [])
            -> (String, [(any DatabaseValueConvertible)?])
        {
            ("SELECT seq FROM record_doc WHERE \(column) IN (\(lead.texts))" + extra + rest, [lead.argument] + extraArgs + restArgs)
        }
        switch lead.field {
        case .question: return part("question_doc")
        case .answer: return part("answer_doc")
        case .any:
            let a = part("answer_doc")
            let q = part("question_doc", " AND +answer_doc NOT IN (\(lead.texts))", [lead.argument])
            return (a.0 + " UNION ALL " + q.0, a.1 + q.1)
        }
    }

    static func plan(_ db: Database, _ query: TextQuery) throws -> Plan {
        let scan = scan(query)
        let indexedTo = try indexedTo(db)
        let complete = indexedTo >= (try lastKey(db))

        var terms: [IndexedTerm] = []
        var exact = true
        var nothing = false
        for t in query.terms {
            guard let e = try expression(db, t.text, chars: complete) else { exact = false; continue }
            switch e {
            case .none:
                // A required word no indexed text has: nothing matches once the index is
                // complete; until then only unindexed texts can, so the word is tested there.
                if !t.excluded { nothing = true; exact = false }  // an excluded one excludes nothing
            case .chars(let token):
                terms.append(IndexedTerm(texts: "SELECT rowid FROM doc_chars WHERE doc_chars MATCH ?", argument: token,
                                         field: t.field, excluded: t.excluded))
            case .match(let expr, let termExact):
                // Only an exact expression may exclude by the index: a superset would drop matches.
                if t.excluded && !termExact { exact = false; continue }
                terms.append(IndexedTerm(texts: "SELECT rowid FROM doc_fts WHERE doc_fts MATCH ?", argument: expr,
                                         field: t.field, excluded: t.excluded))
                if !termExact { exact = false }
            }
        }
        let candidates = candidateSQL(terms)
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
                // A record with a text not indexed yet (its other text may be: the index alone
                // would miss an excluded word there): the substring test alone.
                let unindexed = "record.seq IN (SELECT seq FROM record_doc WHERE question_doc > ? UNION SELECT seq FROM record_doc WHERE answer_doc > ?)"
                condition = "(((\(condition)) AND NOT \(unindexed)) OR (\(unindexed) AND \(scan.sql)))"
                args += [indexedTo, indexedTo, indexedTo, indexedTo] + scan.arguments
            }
        } else {
            condition = scan.sql
            args += scan.arguments
        }
        return Plan(condition: condition, arguments: args, candidates: complete ? candidates : nil, scan: scan,
                    exact: exact && complete, nothing: nothing && complete)
    }

    /// Indexes up to `limit` more texts in one write transaction (the trigrams and the
    /// characters in the same pass); the progress after it.
    static func build(_ db: Database, limit: Int) throws -> TextIndexProgress {
        let last = try lastKey(db)
        let from = try indexedTo(db)
        if from < last {
            let to = try Int64.fetchOne(db, sql: """
                SELECT max(id) FROM (SELECT id FROM text_doc WHERE id > ? ORDER BY id LIMIT ?)
                """, arguments: [from, limit]) ?? last
            try db.execute(sql: """
                INSERT INTO doc_fts (rowid, text) SELECT id, text || ? FROM text_doc WHERE id > ? AND id <= ?
                """, arguments: [padding, from, to])
            let insert = try db.cachedStatement(sql: "INSERT INTO doc_chars (rowid, chars) VALUES (?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT id, text FROM text_doc WHERE id > ? AND id <= ?", arguments: [from, to])
            while let row = try rows.next() {
                try insert.execute(arguments: [row[0] as Int64, charTokens(row[1])])
            }
            try db.execute(sql: "UPDATE text_index SET indexed_to = ?, chars_to = ?", arguments: [to, to])
        }
        return try progress(db)
    }

    /// A text leaves the index (its entry is removed: masking left no record using it). FTS5's
    /// contentless 'delete' needs the values it was indexed with, which are at hand.
    static func unindex(_ db: Database, id: Int64, text: String) throws {
        try db.cachedStatement(sql: "INSERT INTO doc_chars (doc_chars, rowid, chars) VALUES ('delete', ?, ?)")
            .execute(arguments: [id, charTokens(text)])
        try db.cachedStatement(sql: "INSERT INTO doc_fts (doc_fts, rowid, text) VALUES ('delete', ?, ?)")
            .execute(arguments: [id, text + padding])
    }

    static func progress(_ db: Database) throws -> TextIndexProgress {
        TextIndexProgress(indexedTo: try indexedTo(db), last: try lastKey(db))
    }
}

/// How far the text index has come: texts up to `indexedTo` (an entry of the embedded store's
/// `text_doc`) are indexed, of those up to `last`.
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
