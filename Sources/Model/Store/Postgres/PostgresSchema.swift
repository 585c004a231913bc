import Foundation

/// The server's schema, as numbered migrations like the SQLite file's: each runs once, in a
/// transaction, under an advisory lock so two Workbench processes starting at once do not both
/// run it. The tables mirror the SQLite store's (same names and columns), so the SQL of the two
/// stores reads alike; integers are BIGINT and flags 0/1 as there.
enum PostgresSchema {
    static let migrations: [(id: String, sql: String)] = [
        ("v1: the workstation's tables", """
            CREATE TABLE record (
              seq BIGSERIAL PRIMARY KEY,
              id TEXT NOT NULL UNIQUE,
              asked_at BIGINT NOT NULL,
              org TEXT NOT NULL,
              status TEXT NOT NULL DEFAULT 'unlabeled',
              label TEXT,
              biz1 TEXT,
              biz2 TEXT,
              corrected_biz1 TEXT,
              corrected_biz2 TEXT,
              eff_biz1 TEXT GENERATED ALWAYS AS (coalesce(corrected_biz1, biz1)) STORED,
              eff_biz2 TEXT GENERATED ALWAYS AS
                (CASE WHEN corrected_biz1 IS NOT NULL THEN corrected_biz2 ELSE biz2 END) STORED,
              fallback BIGINT,
              hit_flag BIGINT,
              knowledge_id TEXT,
              standard_question TEXT,
              session_id TEXT,
              turn BIGINT,
              channel TEXT,
              satisfaction TEXT,
              reviewer TEXT,
              labeled_at BIGINT,
              reviewed_by TEXT,
              reviewed_at BIGINT,
              note TEXT,
              hit_class BIGINT,
              topic_hash BIGINT,
              wording_hash BIGINT
            );
            CREATE TABLE record_text (
              seq BIGINT PRIMARY KEY REFERENCES record(seq),
              question TEXT NOT NULL,
              answer TEXT NOT NULL
            );
            CREATE INDEX record_asked ON record(asked_at DESC, seq DESC);
            CREATE INDEX record_org ON record(org, asked_at DESC, seq DESC);
            CREATE INDEX record_org_status ON record(org, status, asked_at DESC, seq DESC);
            CREATE INDEX record_org_label ON record(org, label, asked_at DESC, seq DESC) WHERE label IS NOT NULL;
            CREATE INDEX record_status ON record(status, asked_at DESC, seq DESC);
            CREATE INDEX record_label ON record(label, asked_at DESC, seq DESC) WHERE label IS NOT NULL;
            CREATE INDEX record_biz ON record(eff_biz1, eff_biz2, asked_at DESC, seq DESC);
            CREATE INDEX record_topic ON record(topic_hash);

            CREATE TABLE label_history (
              seq BIGSERIAL PRIMARY KEY,
              record_id TEXT NOT NULL,
              action TEXT NOT NULL,
              old_label TEXT,
              new_label TEXT,
              old_status TEXT NOT NULL,
              new_status TEXT NOT NULL,
              reviewer TEXT NOT NULL,
              at BIGINT NOT NULL,
              old_value TEXT,
              new_value TEXT,
              override BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX label_history_record ON label_history(record_id, seq);

            -- Append-only, as in the SQLite file: no role (the owner included) changes history.
            CREATE FUNCTION wb_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
            CREATE TRIGGER label_history_append_only BEFORE UPDATE OR DELETE ON label_history
              FOR EACH ROW EXECUTE FUNCTION wb_append_only();

            CREATE TABLE import_log (
              seq BIGSERIAL PRIMARY KEY,
              file TEXT NOT NULL,
              format TEXT NOT NULL,
              encoding TEXT NOT NULL,
              imported BIGINT NOT NULL,
              existing BIGINT NOT NULL,
              rejected BIGINT NOT NULL,
              finished_at BIGINT NOT NULL,
              seconds DOUBLE PRECISION NOT NULL
            );

            CREATE TABLE kb_entry (
              id TEXT PRIMARY KEY, seq BIGINT NOT NULL UNIQUE,
              topic TEXT NOT NULL, region TEXT NOT NULL, biz1 TEXT, biz2 TEXT, standard_question TEXT NOT NULL,
              similar_questions TEXT NOT NULL, answer TEXT NOT NULL, policy_basis TEXT NOT NULL,
              effective_from BIGINT NOT NULL, effective_to BIGINT, state TEXT NOT NULL, version BIGINT NOT NULL,
              updated_by TEXT NOT NULL, updated_at BIGINT NOT NULL, last_reviewed_at BIGINT, bot_ids TEXT NOT NULL DEFAULT ''
            );
            CREATE INDEX kb_entry_topic ON kb_entry(topic, region);
            CREATE TABLE kb_version (
              entry_id TEXT NOT NULL, action TEXT NOT NULL,
              topic TEXT NOT NULL, region TEXT NOT NULL, biz1 TEXT, biz2 TEXT, standard_question TEXT NOT NULL,
              similar_questions TEXT NOT NULL, answer TEXT NOT NULL, policy_basis TEXT NOT NULL,
              effective_from BIGINT NOT NULL, effective_to BIGINT, state TEXT NOT NULL, version BIGINT NOT NULL,
              updated_by TEXT NOT NULL, updated_at BIGINT NOT NULL, last_reviewed_at BIGINT, bot_ids TEXT NOT NULL DEFAULT '',
              PRIMARY KEY (entry_id, version)
            );
            CREATE TRIGGER kb_version_append_only BEFORE UPDATE OR DELETE ON kb_version
              FOR EACH ROW EXECUTE FUNCTION wb_append_only();

            CREATE TABLE lease (
              seq BIGINT PRIMARY KEY,
              reviewer TEXT NOT NULL,
              since BIGINT NOT NULL,
              expires BIGINT NOT NULL
            );
            CREATE INDEX lease_reviewer ON lease(reviewer);

            CREATE TABLE double_sample (
              seq BIGINT PRIMARY KEY,
              drawn_at BIGINT NOT NULL,
              drawn_by TEXT NOT NULL,
              seed BIGINT NOT NULL
            );
            CREATE TABLE vote (
              id BIGSERIAL UNIQUE,
              seq BIGINT NOT NULL,
              reviewer TEXT NOT NULL,
              label TEXT NOT NULL,
              note TEXT,
              at BIGINT NOT NULL,
              PRIMARY KEY (seq, reviewer)
            );
            CREATE TABLE assignment (
              seq BIGINT PRIMARY KEY,
              reviewer TEXT NOT NULL,
              assigned_at BIGINT NOT NULL,
              assigned_by TEXT NOT NULL
            );
            CREATE INDEX assignment_reviewer ON assignment(reviewer, seq);

            CREATE TABLE import_conflict (
              id BIGSERIAL PRIMARY KEY,
              file TEXT NOT NULL,
              line BIGINT NOT NULL,
              record_id TEXT NOT NULL,
              fields TEXT NOT NULL,
              incoming TEXT NOT NULL,
              at BIGINT NOT NULL
            );
            CREATE INDEX import_conflict_record ON import_conflict(record_id);

            CREATE TABLE export_log (
              id BIGSERIAL PRIMARY KEY,
              by TEXT NOT NULL,
              at BIGINT NOT NULL,
              filter TEXT NOT NULL,
              format TEXT NOT NULL,
              rows BIGINT NOT NULL,
              file TEXT NOT NULL,
              sha256 TEXT,
              masked BIGINT NOT NULL
            );
            CREATE TRIGGER export_log_append_only BEFORE UPDATE OR DELETE ON export_log
              FOR EACH ROW EXECUTE FUNCTION wb_append_only();
            CREATE TABLE privacy_mark (rules BIGINT NOT NULL, done_to BIGINT NOT NULL);

            -- Live without polling: every committed change to what a reviewer's screen shows
            -- notifies the listening sessions (one notification per statement; PostgreSQL folds
            -- equal ones within a transaction).
            CREATE FUNCTION wb_notify() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN PERFORM pg_notify('workbench_changes', TG_TABLE_NAME); RETURN NULL; END $$;
            CREATE TRIGGER record_notify AFTER INSERT OR UPDATE OR DELETE ON record
              FOR EACH STATEMENT EXECUTE FUNCTION wb_notify();
            CREATE TRIGGER label_history_notify AFTER INSERT ON label_history
              FOR EACH STATEMENT EXECUTE FUNCTION wb_notify();
            CREATE TRIGGER lease_notify AFTER INSERT OR UPDATE OR DELETE ON lease
              FOR EACH STATEMENT EXECUTE FUNCTION wb_notify();
            CREATE TRIGGER vote_notify AFTER INSERT OR UPDATE OR DELETE ON vote
              FOR EACH STATEMENT EXECUTE FUNCTION wb_notify();
            CREATE TRIGGER kb_entry_notify AFTER INSERT OR UPDATE ON kb_entry
              FOR EACH STATEMENT EXECUTE FUNCTION wb_notify();
            """),
        ("v2: trigram indexes for text search", """
            -- pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it.
            -- Without it (a server that lacks the contrib package) text search still works, by scan.
            DO $$ BEGIN
              CREATE EXTENSION IF NOT EXISTS pg_trgm;
            EXCEPTION WHEN others THEN
              RAISE NOTICE 'pg_trgm not available: text search scans';
            END $$;
            DO $$ BEGIN
              IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                CREATE INDEX record_text_question_trgm ON record_text USING gin (question gin_trgm_ops);
                CREATE INDEX record_text_answer_trgm ON record_text USING gin (answer gin_trgm_ops);
              END IF;
            END $$;
            """),
    ]

