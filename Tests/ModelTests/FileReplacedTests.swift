import Foundation
import GRDB
import Testing
@testable import Model

/// Issue 36, part A: no label into the void. A file renamed over the open database is found
/// before the next write, which is refused; `db restore` puts a backup back through SQLite.
@Suite struct FileReplacedTests {
    let d1 = ShanghaiTime.parseDay("2025-12-01")!

    func record(_ id: String, org: String = "如皋市") -> InteractionRecord {
        InteractionRecord(id: id, askedAt: d1 + 3600 * 9, org: org, question: "问题\(id)", answer: "回答", biz1: "养老保险", biz2: "其他")
    }

    /// A database at `path` with records `ids`, closed again.
    func database(_ path: String, _ ids: [String]) throws {
        let s = try SQLiteRecordStore(path: path)
        try s.importBatch(expectedRows: nil) { sink in for id in ids { _ = try sink.insert(record(id)) } }
    }

    /// What a file holds, read by a fresh connection: integrity, the record ids, labels and
    /// history rows.
    func contents(_ path: String) throws -> (integrity: [String], ids: [String], labelled: Int, history: Int) {
        let q = try DatabaseQueue(path: path)
        defer { try? q.close() }
        return try q.read { db in
            (try String.fetchAll(db, sql: "PRAGMA integrity_check"),
             try String.fetchAll(db, sql: "SELECT id FROM record ORDER BY id"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE label IS NOT NULL") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM label_history") ?? 0)
        }
    }

