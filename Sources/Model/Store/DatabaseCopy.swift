import Crypto
import Foundation
import GRDB

/// `workbench db copy FROM TO`: an embedded database moved to the team server — records with
/// their texts, the label history, the knowledge base with every version, the double-review
/// sample and votes, assignments, the import log, import conflicts and the export log — in one
/// server transaction (all or nothing), then checked table by table against the source by counts
/// and SHA-256 over each row's content. Records are matched by their id (a record's key differs
/// between the stores), so running it again adds nothing, and a server that already holds some of
/// the records (imported there too) keeps its own and gets the rest. Leases are not copied (they
/// last two minutes); the server's text index is kept by the server itself.
public enum DatabaseCopy {
    public struct TableFigures: Equatable, Sendable {
        public let table: String
        /// Rows in the source.
        public let source: Int
        /// Rows this run added on the server.
        public let added: Int
        /// Source rows found on the server with the same content.
        public let matched: Int
        /// Rows on the server for the same records (or entries) that the source does not have:
        /// work done on the server since, or another import there.
        public let extra: Int
        public let sourceHash: String
        public let serverHash: String
        /// Every source row is on the server as it is in the source.
        public var complete: Bool { matched == source }
    }

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    /// Copies `from` (a SQLite file) to `to` (a server) and checks the result. `progress` is
    /// called with a table's name and the rows of it done so far.
    public static func run(from: any RecordStore, to: any RecordStore,
                           progress: (String, Int) -> Void = { _, _ in }) throws -> [TableFigures] {
        guard let source = from as? SQLiteRecordStore else {
            throw Refusal(description: "db copy 的来源须是 SQLite 数据库文件，\(from.location) 不是 (the source must be an embedded SQLite file)")
        }
        guard let server = to as? PostgresRecordStore else {
            throw Refusal(description: "db copy 的目标须是团队服务器 postgres://…，\(to.location) 不是 (the destination must be a PostgreSQL server URL)")
        }
        if let why = server.readOnly { throw StoreError.readOnly(server.location, why: why) }
        return try server.mapping {
            // One read transaction on the file: what is copied and what is checked is one state of
            // it, while reviewers go on labelling there.
            try source.dbQueue.read { file in
                var added: [String: Int] = [:]
                try server.db.transaction(retry: false) {
                    added = try copy(file, into: server.db, progress: progress)
                }
                return try check(file, server.db, added: added)
            }
        }
    }

    // MARK: - Tables

    enum Kind { case text, int, real }
    struct Column {
        let name: String
        let kind: Kind
    }

    private static func columns(_ spec: String) -> [Column] {
        spec.split(separator: " ").map { part in
            let bits = part.split(separator: ":")
            let kind: Kind = bits.count < 2 ? .text : (bits[1] == "i" ? .int : .real)
            return Column(name: String(bits[0]), kind: kind)
        }
    }

    /// The record's columns (`PostgresRecordStore.recordColumns`) with their kinds, then its texts.
    static let record: [Column] = {
        let ints: Set = ["turn", "asked_at", "fallback", "hit_flag", "labeled_at", "reviewed_at", "hit_class", "topic_hash", "wording_hash"]
        return PostgresImportSink.recordColumns.map { Column(name: $0, kind: ints.contains($0) ? .int : .text) }
            + [Column(name: "question", kind: .text), Column(name: "answer", kind: .text)]
    }()
    static let history = columns("record_id action old_label new_label old_status new_status reviewer at:i old_value new_value override:i")
    static let kbFields = "topic region biz1 biz2 standard_question similar_questions answer policy_basis effective_from:i effective_to:i state version:i updated_by updated_at:i last_reviewed_at:i bot_ids"
    static let kbEntry = columns("id seq:i " + kbFields)
    static let kbVersion = columns("entry_id action " + kbFields)
    static let importLog = columns("file format encoding imported:i existing:i rejected:i finished_at:i seconds:r")
    static let importConflict = columns("record_id file line:i fields incoming at:i")
    static let exportLog = columns("by at:i filter format rows:i file sha256 masked:i")
    static let sample = columns("seq:i drawn_at:i drawn_by seed:i")
    static let vote = columns("seq:i reviewer label note at:i")
    static let assignment = columns("seq:i reviewer assigned_at:i assigned_by")

    static func list(_ cols: [Column], _ prefix: String = "") -> String {
        cols.map { prefix + "\"\($0.name)\"" }.joined(separator: ", ")
    }

    // MARK: - Copy

    static let batch = 2_000