    /// Brings the database up to date; refuses one a newer Workbench migrated further.
    static func migrate(_ c: PGConnection, location: String) throws {
        // Looked up first: a reviewer's role may not create tables, not even "if not exists".
        if try c.query("SELECT (to_regclass('wb_migration') IS NULL)::int::bigint").first?.int64(0) == 1 {
            try c.execute("CREATE TABLE IF NOT EXISTS wb_migration (id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
        }
        let applied = Set(try c.query("SELECT id FROM wb_migration").map { $0.string(0) })
        let known = Set(migrations.map(\.id))
        if let unknown = applied.subtracting(known).sorted().last {
            throw StoreError.cannotOpen(location, "数据库来自更新版本的 Workbench（含本程序不认识的结构版本「\(unknown)」），请先升级 workbench；未做任何修改 (made by a newer Workbench: upgrade first; nothing changed)")
        }
        guard migrations.contains(where: { !applied.contains($0.id) }) else { return }
        try c.transaction {
            // One process migrates; another waits here and then finds the work done.
            try c.execute("SELECT pg_advisory_xact_lock(7364001)")
            let now = Set(try c.query("SELECT id FROM wb_migration").map { $0.string(0) })
            for m in migrations where !now.contains(m.id) {
                try c.script(m.sql)
                try c.execute("INSERT INTO wb_migration (id, applied_at) VALUES (?, ?)", [m.id, Int64(Date().timeIntervalSince1970)])
            }
        }
    }
}
