// Reason this file is long (600 lines, not one file per feature part): one synchronous PostgreSQL connection — its address, its calls,
// their deadline, the retry of a lost transaction, COPY — all over the same private connection state.
import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// A `postgres://user@host:port/dbname?sslmode=…` address. The password is never part of what is
/// shown: it comes from the URL only if the user put it there, else `PGPASSWORD` or `~/.pgpass`.
public struct PostgresAddress: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: String
    /// A folder holding the server's socket (`host=/path` in the query, as libpq takes it).
    public var socketDirectory: String?
    var password: String?

    public static func isAddress(_ s: String) -> Bool {
        s.hasPrefix("postgres://") || s.hasPrefix("postgresql://")
    }

    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isAddress(text), let c = URLComponents(string: text) else {
            throw StoreError.cannotOpen(Self.redacted(text), "不是 postgres:// 地址 (not a postgres:// URL)")
        }
        var items: [String: String] = [:]
        for i in c.queryItems ?? [] { items[i.name] = i.value ?? "" }
        socketDirectory = items["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = c.host.map { $0.removingPercentEncoding ?? $0 }.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        if host.hasPrefix("/") { socketDirectory = host; host = "localhost" }
        port = c.port ?? Int(environment["PGPORT"] ?? "") ?? 5432
        user = c.user.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let path = (c.path.removingPercentEncoding ?? c.path).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? user : path
        sslMode = items["sslmode"] ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw StoreError.cannotOpen(Self.redacted(text), "sslmode=\(sslMode) 不认识（disable、prefer、require、verify-full）(unknown sslmode)")
        }
        password = c.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
            ?? Self.passFile(environment).flatMap { Self.lookUp($0, host: socketDirectory == nil ? host : "localhost", port: port, database: database, user: user) }
    }

    /// What messages and headers show: no password.
    public var display: String {
        "postgres://\(user)@\(socketDirectory ?? host):\(port)/\(database)"
    }

    /// A URL as typed, with any password replaced, for a message about a URL that did not parse.
    static func redacted(_ text: String) -> String {
        guard var c = URLComponents(string: text), c.password != nil else { return text }
        c.password = "***"
        return c.string ?? "postgres://…"
    }

    static func passFile(_ env: [String: String]) -> String? {
        let path = env["PGPASSFILE"] ?? (env["HOME"].map { $0 + "/.pgpass" })
        return path.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    }

    /// The first `~/.pgpass` line matching host:port:database:user (`*` matches anything).
    static func lookUp(_ file: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in file.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            var fields: [String] = []
            var cur = ""
            var escaped = false
            for ch in line {
                if escaped { cur.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ":" { fields.append(cur); cur = "" } else { cur.append(ch) }
            }
            fields.append(cur)
            guard fields.count == 5 else { continue }
            let want = [host, String(port), database, user]
            if zip(fields.prefix(4), want).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }
}

/// Something that can be a statement's parameter.
protocol PGBindable {
    func bind(into b: inout PostgresBindings)
}
extension Int: PGBindable { func bind(into b: inout PostgresBindings) { b.append(Int64(self)) } }
extension Int64: PGBindable { func bind(into b: inout PostgresBindings) { b.append(self) } }
extension String: PGBindable { func bind(into b: inout PostgresBindings) { b.append(self) } }
extension Double: PGBindable { func bind(into b: inout PostgresBindings) { b.append(self) } }
extension Bool: PGBindable { func bind(into b: inout PostgresBindings) { b.append(Int64(self ? 1 : 0)) } }
extension Array: PGBindable where Element == Int64 { func bind(into b: inout PostgresBindings) { b.append(self) } }
/// A text array (`= ANY(?)` over ids).
struct PGTexts: PGBindable {
    let values: [String]
    func bind(into b: inout PostgresBindings) { b.append(values) }
}

typealias PGArgs = [(any PGBindable)?]