    private static func copy(_ file: Database, into pg: PGConnection, progress: (String, Int) -> Void) throws -> [String: Int] {
        var added: [String: Int] = [:]
        // Source record key → server record key, for every source record (copied now or before).
        try pg.execute("CREATE TEMP TABLE wb_copy_map (src BIGINT PRIMARY KEY, dst BIGINT NOT NULL) ON COMMIT DROP")

        // Records and their texts, in the file's order, a batch at a time.
        try pg.execute("""
            CREATE TEMP TABLE wb_copy_record ON COMMIT DROP AS
            SELECT 0::bigint AS src, \(list(Array(record.dropLast(2)), "r.")), t.question, t.answer
            FROM record r JOIN record_text t ON t.seq = r.seq WITH NO DATA
            """)
        let names = list(Array(record.dropLast(2)))
        var done = 0
        added["record"] = 0
        try eachBatch(file, """
            SELECT r.seq, \(list(Array(record.dropLast(2)), "r.")), t.question, t.answer
            FROM record r JOIN record_text t ON t.seq = r.seq WHERE r.seq > ? ORDER BY r.seq LIMIT \(batch)
            """, from: 0) { rows in
            try pg.execute("TRUNCATE wb_copy_record")
            try pg.copy(into: "wb_copy_record", columns: ["src"] + record.map(\.name), rows: copyRows(rows, record))
            let n = try pg.query("""
                WITH ins AS (INSERT INTO record (\(names)) SELECT \(names) FROM wb_copy_record ORDER BY src
                             ON CONFLICT (id) DO NOTHING RETURNING seq, id),
                txt AS (INSERT INTO record_text (seq, question, answer)
                        SELECT ins.seq, c.question, c.answer FROM ins JOIN wb_copy_record c ON c.id = ins.id)
                SELECT count(*)::bigint FROM ins
                """).first?.int(0) ?? 0
            added["record", default: 0] += n
            try pg.execute("INSERT INTO wb_copy_map SELECT c.src, r.seq FROM wb_copy_record c JOIN record r ON r.id = c.id")
            done += rows.count
            progress("record", done)
        }

        // Append-only tables: a row goes in unless the server has it already, as often as the
        // source has it (two equal history rows in a second stay two).
        added["label_history"] = try appendOnly("label_history", history, key: "record_id", order: "seq", file, pg, progress)
        added["import_log"] = try appendOnly("import_log", importLog, key: nil, order: "seq", file, pg, progress)
        added["import_conflict"] = try appendOnly("import_conflict", importConflict, key: "record_id", order: "id", file, pg, progress)
        added["export_log"] = try appendOnly("export_log", exportLog, key: nil, order: "id", file, pg, progress)

        // The knowledge base: entries by id (a new place in the server's order after its own),
        // every version by (entry, version).
        try stage("kb_entry", kbEntry, order: "seq", file, pg, progress)
        let kbNames = list(kbEntry)
        let kbValues = kbEntry.map { $0.name == "seq" ? "c.seq + (SELECT coalesce(max(seq), 0) FROM kb_entry)" : "c.\"\($0.name)\"" }
            .joined(separator: ", ")
        added["kb_entry"] = try pg.execute("""
            INSERT INTO kb_entry (\(kbNames)) SELECT \(kbValues) FROM wb_copy_kb_entry c
            WHERE NOT EXISTS (SELECT 1 FROM kb_entry e WHERE e.id = c.id) ORDER BY c.src
            """)
        try stage("kb_version", kbVersion, order: "rowid", file, pg, progress)
        added["kb_version"] = try pg.execute("""
            INSERT INTO kb_version (\(list(kbVersion))) SELECT \(list(kbVersion, "c.")) FROM wb_copy_kb_version c
            ORDER BY c.src ON CONFLICT (entry_id, version) DO NOTHING
            """)

        // Tables keyed by a record: the server's key for it.
        for (table, cols) in [("double_sample", sample), ("vote", vote), ("assignment", assignment)] {
            try stage(table, cols, order: "rowid", file, pg, progress)
            let values = cols.map { $0.name == "seq" ? "m.dst" : "c.\"\($0.name)\"" }.joined(separator: ", ")
            added[table] = try pg.execute("""
                INSERT INTO \(table) (\(list(cols))) SELECT \(values) FROM wb_copy_\(table) c JOIN wb_copy_map m ON m.src = c.seq
                ORDER BY c.src ON CONFLICT DO NOTHING
                """)
        }
        return added
    }

    /// The source table's rows COPYed into a temporary `wb_copy_TABLE` (`src` keeps their order).
    private static func stage(_ table: String, _ cols: [Column], order: String, _ file: Database, _ pg: PGConnection,
                              _ progress: (String, Int) -> Void) throws {
        try pg.execute("CREATE TEMP TABLE wb_copy_\(table) ON COMMIT DROP AS SELECT 0::bigint AS src, \(list(cols)) FROM \(table) WITH NO DATA")
        var done = 0
        try eachBatch(file, """
            SELECT \(order), \(list(cols)) FROM \(table) WHERE \(order) > ? ORDER BY \(order) LIMIT \(batch * 5)
            """, from: -1) { rows in
            try pg.copy(into: "wb_copy_\(table)", columns: ["src"] + cols.map(\.name), rows: copyRows(rows, cols))
            done += rows.count
            progress(table, done)
        }
    }