    @Test func aWriteAfterAnotherFileIsRenamedOverTheDatabaseIsRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), copy = dir.path("copy.sqlite")
        try database(copy, ["c1", "c2"])
        var session: SQLiteRecordStore? = try SQLiteRecordStore(path: path)
        try session!.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("old1")) }
        try session!.setLabel(.correct, recordId: "old1", reviewer: "李娜", at: 1, others: .overwrite)
        // A quiet spell: the screen's poll folds the WAL back (a second after the last write).
        session!.walRestAfter = 0
        _ = try session!.changeCounter()
        #expect(session!.walPending == false)
        #expect((try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) == 0)
        #expect(session!.replaced == nil)

        // The way a user restores a copy: renamed over the open file.
        #expect(rename(copy, path) == 0)
        #expect(throws: StoreError.replaced(path, StoreError.replacedText)) {
            try session!.setLabel(.missingKnowledge, recordId: "old1", reviewer: "李娜", at: 2, others: .overwrite)
        }
        #expect(session!.replaced == StoreError.replacedText)
        #expect(session!.readOnly == StoreError.replacedText)
        // Every later write too, whatever it is.
        #expect(throws: StoreError.replaced(path, StoreError.replacedText)) {
            try session!.setNote("备注", recordId: "old1", reviewer: "李娜", at: 3)
        }
        #expect(throws: StoreError.replaced(path, StoreError.replacedText)) {
            try session!.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("old2")) }
        }
        let message = StoreError.replaced(path, StoreError.replacedText).description
        #expect(message.contains("数据库文件已被替换（另一个文件改名覆盖了它）"))
        #expect(message.contains("请退出后重新打开"))
        #expect(message.contains("workbench db restore"))
        #expect(message.contains("replaced by another file renamed over it"))
        #expect(!message.contains("\n"))
        // Reading goes on (from the file it opened).
        #expect(try session!.record(id: "old1")?.label == .correct)
        session = nil

        // The new file: sound, its own records, none of the old session's labels or history.
        let after = try contents(path)
        #expect(after.integrity == ["ok"])
        #expect(after.ids == ["c1", "c2"])
        #expect(after.labelled == 0)
        #expect(after.history == 0)
    }

    @Test func theScreensPollSeesTheReplacementBeforeAnyWrite() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), copy = dir.path("copy.sqlite")
        try database(copy, ["c1"])
        let session = try SQLiteRecordStore(path: path)
        _ = try session.changeCounter()
        #expect(session.readOnly == nil)
        #expect(rename(copy, path) == 0)
        _ = try session.changeCounter()
        #expect(session.replaced == StoreError.replacedText)
        #expect(session.readOnly != nil)
    }

    @Test func theWALIsLeftAloneWhenAnotherConnectionWroteSinceTheLastPoll() throws {
        // Someone else committed after the last poll: their frames may be the new file's, so the
        // session that finds the rename does not fold the WAL into its old file.
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), copy = dir.path("copy.sqlite")
        try database(copy, ["c1"])
        let session = try SQLiteRecordStore(path: path)
        session.walRestAfter = 1000
        try session.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("a")) }
        _ = try session.changeCounter()
        let other = try SQLiteRecordStore(path: path)
        try other.setLabel(.correct, recordId: "a", reviewer: "王强", at: 1, others: .overwrite)
        #expect(rename(copy, path) == 0)
        _ = try session.changeCounter()
        #expect(session.replaced == StoreError.replacedText)
        #expect(((try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0) > 0)
    }

    @Test func aDatabaseMovedAwayOrDeletedIsSaidSo() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite")
        let session = try SQLiteRecordStore(path: path)
        try session.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("a")) }
        #expect(rename(path, dir.path("elsewhere.sqlite")) == 0)
        #expect(throws: StoreError.replaced(path, StoreError.movedText)) {
            try session.setLabel(.correct, recordId: "a", reviewer: "李娜", at: 1, others: .overwrite)
        }
    }

    @Test func anotherStoreOpenedAfterTheRenameWritesTheNewFile() throws {
        // Only the session that opened the old file is stopped; one opened since writes as usual.
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), copy = dir.path("copy.sqlite")
        try database(copy, ["c1"])
        let old = try SQLiteRecordStore(path: path)
        try old.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("o1")) }
        try old.setLabel(.correct, recordId: "o1", reviewer: "李娜", at: 1, others: .overwrite)
        old.walRestAfter = 0
        _ = try old.changeCounter()
        #expect(rename(copy, path) == 0)
        let fresh = try SQLiteRecordStore(path: path)
        #expect(try fresh.record(id: "o1") == nil)
        try fresh.setLabel(.correct, recordId: "c1", reviewer: "王强", at: 1, others: .overwrite)
        #expect(fresh.replaced == nil)
        #expect(try fresh.record(id: "c1")?.label == .correct)
        #expect(throws: StoreError.replaced(path, StoreError.replacedText)) {
            try old.setLabel(.missingKnowledge, recordId: "o1", reviewer: "李娜", at: 2, others: .overwrite)
        }
    }

    // MARK: db restore

    @Test func restoreIntoAClosedDatabaseKeepsWhatItReplaced() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), backup = dir.path("backup.sqlite")
        do {
            let s = try SQLiteRecordStore(path: path)
            try s.importBatch(expectedRows: nil) { sink in for id in ["a", "b"] { _ = try sink.insert(record(id)) } }
            try s.setLabel(.correct, recordId: "a", reviewer: "李娜", at: 1, others: .overwrite)
            try s.backup(to: backup)
            // Work after the backup: what a restore takes away, kept beside it.
            try s.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("c")) }
            try s.setLabel(.missingKnowledge, recordId: "b", reviewer: "李娜", at: 2, others: .overwrite)
        }
        let now = Date(timeIntervalSince1970: 1_767_767_415)  // 2026-01-07 14:30:15 in Shanghai
        let outcome = try DatabaseRestore.restore(backup: backup, into: path, now: now)
        #expect(outcome.records == 2)
        #expect(outcome.keptAs == path + ".before-restore-20260107-143015")
        #expect(!outcome.created)
        let restored = try contents(path)
        #expect(restored.integrity == ["ok"])
        #expect(restored.ids == ["a", "b"])
        #expect(restored.labelled == 1)
        let kept = try contents(outcome.keptAs!)
        #expect(kept.integrity == ["ok"])
        #expect(kept.ids == ["a", "b", "c"])
        #expect(kept.labelled == 2)
        // The restored file is an ordinary working database again (WAL, writable).
        do {
            let s = try SQLiteRecordStore(path: path)
            try s.setLabel(.outOfScope, recordId: "b", reviewer: "王强", at: 3, others: .overwrite)
            let mode = try s.dbQueue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
        }
        // The backup itself is untouched, with nothing left beside it.
        #expect(try contents(backup).ids == ["a", "b"])
        #expect(!FileManager.default.fileExists(atPath: backup + "-shm"))
        // A second restore in the same second keeps its own copy.
        let again = try DatabaseRestore.restore(backup: backup, into: path, now: now)
        #expect(again.keptAs == path + ".before-restore-20260107-143015-2")
        let none = try DatabaseRestore.restore(backup: backup, into: path, keep: false, now: now)
        #expect(none.keptAs == nil)
    }

    @Test func restoreIsRefusedWhileAnotherSessionHasTheDatabaseOpen() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite"), backup = dir.path("backup.sqlite")
        try database(backup, ["x"])
        let app = try SQLiteRecordStore(path: path)
        try app.importBatch(expectedRows: nil) { sink in _ = try sink.insert(record("a")) }
        _ = try app.changeCounter()
        do {
            _ = try DatabaseRestore.restore(backup: backup, into: path, busyTimeout: 0.2)
            Issue.record("restored under an open session")
        } catch let e as DatabaseRestore.Failure {
            #expect(e.message.contains("正被其他进程打开"))
            #expect(e.message.contains("nothing changed"))
        }
        // Nothing changed: no copy made, the session goes on labelling its own file, in WAL.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("before-restore") }
        #expect(leftovers.isEmpty)
        try app.setLabel(.correct, recordId: "a", reviewer: "李娜", at: 1, others: .overwrite)
        #expect(app.replaced == nil)
        #expect(try app.dbQueue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try app.record(id: "a")?.label == .correct)
    }

    @Test func restoreChecksTheBackupFirst() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("live.sqlite")
        try database(path, ["a"])
        func refused(_ backup: String, _ words: String) {
            do {
                _ = try DatabaseRestore.restore(backup: backup, into: path)
                Issue.record("restored from \(backup)")
            } catch {
                #expect("\(error)".contains(words), "\(error)")
            }
        }
        refused(dir.path("missing.sqlite"), "没有备份文件")
        refused(path, "就是数据库文件本身")
        // Not SQLite at all; SQLite but not Workbench's; from a newer Workbench; damaged.
        refused(dir.write("text.sqlite", "not a database"), "无法作为数据库打开")
        let other = dir.path("other.sqlite")
        try DatabaseQueue(path: other).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        refused(other, "不是 Workbench 数据库")
        let newer = dir.path("newer.sqlite")
        try database(newer, ["n"])
        try DatabaseQueue(path: newer).write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')") }
        refused(newer, "更新版本")
        let damaged = dir.path("damaged.sqlite")
        try database(damaged, (0..<400).map { "r\($0)" })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        for i in 3 * 8192..<(3 * 8192 + 4000) { bytes[i] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        refused(damaged, "已损坏")
        // The database is as it was, and no copy was made.
        #expect(try contents(path).ids == ["a"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.contains("before-restore") }
        #expect(leftovers.isEmpty)
    }

    @Test func restoreToAPathWithNoDatabaseMakesOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let backup = dir.path("backup.sqlite"), path = dir.path("sub/new.sqlite")
        try database(backup, ["a", "b", "c"])
        let outcome = try DatabaseRestore.restore(backup: backup, into: path)
        #expect(outcome.created)
        #expect(outcome.keptAs == nil)
        #expect(outcome.records == 3)
        #expect(try contents(path).integrity == ["ok"])
    }
}
