import GRDB

/// The embedded database's schema, as migrations: a database made by any earlier version is brought
/// up to date on open, never rebuilt.
enum SQLiteSchema {
    /// Refuses a database a newer Workbench has migrated further (a migration this build does not
    /// know): writing to it with the older schema in mind could damage it. Nothing is changed.
    static func check(_ db: DatabaseQueue, path: String) throws {
        let m = migrator
        let applied = try db.read { try m.appliedIdentifiers($0) }
        let unknown = applied.subtracting(m.migrations)
        guard unknown.isEmpty else {
            throw StoreError.cannotOpen(path, "数据库来自更新版本的 Workbench（含本程序不认识的结构版本「\(unknown.sorted().last!)」，本程序最高为「\(m.migrations.last!)」），请先升级 workbench；未做任何修改 (made by a newer Workbench: upgrade first; nothing changed)")
        }
    }

    /// Puts back an index someone dropped (a dropped index makes every filter a full scan, silently):
    /// the schema a fresh database gets is the reference. A missing table is damage, not repaired.
    static func repairIndexes(_ db: DatabaseQueue, path: String) throws {
        let wanted = reference
        let present = try db.read { db in Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master")) }
        let missing = wanted.filter { !present.contains($0.name) }
        if let table = missing.first(where: { $0.type != "index" }) {
            throw StoreError.cannotOpen(path, "数据库缺少「\(table.name)」，已损坏；请用备份恢复 (a part of the database is missing: restore a backup)")
        }
        guard !missing.isEmpty else { return }
        // IF NOT EXISTS: a bulk import may be making the same ones (see importBatch).
        try db.write { db in for index in missing { try db.execute(sql: ifNotExists(index.sql)) } }
    }

    /// `CREATE [UNIQUE] INDEX name …` as `CREATE [UNIQUE] INDEX IF NOT EXISTS name …`.
    static func ifNotExists(_ sql: String) -> String {
        for prefix in ["CREATE INDEX ", "CREATE UNIQUE INDEX "] where sql.hasPrefix(prefix) && !sql.dropFirst(prefix.count).hasPrefix("IF NOT EXISTS") {
            return prefix + "IF NOT EXISTS " + sql.dropFirst(prefix.count)
        }
        return sql
    }

    /// What a fresh database holds (tables, indexes, triggers and their SQL), made once a process.
    struct Item: Sendable {
        let type, name, sql: String
    }

    static let reference: [Item] = {
        do {
            let fresh = try DatabaseQueue()
            try migrator.migrate(fresh)
            return try fresh.read { db in
                try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
                    .map { Item(type: $0["type"], name: $0["name"], sql: $0["sql"]) }
            }
        } catch {
            return []  // an in-memory database that cannot be made: nothing to compare with
        }
    }()

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: records, label history, import log") { db in
            try db.execute(sql: """
                -- The question and answer live in record_text, one row per record with the same
                -- seq: record stays narrow (~150 bytes a row), so index builds and filters that test
                -- rows read a tenth of the pages, and only a page's 50 texts are ever fetched.
                CREATE TABLE record (
                  seq INTEGER PRIMARY KEY,
                  id TEXT NOT NULL UNIQUE,
                  asked_at INTEGER NOT NULL,
                  org TEXT NOT NULL,
                  status TEXT NOT NULL DEFAULT 'unlabeled',
                  label TEXT,
                  biz1 TEXT,
                  biz2 TEXT,
                  corrected_biz1 TEXT,
                  corrected_biz2 TEXT,
                  -- the business type filters and statistics use: the reviewer's correction first
                  eff_biz1 TEXT GENERATED ALWAYS AS (coalesce(corrected_biz1, biz1)) VIRTUAL,
                  eff_biz2 TEXT GENERATED ALWAYS AS
                    (CASE WHEN corrected_biz1 IS NOT NULL THEN corrected_biz2 ELSE biz2 END) VIRTUAL,
                  fallback INTEGER,
                  hit_flag INTEGER,
                  knowledge_id TEXT,
                  standard_question TEXT,
                  session_id TEXT,
                  turn INTEGER,
                  channel TEXT,
                  satisfaction TEXT,
                  reviewer TEXT,
                  labeled_at INTEGER,
                  reviewed_by TEXT,
                  reviewed_at INTEGER,
                  note TEXT
                );
                CREATE TABLE record_text (
                  seq INTEGER PRIMARY KEY REFERENCES record(seq),
                  question TEXT NOT NULL,
                  answer TEXT NOT NULL
                );
                -- Each filter has an index ending in asked_at, so a page is read in order from the
                -- index and stops after one page (no sort of the whole selection). A reviewer's
                -- usual filters, organisation + status and organisation + label, have their own:
                -- without them the planner scanned hundreds of rows per page (bench p99 5-9 ms).
                -- Several organisations are read one index range each and merged (see page()).
                -- The label indexes hold labelled rows only (a filter is always `label = ?`, which
                -- SQLite knows implies NOT NULL): a fresh log has none, so an import does not sort
                -- a million NULLs for them.
                CREATE INDEX record_asked ON record(asked_at);
                CREATE INDEX record_org ON record(org, asked_at);
                CREATE INDEX record_org_status ON record(org, status, asked_at);
                CREATE INDEX record_org_label ON record(org, label, asked_at) WHERE label IS NOT NULL;
                CREATE INDEX record_status ON record(status, asked_at);
                CREATE INDEX record_label ON record(label, asked_at) WHERE label IS NOT NULL;
                CREATE INDEX record_biz ON record(eff_biz1, eff_biz2, asked_at);

                CREATE TABLE label_history (
                  seq INTEGER PRIMARY KEY,
                  record_id TEXT NOT NULL,
                  action TEXT NOT NULL,
                  old_label TEXT,
                  new_label TEXT,
                  old_status TEXT NOT NULL,
                  new_status TEXT NOT NULL,
                  reviewer TEXT NOT NULL,
                  at INTEGER NOT NULL
                );
                CREATE INDEX label_history_record ON label_history(record_id, seq);
                CREATE TRIGGER label_history_no_update BEFORE UPDATE ON label_history
                  BEGIN SELECT RAISE(ABORT, 'label_history is append-only'); END;
                CREATE TRIGGER label_history_no_delete BEFORE DELETE ON label_history
                  BEGIN SELECT RAISE(ABORT, 'label_history is append-only'); END;

                CREATE TABLE import_log (
                  seq INTEGER PRIMARY KEY,
                  file TEXT NOT NULL,
                  format TEXT NOT NULL,
                  encoding TEXT NOT NULL,
                  imported INTEGER NOT NULL,
                  existing INTEGER NOT NULL,
                  rejected INTEGER NOT NULL,
                  finished_at INTEGER NOT NULL,
                  seconds REAL NOT NULL
                );
                """)
        }
        m.registerMigration("v2: note and business-type changes in the history") { db in
            // ALTER TABLE does not fire the append-only triggers: rows already there are untouched.
            try db.execute(sql: """
                ALTER TABLE label_history ADD COLUMN old_value TEXT;
                ALTER TABLE label_history ADD COLUMN new_value TEXT;
                """)
        }
        m.registerMigration("v3: statistics facts per record") { db in
            // What counting needs and never changes (RecordFacts): stored so the statistics index
            // loads a million records from `record` alone, without reading their texts. Records
            // already stored get theirs here, once.
            try db.execute(sql: """
                ALTER TABLE record ADD COLUMN hit_class INTEGER;
                ALTER TABLE record ADD COLUMN topic_hash INTEGER;
                ALTER TABLE record ADD COLUMN wording_hash INTEGER;
                """)
            let topics = QuestionTopic.bundled
            db.add(function: DatabaseFunction("wb_topic", argumentCount: 3, pure: true) { v in
                topics.topic(of: InteractionRecord(
                    id: "", askedAt: 0, org: "", question: String.fromDatabaseValue(v[2]) ?? "", answer: "",
                    knowledgeId: String.fromDatabaseValue(v[0]), standardQuestion: String.fromDatabaseValue(v[1])))
            })
            db.add(function: DatabaseFunction("wb_hash", argumentCount: 1, pure: true) { v in
                QuestionTopic.hash(String.fromDatabaseValue(v[0]) ?? "")
            })
            let (hit, args) = SQLiteRecordStore.hitClassSQL(HitRules.defaultFallbackPhrases)
            try db.execute(sql: """
                UPDATE record SET hit_class = \(hit),
                  topic_hash = (SELECT wb_topic(knowledge_id, standard_question, t.question) FROM record_text t WHERE t.seq = record.seq),
                  wording_hash = (SELECT wb_hash(t.question) FROM record_text t WHERE t.seq = record.seq)
                """, arguments: args)
        }
        m.registerMigration("v4: regional knowledge base") { db in
            // kb_entry holds each entry's current version; kb_version every version ever saved,
            // append-only like label_history, so who changed what and when stays readable.
            let columns = """
                topic TEXT NOT NULL,
                region TEXT NOT NULL,
                biz1 TEXT,
                biz2 TEXT,
                standard_question TEXT NOT NULL,
                similar_questions TEXT NOT NULL,
                answer TEXT NOT NULL,
                policy_basis TEXT NOT NULL,
                effective_from INTEGER NOT NULL,
                effective_to INTEGER,
                state TEXT NOT NULL,
                version INTEGER NOT NULL,
                updated_by TEXT NOT NULL,
                updated_at INTEGER NOT NULL,
                last_reviewed_at INTEGER
                """
            try db.execute(sql: """
                CREATE TABLE kb_entry (id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, \(columns));
                CREATE INDEX kb_entry_topic ON kb_entry(topic, region);
                CREATE TABLE kb_version (entry_id TEXT NOT NULL, action TEXT NOT NULL, \(columns),
                  PRIMARY KEY (entry_id, version));
                CREATE TRIGGER kb_version_no_update BEFORE UPDATE ON kb_version
                  BEGIN SELECT RAISE(ABORT, 'kb_version is append-only'); END;
                CREATE TRIGGER kb_version_no_delete BEFORE DELETE ON kb_version
                  BEGIN SELECT RAISE(ABORT, 'kb_version is append-only'); END;
                """)
        }
        m.registerMigration("v5: leases; overrides in the history") { db in
            // A lease is one row per held record; an expired row is someone's to take (see claim).
            try db.execute(sql: """
                CREATE TABLE lease (
                  seq INTEGER PRIMARY KEY,
                  reviewer TEXT NOT NULL,
                  since INTEGER NOT NULL,
                  expires INTEGER NOT NULL
                );
                CREATE INDEX lease_reviewer ON lease(reviewer);
                ALTER TABLE label_history ADD COLUMN override INTEGER NOT NULL DEFAULT 0;
                """)
        }
        m.registerMigration("v6: blind double review") { db in
            try db.execute(sql: """
                CREATE TABLE double_sample (
                  seq INTEGER PRIMARY KEY,
                  drawn_at INTEGER NOT NULL,
                  drawn_by TEXT NOT NULL,
                  seed INTEGER NOT NULL
                );
                -- Each reviewer's own label on a sampled record; withdrawn (deleted) only when a
                -- dispute is sent back. label_history keeps every vote as a 'vote' row.
                CREATE TABLE vote (
                  seq INTEGER NOT NULL,
                  reviewer TEXT NOT NULL,
                  label TEXT NOT NULL,
                  note TEXT,
                  at INTEGER NOT NULL,
                  PRIMARY KEY (seq, reviewer)
                );
                """)
        }
        m.registerMigration("v7: assignment") { db in
            try db.execute(sql: """
                CREATE TABLE assignment (
                  seq INTEGER PRIMARY KEY,
                  reviewer TEXT NOT NULL,
                  assigned_at INTEGER NOT NULL,
                  assigned_by TEXT NOT NULL
                );
                CREATE INDEX assignment_reviewer ON assignment(reviewer, seq);
                """)
        }
        m.registerMigration("v8: text index") { db in
            // See SQLiteTextSearch. Records already stored are indexed afterwards, resumably
            // (`indexed_to` says how far): searches test the rest with instr meanwhile.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE record_fts USING fts5(question, answer,
                  tokenize = 'trigram case_sensitive 1', content = '', columnsize = 0, detail = full);
                CREATE VIRTUAL TABLE record_fts_vocab USING fts5vocab(record_fts, row);
                CREATE TABLE text_index (indexed_to INTEGER NOT NULL);
                INSERT INTO text_index VALUES (0);
                """)
        }
        m.registerMigration("v9: import conflicts") { db in
            // A record whose id was stored already with other content: the stored side stays in
            // `record`, the incoming side is kept here whole (the `list --format jsonl` line).
            try db.execute(sql: """
                CREATE TABLE import_conflict (
                  id INTEGER PRIMARY KEY,
                  file TEXT NOT NULL,
                  line INTEGER NOT NULL,
                  record_id TEXT NOT NULL,
                  fields TEXT NOT NULL,
                  incoming TEXT NOT NULL,
                  at INTEGER NOT NULL
                );
                CREATE INDEX import_conflict_record ON import_conflict(record_id);
                """)
        }
        m.registerMigration("v10: export log and privacy mark") { db in
            try db.execute(sql: """
                CREATE TABLE export_log (
                  id INTEGER PRIMARY KEY,
                  by TEXT NOT NULL,
                  at INTEGER NOT NULL,
                  filter TEXT NOT NULL,
                  format TEXT NOT NULL,
                  rows INTEGER NOT NULL,
                  file TEXT NOT NULL,
                  sha256 TEXT,
                  masked INTEGER NOT NULL
                );
                CREATE TRIGGER export_log_no_update BEFORE UPDATE ON export_log
                  BEGIN SELECT RAISE(ABORT, 'export_log is append-only'); END;
                CREATE TRIGGER export_log_no_delete BEFORE DELETE ON export_log
                  BEGIN SELECT RAISE(ABORT, 'export_log is append-only'); END;
                CREATE TABLE privacy_mark (rules INTEGER NOT NULL, done_to INTEGER NOT NULL);
                """)
        }
        m.registerMigration("v11: the bot's knowledge ids on entries") { db in
            // One line of ids separated by spaces (KB00790 KB00791), in the current version and in
            // every version (ALTER TABLE does not fire kb_version's append-only triggers).
            try db.execute(sql: """
                ALTER TABLE kb_entry ADD COLUMN bot_ids TEXT NOT NULL DEFAULT '';
                ALTER TABLE kb_version ADD COLUMN bot_ids TEXT NOT NULL DEFAULT '';
                """)
        }
        m.registerMigration("v12: character index") { db in
            // See SQLiteTextSearch: one-character words. Built afterwards like the text index, from
            // its own mark, so an existing database keeps its trigrams.
            try db.execute(sql: """
                CREATE VIRTUAL TABLE record_chars USING fts5(chars,
                  tokenize = 'ascii', content = '', columnsize = 0, detail = none);
                ALTER TABLE text_index ADD COLUMN chars_to INTEGER NOT NULL DEFAULT 0;
                """)
        }
        m.registerMigration("v13: texts stored once") { db in
            // See SQLiteTextDocuments. The records' texts move into text_doc, one entry per distinct
            // text; `record_text` becomes a view over them, so reading queries stay as they were.
            // The text index is made again over the entries (the app, an import or `db index`
            // builds it in the background; searches test unindexed texts meanwhile).
            try db.execute(sql: """
                -- AUTOINCREMENT: an entry's id is never given again after a delete (masking removes
                -- unused entries), so an id at or below the index mark is always an indexed text.
                CREATE TABLE text_doc (id INTEGER PRIMARY KEY AUTOINCREMENT, hash INTEGER NOT NULL, text TEXT NOT NULL);
                CREATE TABLE record_doc (
                  seq INTEGER PRIMARY KEY,
                  question_doc INTEGER NOT NULL,
                  answer_doc INTEGER NOT NULL
                );
                """)
            let docs = try SQLiteTextDocuments(db, bulk: false)
            let insert = try db.makeStatement(sql: "INSERT INTO record_doc (seq, question_doc, answer_doc) VALUES (?, ?, ?)")
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, question, answer FROM record_text ORDER BY seq")
            try db.execute(sql: "CREATE INDEX text_doc_hash ON text_doc(hash)")
            while let row = try rows.next() {
                try insert.execute(arguments: [row[0] as Int64, try docs.id(for: row[1]), try docs.id(for: row[2])])
            }
            try db.execute(sql: """
                -- Covering: a search's records come from these alone (SQLiteTextSearch.candidateSQL).
                CREATE INDEX record_doc_question ON record_doc(question_doc, answer_doc);
                CREATE INDEX record_doc_answer ON record_doc(answer_doc, question_doc);
                DROP TABLE record_text;
                CREATE VIEW record_text (seq, question, answer) AS
                  SELECT d.seq, q.text, a.text FROM record_doc d
                  JOIN text_doc q ON q.id = d.question_doc JOIN text_doc a ON a.id = d.answer_doc;
                DROP TABLE record_fts_vocab;
                DROP TABLE record_fts;
                DROP TABLE record_chars;
                CREATE VIRTUAL TABLE doc_fts USING fts5(text,
                  tokenize = 'trigram case_sensitive 1', content = '', columnsize = 0, detail = full);
                CREATE VIRTUAL TABLE doc_fts_vocab USING fts5vocab(doc_fts, row);
                CREATE VIRTUAL TABLE doc_chars USING fts5(chars,
                  tokenize = 'ascii', content = '', columnsize = 0, detail = none);
                UPDATE text_index SET indexed_to = 0, chars_to = 0;
                """)
        }
        return m
    }
}
