import Foundation
import GRDBSQLite
import Model

/// The bench's import part beside the sqlite3 shell, in one run (issue: records committed
/// ≤ 1.25× `sqlite3 .import`, the whole command ≤ 0.6× `.import` + SQLite's own FTS5 trigram
/// build, ≤ 100 MB resident, a database ≤ 2.0× the CSV).
enum BenchImport {
    /// What the generated file holds: rows, distinct questions and answers, mean lengths (not timed).
    static func describe(csv: String, bytes: Int) throws {
        let reader = try CSVLogReader(source: try FileByteSource(path: csv), file: csv)
        var questions = Set<Int>(), answers = Set<Int>()
        var n = 0, qChars = 0, aChars = 0
        while let row = try reader.next() {
            guard case .row(let raw, _) = row else { continue }
            let q = raw[.question] ?? "", a = raw[.answer] ?? ""
            questions.insert(q.hashValue)
            answers.insert(a.hashValue)
            qChars += q.unicodeScalars.count
            aChars += a.unicodeScalars.count
            n += 1
        }
        let m = Double(max(1, n))
        print(String(format: "file: %d rows, %.0f MB; distinct answers %d (%.1f%%), distinct questions %d (%.1f%%); mean question %.1f, answer %.0f characters",
                     n, Double(bytes) / 1e6, answers.count, Double(answers.count) * 100 / m,
                     questions.count, Double(questions.count) * 100 / m, Double(qChars) / m, Double(aChars) / m))
    }