/// One row, read by position.
struct PGRow {
    let row: PostgresRandomAccessRow
    init(_ r: PostgresRow) { row = r.makeRandomAccess() }
    func int64(_ i: Int) -> Int64 { (try? row[i].decode(Int64?.self)) ?? nil ?? 0 }
    func int64OrNil(_ i: Int) -> Int64? { (try? row[i].decode(Int64?.self)) ?? nil }
    func int(_ i: Int) -> Int { Int(int64(i)) }
    func intOrNil(_ i: Int) -> Int? { int64OrNil(i).map { Int($0) } }
    func bool(_ i: Int) -> Bool? { int64OrNil(i).map { $0 != 0 } }
    func string(_ i: Int) -> String { (try? row[i].decode(String?.self)) ?? nil ?? "" }
    func stringOrNil(_ i: Int) -> String? { (try? row[i].decode(String?.self)) ?? nil }
    func int64Array(_ i: Int) -> [Int64] { (try? row[i].decode([Int64]?.self)) ?? nil ?? [] }
    func double(_ i: Int) -> Double { (try? row[i].decode(Double?.self)) ?? nil ?? 0 }
}

/// A server error's SQLSTATE and message (postgres-nio hides them from `description`).
struct PGServerError: Error {
    let state: String
    let message: String
}

/// The server gave no answer within an interactive session's deadline; the connection is closed.
struct PGNoAnswer: Error {
    let seconds: TimeInterval
}

final class PGResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// The connection went while COMMIT was on its way: the server may or may not have committed.
/// Not retried here (a write that did land would run twice); the caller re-reads and decides.
struct PGCommitUnknown: Error {}

