import GRDB

/// The embedded database's schema, as migrations: a database made by any earlier version is brought
/// up to date on open, never rebuilt.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: records, label history, import log") { db in
            try db.execute(sql: """
                CREATE TABLE record (
                  seq INTEGER PRIMARY KEY,
                  id TEXT NOT NULL UNIQUE,
                  session_id TEXT,
                  turn INTEGER,
                  asked_at INTEGER NOT NULL,
                  channel TEXT,
                  org TEXT NOT NULL,
                  question TEXT NOT NULL,
                  answer TEXT NOT NULL,
                  knowledge_id TEXT,
                  standard_question TEXT,
                  fallback INTEGER,
                  hit_flag INTEGER,
                  biz1 TEXT,
                  biz2 TEXT,
                  corrected_biz1 TEXT,
                  corrected_biz2 TEXT,
                  -- the business type filters and statistics use: the reviewer's correction first
                  eff_biz1 TEXT GENERATED ALWAYS AS (coalesce(corrected_biz1, biz1)) VIRTUAL,
                  eff_biz2 TEXT GENERATED ALWAYS AS
                    (CASE WHEN corrected_biz1 IS NOT NULL THEN corrected_biz2 ELSE biz2 END) VIRTUAL,
                  satisfaction TEXT,
                  label TEXT,
                  status TEXT NOT NULL DEFAULT 'unlabeled',
                  reviewer TEXT,
                  labeled_at INTEGER,
                  reviewed_by TEXT,
                  reviewed_at INTEGER,
                  note TEXT,
                  source TEXT
                );
                -- Each filter the list offers has an index ending in asked_at, so a page is read in
                -- order from the index and stops after one page (no sort of the whole selection).
                CREATE INDEX record_asked ON record(asked_at);
                CREATE INDEX record_org ON record(org, asked_at);
                CREATE INDEX record_org_status ON record(org, status, asked_at);
                CREATE INDEX record_status ON record(status, asked_at);
                CREATE INDEX record_label ON record(label, asked_at);
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
        return m
    }
}
