import Foundation
import GRDB

/// `workbench db restore BACKUP --db PATH`: puts a backup's content into the database file in a
/// way that cannot meet an open session's WAL (issue 36).
///
/// Renaming a copy over the file while a reviewer's app has it open leaves that app writing into
/// the unlinked file, and the app's -wal and -shm (found by name) are then taken as the new
/// file's: its labels are lost and the new file reads as damaged. Here instead:
/// 1. the backup is checked first (SQLite's full integrity check, a Workbench schema this build
///    knows) — a bad backup changes nothing;
/// 2. the live file is opened through an ordinary SQLite connection that takes it for itself
///    (`locking_mode = EXCLUSIVE`, then `journal_mode = DELETE`, which SQLite grants only while no
///    other connection has the file open — every Workbench session holds it open in WAL mode):
///    if anyone has it open, nothing is changed and the user is told to have everyone quit;
/// 3. the replaced content is copied to `PATH.before-restore-<time>` (unless `keep` is false)
///    while the lock is held, so the copy is whole;
/// 4. the backup is written into the same file through that connection (SQLite's backup API: the
///    same inode, no rename), committed, the lock let go; then the file is opened as a store
///    (migrated if the backup is from an older Workbench, WAL set again) and checked.
public enum DatabaseRestore {
    public struct Outcome: Sendable, Equatable {
        /// Records in the restored database.
        public let records: Int
        /// Where the replaced content was kept (nil: nothing was there, or `keep` was false).
        public let keptAs: String?
        /// No database was at the path: the backup made a new one.
        public let created: Bool
    }

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let message: String
        public var description: String { message }
    }

    /// Suffix of the copy of what a restore replaced: `PATH.before-restore-20260107-143015`.
    public static func keptName(_ path: String, at date: Date) -> String {
        let c = ShanghaiTime.civil(Int64(date.timeIntervalSince1970))
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02d", c.year, c.month, c.day, c.hour, c.minute, c.second)
        var name = "\(path).before-restore-\(stamp)"
        var n = 2
        while FileManager.default.fileExists(atPath: name) {
            name = "\(path).before-restore-\(stamp)-\(n)"
            n += 1
        }
        return name
    }

    public static func restore(backup: String, into path: String, keep: Bool = true, now: Date = Date(),
                               busyTimeout: TimeInterval = 2) throws -> Outcome {
        let fm = FileManager.default
        guard fm.fileExists(atPath: backup) else { throw Failure(message: "没有备份文件 \(backup) (no such backup file)") }
        if sameFile(backup, path) {
            throw Failure(message: "备份 \(backup) 就是数据库文件本身，未做任何修改 (the backup is the database file itself: nothing changed)")
        }
        _ = try verify(backup: backup)

        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !fm.fileExists(atPath: dir) {
            try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let size = (try? fm.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        let created = size == nil
        if created, !fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) {
            throw Failure(message: "无法建立数据库文件 \(path) (cannot create the file)")
        }

        var config = Configuration()
        config.busyMode = .callback(SQLiteRecordStore.busyWaiter(timeout: busyTimeout))
        let live: DatabaseQueue
        do {
            live = try DatabaseQueue(path: path, configuration: config)
        } catch let e as DatabaseError {
            throw unreadable(path, e)
        }
        var keptAs: String?
        do {
            try live.writeWithoutTransaction { db in
                // Ours alone, or nothing is done: SQLite leaves WAL mode only when no other
                // connection (in this process or another) has the file open.
                try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
                let mode: String?
                do {
                    mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
                } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                    mode = nil
                }
                guard mode?.lowercased() == "delete" else { throw inUse(path) }
                // The exclusive lock, held until the connection closes (exclusive locking mode).
                do {
                    try db.execute(sql: "BEGIN EXCLUSIVE; COMMIT")
                } catch let e as DatabaseError where e.resultCode == .SQLITE_BUSY || e.resultCode == .SQLITE_LOCKED {
                    throw inUse(path)
                }
                // The whole file now (no WAL, no other writer): copied as it is.
                if keep, (size ?? 0) > 0 {
                    let name = keptName(path, at: now)
                    try fm.copyItem(atPath: path, toPath: name)
                    try? fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: name)
                    keptAs = name
                }
                let source = try SQLiteRecordStore.openReadOnly(path: backup, busyTimeout: busyTimeout)
                try source.read { from in try from.backup(to: db) }
                try source.close()
            }
            try live.close()
        } catch let e as Failure {
            try? live.close()
            if created { try? fm.removeItem(atPath: path) }
            throw e
        } catch let e as DatabaseError {
            try? live.close()
            if created { try? fm.removeItem(atPath: path) }
            if e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB { throw unreadable(path, e) }
            throw Failure(message: "恢复未完成（\(e.message ?? "\(e)")）\(keptAs.map { "；原内容的副本在 \($0)" } ?? "") (the restore did not complete)")
        }
        // Opened as the app opens it: WAL set again, an older backup's schema migrated, checked.
        let store = try SQLiteRecordStore(path: path)
        if let problem = try store.checkIntegrity(thorough: false).first {
            throw Failure(message: "恢复后的数据库 \(path) 检查未通过：\(problem) (the restored database failed its check)")
        }
        let records = try store.totalCount()
        return Outcome(records: records, keptAs: keptAs, created: created)
    }

    /// The backup's record count, once it has passed SQLite's full integrity check and is a
    /// Workbench database this build can open.
    static func verify(backup: String) throws -> Int {
        let fm = FileManager.default
        let sideFiles = [backup + "-wal", backup + "-shm"]
        let had = sideFiles.map { fm.fileExists(atPath: $0) }
        defer {
            // What the read-only open began beside the backup goes again (a WAL file's reader needs them).
            for (file, existed) in zip(sideFiles, had) where !existed {
                let size = (try? fm.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
                if file.hasSuffix("-shm") || size == 0 { try? fm.removeItem(atPath: file) }
            }
        }
        let queue: DatabaseQueue
        do {
            queue = try SQLiteRecordStore.openReadOnly(path: backup, busyTimeout: 2)
        } catch let e as DatabaseError {
            throw Failure(message: "备份 \(backup) 无法作为数据库打开（\(e.message ?? "\(e)")），未做任何修改 (the backup cannot be opened: nothing changed)")
        }
        defer { try? queue.close() }
        do {
            let problems = try queue.read { try String.fetchAll($0, sql: "PRAGMA integrity_check(20)") }
            if problems != ["ok"] {
                throw Failure(message: "备份 \(backup) 已损坏（\(problems.first ?? "?")），未做任何修改 (the backup is damaged: nothing changed)")
            }
            let applied = try queue.read { try SQLiteSchema.migrator.appliedIdentifiers($0) }
            let isWorkbench = try queue.read { try $0.tableExists("record") && $0.tableExists("label_history") }
            guard !applied.isEmpty, isWorkbench else {
                throw Failure(message: "\(backup) 不是 Workbench 数据库，未做任何修改 (not a Workbench database: nothing changed)")
            }
            do {
                try SQLiteSchema.check(queue, path: backup)
            } catch let e as StoreError {
                throw Failure(message: "\(e)")
            }
            return try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM record") ?? 0 }
        } catch let e as DatabaseError {
            throw Failure(message: "备份 \(backup) 已损坏（\(e.message ?? "\(e)")），未做任何修改 (the backup is damaged: nothing changed)")
        }
    }

    static func inUse(_ path: String) -> Failure {
        Failure(message: "数据库 \(path) 正被其他进程打开（审核界面或其他 workbench 命令），恢复会与它们的写入冲突，未做任何修改；请所有人退出后再运行 (the database is open in another process: nothing changed; have everyone quit, then run it again)")
    }

    static func unreadable(_ path: String, _ e: DatabaseError) -> Failure {
        Failure(message: "数据库 \(path) 无法作为 SQLite 文件读取（\(e.message ?? "\(e)")），未做任何修改；先确认没有人在用，把它改名移开（mv \(path) \(path).damaged），再运行本命令 (the database file cannot be read as SQLite: move it aside, then restore)")
    }

    /// Whether two paths name one file (device and inode).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var sa = stat(), sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}