/// One connection to the server, used synchronously: each call waits for its future on the
/// caller's thread (never an event-loop thread), one statement at a time. A connection the
/// server closed (restarted, or the network dropped) is opened again on the next call.
final class PGConnection: @unchecked Sendable {
    let address: PostgresAddress
    private let lock = NSRecursiveLock()
    private var connection: PostgresConnection?
    private(set) var backendPID: Int64 = 0
    private var inTransaction = 0
    static let logger = Logger(label: "workbench.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    static let group = MultiThreadedEventLoopGroup.singleton
    /// Called on the event loop for every NOTIFY on `workbench_changes` from another session.
    var onNotify: (@Sendable () -> Void)?
    private var nextID = 1
    /// The last failed connect: calls within `retryPause` of it fail at once with the same error,
    /// so a screen ticking while the server is down does not wait for a connect each time.
    private var lastFailure: (at: Date, error: Error)?
    static let retryPause: TimeInterval = 1
    /// Tests: the next COMMIT succeeds on the server, then the connection is dropped before its
    /// reply is read (the case `PGCommitUnknown` covers).
    var dropAfterNextCommit = false

    /// How long an interactive session (the app's own connection) waits for any one answer from
    /// the server: a server that stops answering without closing (a cable pulled, a host frozen)
    /// would otherwise hold the screen until TCP gives up, minutes later. When it passes, the
    /// connection is closed and the call fails as a lost connection (a write stays queued); from
    /// then on only the background reviver connects, so the screen never waits for a connect.
    /// nil (commands, imports, background loads): as long as it takes.
    let deadline: TimeInterval?

    init(_ address: PostgresAddress, deadline: TimeInterval? = nil) throws {
        self.address = address
        self.deadline = deadline
        _ = try open()
    }

    deinit { _ = try? connection?.close().wait() }

    func close() {
        lock.lock(); defer { lock.unlock() }
        _ = try? connection?.close().wait()
        connection = nil
    }

    private func configuration() throws -> PostgresConnection.Configuration {
        var config: PostgresConnection.Configuration
        if let dir = address.socketDirectory {
            config = .init(unixSocketPath: dir + "/.s.PGSQL.\(address.port)", username: address.user, password: address.password,
                           database: address.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch address.sslMode {
            case "disable", "allow": tls = .disable
            default:
                var t = TLSConfiguration.makeClientConfiguration()
                if address.sslMode != "verify-full" && address.sslMode != "verify-ca" { t.certificateVerification = .none }
                let context = try NIOSSLContext(configuration: t)
                tls = address.sslMode == "prefer" ? .prefer(context) : .require(context)
            }
            config = .init(host: address.host, port: address.port, username: address.user, password: address.password,
                           database: address.database, tls: tls)
        }
        config.options.connectTimeout = .seconds(5)
        return config
    }

    private func open() throws -> PostgresConnection {
        if let c = connection, !c.isClosed { return c }
        connection = nil
        // After a failure: within a second, the same error at once; an interactive session leaves
        // every further connect to the reviver (`reviveIfClosed`, on another thread).
        if let f = lastFailure, deadline != nil || Date().timeIntervalSince(f.at) < Self.retryPause { throw f.error }
        let c: PostgresConnection
        do {
            c = try connect()
        } catch {
            if let e = error as? StoreError { lastFailure = (Date(), e) }
            throw error
        }
        return try install(c)
    }

    /// A new connection (no state of this object touched: the reviver calls it without the lock).
    private func connect() throws -> PostgresConnection {
        do {
            let connecting = PostgresConnection.connect(on: Self.group.next(), configuration: try configuration(), id: nextID, logger: Self.logger)
            return try Self.wait(connecting, deadline: deadline) { $0.whenSuccess { Self.closeLater($0) } }
        } catch {
            throw StoreError.cannotOpen(address.display, Self.why(error, address: address))
        }
    }

    /// Makes `c` this object's connection: its backend pid, and LISTEN when someone listens.
    private func install(_ c: PostgresConnection) throws -> PostgresConnection {
        let reconnected = nextID > 1
        lastFailure = nil
        nextID += 1
        connection = c
        let pid = try run(c, "SELECT pg_backend_pid()::bigint", []).rows.first.map { PGRow($0).int64(0) } ?? 0
        backendPID = pid
        try subscribe(c, reconnected: reconnected)
        return c
    }

    /// LISTEN on this connection, when someone listens; after a reconnect, one notice at once:
    /// what others committed while this session was away sent none it could hear.
    private func subscribe(_ c: PostgresConnection, reconnected: Bool) throws {
        guard let notify = onNotify else { return }
        let pid = backendPID
        c.addListener(channel: "workbench_changes") { _, message in
            if Int64(message.backendPID) != pid { notify() }
        }
        _ = try run(c, "LISTEN workbench_changes", [])
        if reconnected { notify() }
    }

    private var reviving = false

    /// A listening connection the server closed while nobody used it (a restart) would hear no
    /// more notices until the session's next call: opened again here, on another thread, at most
    /// once per `retryPause` (the reopen sends the catch-up notice). Never waits: skipped while
    /// a call is under way.
    func reviveIfClosed() {
        guard lock.try() else { return }
        let closed = connection?.isClosed ?? true
        let due = lastFailure.map { Date().timeIntervalSince($0.at) >= Self.retryPause } ?? true
        let go = closed && due && !reviving && onNotify != nil && inTransaction == 0
        if go { reviving = true }
        lock.unlock()
        guard go else { return }
        DispatchQueue.global().async { [self] in
            // The connect outside the lock: the screen's calls meanwhile fail at once instead of
            // waiting for it (a server that does not answer takes the whole deadline).
            let fresh: PostgresConnection
            do {
                fresh = try connect()
            } catch {
                lock.lock()
                if let e = error as? StoreError { lastFailure = (Date(), e) }
                reviving = false
                lock.unlock()
                return
            }
            lock.lock()
            defer { reviving = false; lock.unlock() }
            if let c = connection, !c.isClosed {
                Self.closeLater(fresh)
                return
            }
            _ = try? install(fresh)
        }
    }

    /// Starts listening (again after a reconnect) for other sessions' changes.
    func listen(_ notify: @escaping @Sendable () -> Void) throws {
        lock.lock(); defer { lock.unlock() }
        onNotify = notify
        // On the open connection: closing it first would, for a moment, hold two of the
        // server's connection slots (the old backend exits after the new one arrives).
        if let c = connection, !c.isClosed { try subscribe(c, reconnected: false) } else { _ = try open() }
    }

    /// One line for a person: host, port and why, never the password.
    static func why(_ error: Error, address: PostgresAddress) -> String {
        let place = address.socketDirectory.map { "\($0) 端口 \(address.port)" } ?? "\(address.host):\(address.port)"
        if let e = error as? PSQLError {
            if let info = e.serverInfo, let msg = info[.message] {
                let state = info[.sqlState] ?? ""
                if state == "28P01" || state == "28000" { return "\(place) 拒绝登录 \(address.user)：\(msg) (authentication failed)" }
                if state == "3D000" { return "\(place) 上没有数据库 \(address.database) (no such database)" }
                if state == "53300" { return "\(place) 连接数已满：\(msg) (the server's connection limit is reached)" }
                return "\(place)：\(msg)"
            }
            if e.code == .authMechanismRequiresPassword {
                return "\(place) 要求密码：请设置 PGPASSWORD 或 ~/.pgpass (the server wants a password)"
            }
            if let u = e.underlying { return "无法连接 \(place)：\(Self.plain(u)) (cannot connect)" }
            return "无法连接 \(place)：\(e.code) (cannot connect)"
        }
        return "无法连接 \(place)：\(Self.plain(error)) (cannot connect)"
    }

    static func plain(_ error: Error) -> String {
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)) }
        if error is ChannelError { return "连接超时或被关闭 (timed out or closed)" }
        let s = String(describing: error)
        if s.contains("connectTimeout") || s.contains("connectTimeout") { return "连接超时 (timed out)" }
        if s.contains("connectionRefused") || s.contains("Connection refused") { return "连接被拒绝，服务器没有在运行？(connection refused: is the server running?)" }
        return s.count > 160 ? String(s.prefix(160)) + "…" : s
    }

    /// `?` placeholders (outside quotes) as `$1`, `$2` …: the SQL reads like the SQLite store's.
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quoted = false
        for ch in sql {
            if ch == "'" { quoted.toggle() }
            if ch == "?", !quoted {
                n += 1
                out += "$\(n)"
            } else {
                out.append(ch)
            }
        }
        return out
    }

    private func run(_ c: PostgresConnection, _ sql: String, _ args: PGArgs) throws -> PostgresQueryResult {
        var b = PostgresBindings(capacity: args.count)
        for a in args {
            if let a { a.bind(into: &b) } else { b.appendNull() }
        }
        do {
            return try Self.wait(c.query(PostgresQuery(unsafeSQL: Self.numbered(sql), binds: b), logger: Self.logger), deadline: deadline) { _ in
                Self.closeLater(c)
            }
        } catch let e as PGNoAnswer {
            // What an interactive session sees from now on, until the reviver is through.
            lastFailure = (Date(), StoreError.cannotOpen(address.display, "服务器 \(Int(e.seconds)) 秒没有应答 (no answer from the server)"))
            connection = nil
            throw e
        } catch {
            throw Self.serverError(error)
        }
    }

    /// Closes without waiting, holding the connection until it is closed (postgres-nio asserts
    /// that a connection is closed before it goes away).
    static func closeLater(_ c: PostgresConnection) {
        let closing: EventLoopFuture<Void> = c.close()
        closing.whenComplete { _ in withExtendedLifetime(c) {} }
    }

    /// A future's value, waited for at most `deadline` (nil: as long as it takes); past it,
    /// `abandon` gets the future (to close what it brings) and `PGNoAnswer` is thrown.
    static func wait<T>(_ future: EventLoopFuture<T>, deadline: TimeInterval?,
                        abandon: (EventLoopFuture<T>) -> Void) throws -> T {
        guard let deadline else { return try future.wait() }
        let done = DispatchSemaphore(value: 0)
        let box = PGResultBox<T>()
        future.whenComplete { r in
            box.result = r
            done.signal()
        }
        guard done.wait(timeout: .now() + deadline) == .success, let r = box.result else {
            abandon(future)
            throw PGNoAnswer(seconds: deadline)
        }
        return try r.get()
    }

    /// The server's own error (SQLSTATE and message) when it sent one, else the error as it came.
    private static func serverError(_ error: Error) -> Error {
        if let e = error as? PSQLError, let info = e.serverInfo, let state = info[.sqlState] {
            return PGServerError(state: state, message: info[.message] ?? "")
        }
        return error
    }

    /// Whether an error means the connection is gone (the server restarted, the network dropped).
    static func isConnectionLost(_ error: Error) -> Bool {
        if let e = error as? PSQLError {
            return e.code == .serverClosedConnection || e.code == .connectionError || e.code == .uncleanShutdown
                || e.code == .clientClosedConnection
        }
        if let e = error as? PGServerError { return e.state == "57P01" || e.state == "57P02" || e.state == "57P03" }
        return error is ChannelError || error is IOError || error is PGNoAnswer
    }

    /// Runs a statement; outside a transaction a lost connection is opened again and the statement
    /// tried once more (inside one, the transaction is lost: the caller's retry starts it again).
    func query(_ sql: String, _ args: PGArgs = []) throws -> [PGRow] {
        try result(sql, args).rows.map(PGRow.init)
    }

    @discardableResult
    func execute(_ sql: String, _ args: PGArgs = []) throws -> Int {
        try result(sql, args).metadata.rows ?? 0
    }

    private func result(_ sql: String, _ args: PGArgs) throws -> PostgresQueryResult {
        lock.lock(); defer { lock.unlock() }
        do {
            return try run(try open(), sql, args)
        } catch where inTransaction == 0 && Self.isConnectionLost(error) {
            connection = nil
            return try run(try open(), sql, args)
        }
    }

    /// BEGIN … COMMIT around `body` (ROLLBACK when it throws). A deadlock or serialization failure,
    /// or a connection lost before COMMIT was sent, runs the whole body again (up to 3 times); a
    /// connection lost while COMMIT was under way throws `PGCommitUnknown`.
    func transaction<T>(isolation: String? = nil, retry: Bool = true, _ body: () throws -> T) throws -> T {
        lock.lock(); defer { lock.unlock() }
        precondition(inTransaction == 0, "nested transaction")
        var attempt = 0
        while true {
            attempt += 1
            var committing = false
            do {
                inTransaction = 1
                defer { inTransaction = 0 }
                let c = try open()
                _ = try run(c, isolation.map { "BEGIN ISOLATION LEVEL \($0)" } ?? "BEGIN", [])
                let value: T
                do {
                    value = try body()
                } catch {
                    if !Self.isConnectionLost(error) { _ = try? run(c, "ROLLBACK", []) }
                    throw error
                }
                committing = true
                _ = try run(c, "COMMIT", [])
                if dropAfterNextCommit {
                    dropAfterNextCommit = false
                    _ = try? c.close().wait()
                    connection = nil
                    throw PGCommitUnknown()
                }
                return value
            } catch let e as PGServerError where retry && (e.state == "40P01" || e.state == "40001") && attempt < 3 {
                continue
            } catch where Self.isConnectionLost(error) {
                connection = nil
                if committing { throw PGCommitUnknown() }
                // Lost before COMMIT was sent: the server rolled the transaction back.
                guard retry, attempt < 3 else { throw error }
                continue
            }
        }
    }

    /// Several statements, one after another (the extended protocol takes one at a time): split
    /// at `;` outside quotes, `$$` bodies and `--` comments.
    func script(_ sql: String) throws {
        for statement in Self.statements(sql) { try execute(statement) }
    }

    static func statements(_ sql: String) -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false, dollar = false, comment = false
        let chars = Array(sql)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if comment {
                if ch == "\n" { comment = false; cur.append(ch) }
                i += 1
                continue
            }
            if !quoted, !dollar, ch == "-", i + 1 < chars.count, chars[i + 1] == "-" { comment = true; i += 2; continue }
            if !dollar, ch == "'" { quoted.toggle() }
            if !quoted, ch == "$", i + 1 < chars.count, chars[i + 1] == "$" { dollar.toggle(); cur += "$$"; i += 2; continue }
            if ch == ";", !quoted, !dollar {
                let t = cur.trimmingCharacters(in: .whitespacesAndNewlines)
                if !t.isEmpty { out.append(t) }
                cur = ""
            } else {
                cur.append(ch)
            }
            i += 1
        }
        let t = cur.trimmingCharacters(in: .whitespacesAndNewlines)
        if !t.isEmpty { out.append(t) }
        return out
    }

    /// `COPY table (columns) FROM STDIN` with rows already in COPY's text format (`PGCopyRows`).
    /// postgres-nio offers COPY only as `async`; this thread waits for it like for the other calls.
    func copy(into table: String, columns: [String], rows: PGCopyRows) throws {
        lock.lock(); defer { lock.unlock() }
        let c = try open()
        let outcome = PGOutcome()
        let done = DispatchSemaphore(value: 0)
        let data = rows.buffer
        // On a queue of its own, not the shared pool: callers that block a pool thread (a test on
        // a 2-core machine, where the pool has 2 threads) would otherwise wait for themselves.
        Task(executorPreference: PGCopyExecutor.shared) {
            do {
                try await c.copyFrom(table: table, columns: columns, logger: Self.logger) { writer in try await writer.write(data) }
            } catch {
                outcome.error = error
            }
            done.signal()
        }
        done.wait()
        if let e = outcome.error { throw Self.serverError(e) }
    }

    /// Asks the server to stop what this connection is running (from another thread).
    func cancel() {
        let pid = backendPID
        guard pid != 0, let other = try? PGConnection(address) else { return }
        _ = try? other.query("SELECT pg_cancel_backend(?)", [pid])
        other.close()
    }
}