    /// The rows `sql` selects, a batch at a time: its first column is the key it is ordered by,
    /// and its one `?` the last key of the batch before (`start` for the first).
    private static func eachBatch(_ file: Database, _ sql: String, from start: Int64, _ body: ([Row]) throws -> Void) throws {
        var after = start
        while true {
            let rows = try Row.fetchAll(file, sql: sql, arguments: [after])
            guard let last = rows.last else { return }
            try body(rows)
            after = Int64.fromDatabaseValue(last[0]) ?? after
        }
    }

    /// Source rows (their key first, then `cols`) in COPY's text format, the key as `src`.
    private static func copyRows(_ rows: [Row], _ cols: [Column]) -> PGCopyRows {
        var copy = PGCopyRows()
        for row in rows {
            copy.add(Int64.fromDatabaseValue(row[0]))
            for (i, c) in cols.enumerated() { copy.add(cell(row[i + 1], c.kind)) }
            copy.endRow()
        }
        return copy
    }

    private static func appendOnly(_ table: String, _ cols: [Column], key: String?, order: String, _ file: Database,
                                   _ pg: PGConnection, _ progress: (String, Int) -> Void) throws -> Int {
        try stage(table, cols, order: order, file, pg, progress)
        let same = cols.map { c in
            c.name == key ? "h.\"\(c.name)\" = c.\"\(c.name)\"" : "h.\"\(c.name)\" IS NOT DISTINCT FROM c.\"\(c.name)\""
        }.joined(separator: " AND ")
        return try pg.execute("""
            INSERT INTO \(table) (\(list(cols)))
            SELECT \(list(cols, "c.")) FROM (
              SELECT s.*, row_number() OVER (PARTITION BY \(list(cols, "s.")) ORDER BY s.src) AS k FROM wb_copy_\(table) s
            ) c
            WHERE c.k > (SELECT count(*) FROM \(table) h WHERE \(same))
            ORDER BY c.src
            """)
    }

    /// A source value as the text COPY reads and the checks compare (nil: NULL).
    static func cell(_ v: DatabaseValue, _ kind: Kind) -> String? {
        switch v.storage {
        case .null: return nil
        case .int64(let i): return kind == .real ? String(Double(i)) : String(i)
        case .double(let d): return kind == .int && d.isFinite && abs(d) < 9e18 ? String(Int64(d)) : String(d)
        case .string(let s): return s
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        }
    }

    static func cell(_ r: PGRow, _ i: Int, _ kind: Kind) -> String? {
        switch kind {
        case .int: return r.int64OrNil(i).map { String($0) }
        case .real: return String(r.double(i))
        case .text: return r.stringOrNil(i)
        }
    }

    // MARK: - Check

    /// Content compared per key: the rows the source has for it and the rows the server has.
    struct Tally {
        var source = 0, matched = 0, extra = 0
        var sourceHash = SHA256(), serverHash = SHA256()

        /// `keys` in the source's order; each key's rows compared as a multiset.
        mutating func add(keys: [String], source s: [String: [String]], server t: [String: [String]]) {
            for k in keys {
                let a = (s[k] ?? []).sorted(), b = (t[k] ?? []).sorted()
                for x in a { sourceHash.update(data: Data(x.utf8)) }
                for x in b { serverHash.update(data: Data(x.utf8)) }
                var left: [String: Int] = [:]
                for x in b { left[x, default: 0] += 1 }
                var m = 0
                for x in a where (left[x] ?? 0) > 0 {
                    left[x]! -= 1
                    m += 1
                }
                source += a.count
                matched += m
                extra += b.count - m
            }
        }

        func figures(_ table: String, added: Int) -> TableFigures {
            func hex(_ h: SHA256) -> String { h.finalize().map { String(format: "%02x", $0) }.joined() }
            return TableFigures(table: table, source: source, added: added, matched: matched, extra: extra,
                                sourceHash: hex(sourceHash), serverHash: hex(serverHash))
        }
    }

    /// One row's content as one string: each value's length and text (NULL apart), so no two
    /// different rows read alike.
    static func canonical(_ cells: [String?]) -> String {
        var out = ""
        for c in cells {
            if let c { out += "\(c.utf8.count):\(c)|" } else { out += "-|" }
        }
        return out
    }

