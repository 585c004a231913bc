import Foundation

/// Setting up a team server: the database, its schema, and least-privilege roles.
///
/// Three group roles (cluster-wide names) hold the rights; people's login roles are members:
/// - `wb_reviewer`: reads everything; writes the review columns of `record`, appends history,
///   takes and ends leases, casts votes, logs exports. No DELETE on records or history, no
///   UPDATE of history (the append-only triggers refuse even the owner), no knowledge edits.
/// - `wb_supervisor` (a member of wb_reviewer): also imports, assigns, draws samples, masks stored
///   texts; only a supervisor's session may write an adjudication or a send-back (a trigger).
/// - `wb_editor`: reads everything; saves knowledge entries and their versions.
public enum PostgresAdmin {
    public enum Role: String, CaseIterable, Sendable {
        case reviewer, supervisor, editor
        public var group: String { "wb_" + rawValue }
    }

    /// Creates a database on the server (connecting to the URL's own database to do it).
    /// Drops a database `createDatabase` made (the bench's own).
    public static func dropDatabase(_ name: String, server: String) throws {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.isEmpty else { return }
        let c = try PGConnection(try PostgresAddress(server))
        defer { c.close() }
        try c.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    public static func createDatabase(_ name: String, server: String) throws {
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !name.isEmpty else {
            throw StoreError.cannotOpen(name, "数据库名只能含字母、数字、下划线 (letters, digits and _ only)")
        }
        let c = try PGConnection(try PostgresAddress(server))
        defer { c.close() }
        do { try c.execute("CREATE DATABASE \(name)") } catch let e as PGServerError {
            throw StoreError.server(c.address.display, e.message)
        }
    }

    /// The schema (by the store's migrations), the group roles and their rights. Run by the
    /// database's owner; running it again changes nothing that is already right.
    public static func initialise(url: String) throws -> String {
        let store = try PostgresRecordStore(url: url)
        try store.mapping { try store.db.script(rolesSQL) }
        return store.location
    }

    /// Creates (or updates) a person's login role as a member of the role's group. The password
    /// is the server's business (`ALTER ROLE … PASSWORD` in psql, or the IT's own login method):
    /// Workbench never takes or shows one.
    public static func grant(url: String, person: String, role: Role) throws {
        guard !person.isEmpty, person.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else {
            throw StoreError.cannotOpen(person, "角色名只能含字母、数字、下划线、点、横线 (letters, digits, _ . - only)")
        }
        let store = try PostgresRecordStore(url: url)
        let quoted = "\"" + person + "\""
        try store.mapping {
            try store.db.script("""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '\(person)') THEN CREATE ROLE \(quoted) LOGIN; END IF;
                END $$;
                GRANT \(role.group) TO \(quoted);
                """)
        }
    }

    static let rolesSQL = """
        DO $$ BEGIN
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wb_reviewer') THEN CREATE ROLE wb_reviewer NOLOGIN; END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wb_supervisor') THEN CREATE ROLE wb_supervisor NOLOGIN; END IF;
          IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'wb_editor') THEN CREATE ROLE wb_editor NOLOGIN; END IF;
        END $$;
        GRANT wb_reviewer TO wb_supervisor;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, wb_reviewer, wb_supervisor, wb_editor;
        GRANT USAGE ON SCHEMA public TO wb_reviewer, wb_supervisor, wb_editor;
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO wb_reviewer, wb_editor;
        GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO wb_reviewer, wb_editor;
        GRANT UPDATE (label, status, reviewer, labeled_at, reviewed_by, reviewed_at, corrected_biz1, corrected_biz2, note)
          ON record TO wb_reviewer;
        GRANT INSERT ON label_history, export_log TO wb_reviewer;
        GRANT INSERT, UPDATE, DELETE ON lease, vote TO wb_reviewer;
        GRANT INSERT ON record, record_text, import_log, import_conflict, double_sample TO wb_supervisor;
        GRANT INSERT, UPDATE ON assignment TO wb_supervisor;
        GRANT UPDATE (question, answer) ON record_text TO wb_supervisor;
        GRANT UPDATE (org) ON record TO wb_supervisor;
        GRANT INSERT, DELETE ON privacy_mark TO wb_supervisor;
        GRANT INSERT, UPDATE ON kb_entry TO wb_editor;
        GRANT INSERT ON kb_version TO wb_editor;
        -- The LOCK a knowledge save takes needs more than SELECT.
        GRANT UPDATE ON kb_entry TO wb_editor;

        -- Only supervisors decide disputes (and rewrite organisation names): a reviewer's session
        -- may not write those history rows.
        CREATE OR REPLACE FUNCTION wb_supervisors_decide() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            IF NEW.action IN ('adjudicate', 'send-back', 'org')
               AND pg_has_role(session_user, 'wb_reviewer', 'MEMBER')
               AND NOT pg_has_role(session_user, 'wb_supervisor', 'MEMBER') THEN
              RAISE EXCEPTION 'only a supervisor (wb_supervisor) may %', NEW.action USING ERRCODE = '42501';
            END IF;
            RETURN NEW;
          END $$;
        DROP TRIGGER IF EXISTS label_history_supervisors_decide ON label_history;
        CREATE TRIGGER label_history_supervisors_decide BEFORE INSERT ON label_history
          FOR EACH ROW EXECUTE FUNCTION wb_supervisors_decide();
        """
}