    /// The sqlite3 shell, workbench import in a child process with a poller beside it, and the
    /// figures against each other.
    static func run(_ bench: BenchCommand, csv: String, bytes: Int, rows: Int, dbPath: String, workDir: String) throws {
        let fm = FileManager.default
        var shell: (importSeconds: Double, ftsSeconds: Double, rows: Int, importBytes: Int, ftsBytes: Int)?
        if let sqlite3 = findSQLite3() {
            let shellDB = (workDir as NSString).appendingPathComponent("bench-sqlite3.db")
            func remove() { for s in ["", "-journal", "-wal", "-shm"] { try? fm.removeItem(atPath: shellDB + s) } }
            remove()
            defer { if !bench.keep { remove() } }
            // A table with the CSV's columns, then `.import` of the same file (the shell's
            // defaults: rollback journal, one transaction, committed when it returns).
            let columns = RealisticGenerator.header.map { "\($0.jsonKey) TEXT" }.joined(separator: ", ")
            sync()
            let tImport = try runShell(sqlite3, shellDB, ["CREATE TABLE imported(\(columns));", ".import --csv --skip 1 \"\(csv)\" imported"])
            let imported = Int(try shellOutput(sqlite3, shellDB, "SELECT count(*) FROM imported;").trimmed) ?? 0
            let importBytes = fileBytes(shellDB)
            sync()
            let tFTS = try runShell(sqlite3, shellDB, [
                "CREATE VIRTUAL TABLE t USING fts5(question, answer, tokenize='trigram');",
                "INSERT INTO t SELECT question, answer FROM imported;",
            ])
            shell = (tImport, tFTS, imported, importBytes, fileBytes(shellDB))
            print(String(format: "sqlite3 shell (%@): .import --csv %d rows in %.2f s, database %.0f MB (%.2f× CSV); FTS5 trigram over question, answer %.2f s, database then %.0f MB (%.2f× CSV)",
                         sqliteVersion(sqlite3), imported, tImport, Double(importBytes) / 1e6, Double(importBytes) / Double(max(1, bytes)),
                         tFTS, Double(shell!.ftsBytes) / 1e6, Double(shell!.ftsBytes) / Double(max(1, bytes))))
        } else {
            print("sqlite3: 未安装 sqlite3 命令，跳过对照比值 (the sqlite3 shell is not installed: no ratios against it; apt-get install sqlite3)")
        }

        // workbench import in a child process (its peak RSS its own), with this process polling
        // the database read-only for when the records are committed and countable.
        for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: dbPath + suffix) }
        sync()
        let poller = CommitPoller(path: dbPath, target: rows)
        let (seconds, rssKB, output) = try bench.runChild(["import", csv, "--db", dbPath]) { poller.start(at: $0) }
        poller.stop()
        print(output.trimmed)
        let dbBytes = ["", "-wal", "-shm"].map { fileBytes(dbPath + $0) }.reduce(0, +)
        print(String(format: "import: %d rows, %.0f MB in %.2f s = %.0f rows/s, %.1f MB/s; peak RSS %.1f MB (target ≤ 100 MB)",
                     rows, Double(bytes) / 1e6, seconds, Double(rows) / seconds, Double(bytes) / 1e6 / seconds, Double(rssKB) / 1024))
        let ownIndex = output.split(separator: "\n").first { $0.contains("text index built in") }
            .flatMap { line in line.range(of: "用时 ").flatMap { Double(line[$0.upperBound...].prefix { "0123456789.".contains($0) }) } }
        // Seen after the command ended (a small file): committed by its end.
        let committed = poller.committedAt.map { min($0, seconds) }
        if let committed {
            let indexNote = ownIndex.map { String(format: "; the importer's own line: %.1f s", $0) } ?? ""
            print(String(format: "import: records committed and countable (%d) at %.2f s (polled every 0.1 s), text index and the rest %.2f s%@",
                         poller.lastCount, committed, seconds - committed, indexNote))
        } else {
            print("import: 轮询未见全部记录提交（见到 \(poller.lastCount) 条，\(poller.polls) 次，\(poller.busy) 次忙）(the poll never saw all \(rows) records committed: saw \(poller.lastCount))")
        }
        if let s = shell {
            if s.rows != rows { print("sqlite3 shell: 导入 \(s.rows) 行，文件有 \(rows) 行 (the shell imported \(s.rows) rows of \(rows))") }
            if let committed {
                print(String(format: "records committed %.2f s vs sqlite3 .import %.2f s = %.2f× (target ≤ 1.25×, goal 0.7×)",
                             committed, s.importSeconds, committed / s.importSeconds))
            }
            print(String(format: "whole import command %.2f s vs sqlite3 .import + FTS5 trigram %.2f s = %.2f× (target ≤ 0.6×, goal 0.5×)",
                         seconds, s.importSeconds + s.ftsSeconds, seconds / (s.importSeconds + s.ftsSeconds)))
        }
        print(String(format: "database %.0f MB with -wal = %.2f× CSV (target ≤ 2.0×)%@; peak RSS %.1f MB (target ≤ 100 MB)",
                     Double(dbBytes) / 1e6, Double(dbBytes) / Double(max(1, bytes)),
                     shell.map { String(format: "; sqlite3 shell's %.0f MB with FTS5 (%.2f× CSV)", Double($0.ftsBytes) / 1e6, Double($0.ftsBytes) / Double(max(1, bytes))) } ?? "",
                     Double(rssKB) / 1024))
    }

    static func fileBytes(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    static func findSQLite3() -> String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return dirs.map { "\($0)/sqlite3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func sqliteVersion(_ sqlite3: String) -> String {
        let v = (try? shellOutput(sqlite3, ":memory:", "SELECT sqlite_version();"))?.trimmed ?? ""
        return v.isEmpty ? "sqlite3" : "sqlite3 \(v)"
    }

    /// Runs the shell on `db` with `commands` as its input (stopping at the first error); wall seconds.
    static func runShell(_ sqlite3: String, _ db: String, _ commands: [String]) throws -> Double {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite3)
        p.arguments = ["-bail", db]
        let input = Pipe(), errors = Pipe()
        p.standardInput = input
        p.standardError = errors
        fflush(nil)
        let t0 = Date()
        try p.run()
        input.fileHandleForWriting.write(Data((commands.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(t0)
        guard p.terminationStatus == 0 else {
            throw UserError("bench: sqlite3 failed (status \(p.terminationStatus)): \(String(decoding: err, as: UTF8.self).trimmed)")
        }
        return seconds
    }

    static func shellOutput(_ sqlite3: String, _ db: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite3)
        p.arguments = [db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Polls a database every 0.1 s from this process, read-only and never waiting on a lock, for the
/// moment `count(*) FROM record` reaches `target`. Each poll opens and closes its own connection:
/// one held open would keep the importer from switching to its rollback journal. A cheap
/// `max(seq)` first; the count only once that reaches the target.
final class CommitPoller: @unchecked Sendable {
    let path: String
    let target: Int
    private let lock = NSLock()
    private var started = Date()
    private var stopping = false
    private var _committedAt: Double?
    private(set) var lastCount = 0
    private(set) var polls = 0
    private(set) var busy = 0
    private let done = DispatchSemaphore(value: 0)

    init(path: String, target: Int) {
        self.path = path
        self.target = target
    }

    var committedAt: Double? { lock.withLock { _committedAt } }

    func start(at t0: Date) {
        started = t0
        let thread = Thread { [self] in
            // One more poll after `stop`: a small import may end before the first one.
            while true {
                let last = lock.withLock { stopping }
                if poll() || last { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            done.signal()
        }
        thread.start()
    }

    func stop() {
        lock.withLock { stopping = true }
        done.wait()
    }

    /// One poll; true once the records are all there.
    private func poll() -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        polls += 1
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { busy += 1; return false }
        sqlite3_busy_timeout(db, 0)
        guard let top = scalar(db, "SELECT max(seq) FROM record") else { busy += 1; return false }
        guard top >= target else { lastCount = top; return false }
        guard let n = scalar(db, "SELECT count(*) FROM record") else { busy += 1; return false }
        lastCount = n
        guard n >= target else { return false }
        let at = Date().timeIntervalSince(started)
        lock.withLock { _committedAt = at }
        return true
    }

    private func scalar(_ db: OpaquePointer?, _ sql: String) -> Int? {
        var stmt: OpaquePointer?
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, sqlite3_step(stmt) == SQLITE_ROW else { return nil }
        return Int(sqlite3_column_int64(stmt, 0))
    }
}