private final class PGOutcome: @unchecked Sendable {
    var error: Error?
}

/// Rows for `PGConnection.copy` in COPY's text format: fields by tab, rows by newline, `\N` for
/// NULL, backslash, tab, newline and carriage return escaped. (U+0000 cannot be stored in a
/// server text; the importer refuses such rows before they get here.)
struct PGCopyRows {
    // Bytes in an array, one ByteBuffer at the end: ByteBuffer's per-byte writes were 6% of a
    // debug import by themselves.
    private(set) var bytes: [UInt8] = []
    private var first = true
    private(set) var count = 0

    var buffer: ByteBuffer { ByteBuffer(bytes: bytes) }

    private mutating func separate() {
        if !first { bytes.append(0x09) }
        first = false
    }

    mutating func add(_ s: String?) {
        separate()
        guard let s else { bytes.append(0x5C); bytes.append(UInt8(ascii: "N")); return }
        var plain = true
        for b in s.utf8 where b == 0x5C || b == 0x0A || b == 0x0D || b == 0x09 { plain = false; break }
        if plain { bytes.append(contentsOf: s.utf8); return }
        for b in s.utf8 {
            switch b {
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
            default: bytes.append(b)
            }
        }
    }

    mutating func add(_ i: Int64?) {
        guard let i else { add(nil as String?); return }
        separate()
        bytes.append(contentsOf: String(i).utf8)
    }

    mutating func add(_ i: Int?) { add(i.map(Int64.init)) }
    mutating func add(_ b: Bool?) { add(b.map { Int64($0 ? 1 : 0) }) }

    mutating func endRow() {
        bytes.append(0x0A)
        first = true
        count += 1
    }
}

/// The executor COPY's `async` call runs on: a serial queue, so it never needs a thread of the
/// cooperative pool that the synchronous caller may be blocking.
private final class PGCopyExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = PGCopyExecutor()
    private let queue = DispatchQueue(label: "workbench.postgres.copy")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let me = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: me) }
    }
}