    /// Rows as text by their key (the first column unless `key` says), in the order read.
    static func grouped(_ rows: [Row], _ cols: [Column], key: ([String?]) -> String = { $0[0] ?? "" }) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for row in rows {
            let cells = cols.enumerated().map { cell(row[$0.offset], $0.element.kind) }
            out[key(cells), default: []].append(canonical(cells))
        }
        return out
    }

    static func grouped(_ rows: [PGRow], _ cols: [Column], key: ([String?]) -> String = { $0[0] ?? "" }) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for r in rows {
            let cells = cols.indices.map { cell(r, $0, cols[$0].kind) }
            out[key(cells), default: []].append(canonical(cells))
        }
        return out
    }

    private static func check(_ file: Database, _ pg: PGConnection, added: [String: Int]) throws -> [TableFigures] {
        var out: [TableFigures] = []

        // Records (by id) and their history (by the record's id), a batch of records at a time.
        var records = Tally(), histories = Tally()
        let recordList = list(record.dropLast(2), "r.") + ", t.question, t.answer"
        try eachBatch(file, """
            SELECT r.seq, \(recordList) FROM record r JOIN record_text t ON t.seq = r.seq
            WHERE r.seq > ? ORDER BY r.seq LIMIT \(batch)
            """, from: 0) { rows in
            var ids: [String] = []
            var source: [String: [String]] = [:]
            for row in rows {
                let cells = record.enumerated().map { cell(row[$0.offset + 1], $0.element.kind) }
                let id = cells[0] ?? ""
                ids.append(id)
                source[id] = [canonical(cells)]
            }
            var server: [String: [String]] = [:]
            for r in try pg.query("SELECT \(recordList) FROM record r JOIN record_text t ON t.seq = r.seq WHERE r.id = ANY(?)",
                                  [PGTexts(values: ids)]) {
                let cells = record.indices.map { cell(r, $0, record[$0].kind) }
                server[cells[0] ?? "", default: []].append(canonical(cells))
            }
            records.add(keys: ids, source: source, server: server)

            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            histories.add(keys: ids,
                          source: grouped(try Row.fetchAll(file, sql: "SELECT \(list(history)) FROM label_history WHERE record_id IN (\(marks))",
                                                           arguments: StatementArguments(ids)), history),
                          server: grouped(try pg.query("SELECT \(list(history)) FROM label_history WHERE record_id = ANY(?)",
                                                       [PGTexts(values: ids)]), history))
        }
        out.append(records.figures("record", added: added["record"] ?? 0))
        // History rows of ids the file has no record for (none in a file Workbench wrote).
        let orphanSource = grouped(try Row.fetchAll(file, sql: """
            SELECT \(list(history)) FROM label_history WHERE record_id NOT IN (SELECT id FROM record)
            """), history)
        if !orphanSource.isEmpty {
            let orphanServer = grouped(try pg.query("SELECT \(list(history)) FROM label_history WHERE record_id = ANY(?)",
                                                    [PGTexts(values: Array(orphanSource.keys))]), history)
            histories.add(keys: orphanSource.keys.sorted(), source: orphanSource, server: orphanServer)
        }
        out.append(histories.figures("label_history", added: added["label_history"] ?? 0))

        // The smaller tables whole, by their natural key.
        func whole(_ table: String, _ cols: [Column], key: @escaping ([String?]) -> String, sourceSQL: String, serverSQL: String) throws {
            let source = grouped(try Row.fetchAll(file, sql: sourceSQL), cols, key: key)
            var tally = Tally()
            // Server rows under keys the file lacks are not looked at.
            tally.add(keys: source.keys.sorted(), source: source, server: grouped(try pg.query(serverSQL), cols, key: key))
            out.append(tally.figures(table, added: added[table] ?? 0))
        }
        let kbContent = Array(kbEntry.filter { $0.name != "seq" })
        try whole("kb_entry", kbContent, key: { $0[0] ?? "" },
                  sourceSQL: "SELECT \(list(kbContent)) FROM kb_entry", serverSQL: "SELECT \(list(kbContent)) FROM kb_entry")
        try whole("kb_version", kbVersion, key: { "\($0[0] ?? "")#\($0[13] ?? "")" },
                  sourceSQL: "SELECT \(list(kbVersion)) FROM kb_version", serverSQL: "SELECT \(list(kbVersion)) FROM kb_version")
        for (table, cols) in [("double_sample", sample), ("vote", vote), ("assignment", assignment)] {
            // The record's id instead of its key, which differs between the stores.
            let content = [Column(name: "id", kind: .text)] + cols.filter { $0.name != "seq" }
            let select = "SELECT r.id, \(list(cols.filter { $0.name != "seq" }, "x.")) FROM \(table) x JOIN record r ON r.seq = x.seq"
            try whole(table, content, key: { $0[0] ?? "" }, sourceSQL: select, serverSQL: select)
        }
        for (table, cols) in [("import_log", importLog), ("import_conflict", importConflict), ("export_log", exportLog)] {
            let select = "SELECT \(list(cols)) FROM \(table)"
            try whole(table, cols, key: { canonical($0) }, sourceSQL: select, serverSQL: select)
        }
        return out
    }
}
