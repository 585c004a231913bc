import GRDB
import GRDBSQLite

/// A prepared statement bound through the SQLite C API, for the import's hot loop only.
///
/// Measured (1,000,000 rows, same build, alternating runs): binding through GRDB's
/// `StatementArguments` (an array of existentials, converted value by value) kept the inserting
/// thread busy 9.4–10.7 s and the import took 12.5–13.5 s; binding strings straight from their
/// UTF-8 storage here, 6.5–6.9 s and 10.0–10.3 s. Everything else in the store goes through GRDB.
final class SQLiteBulkStatement {
    private let statement: OpaquePointer
    private let db: Database
    private let sql: String

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(message: "connection closed") }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(connection, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        statement = stmt
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(statement) }

    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        p.pointee = 0
        return UnsafePointer(p)
    }()

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(statement, index); return }
        value.withUTF8 { u in
            // An empty string has no storage; SQLite takes a zero length with any non-null pointer.
            u.withMemoryRebound(to: CChar.self) { c in
                _ = sqlite3_bind_text(statement, index, c.baseAddress ?? Self.empty, Int32(c.count), Self.transient)
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else { sqlite3_bind_null(statement, index); return }
        sqlite3_bind_int64(statement, index, value)
    }

    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Bool?) { bind(index, value.map { Int64($0 ? 1 : 0) }) }

    /// Runs the bound statement; returns the number of rows it changed.
    @discardableResult
    func execute() throws -> Int {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let rc = sqlite3_step(statement)
        guard rc == SQLITE_DONE else {
            let connection = db.sqliteConnection
            throw DatabaseError(resultCode: ResultCode(rawValue: rc),
                                message: connection.map { String(cString: sqlite3_errmsg($0)) }, sql: sql)
        }
        return Int(sqlite3_changes(db.sqliteConnection))
    }
}
