import Foundation
@testable import Model
import Testing
@testable import Workbench

/// Issue 36 through the real binary, in its own process: `db restore` while a session in this
/// process has the database open (another process to the command), the new file after a rename
/// read by another process, and unregistered organisations in `orgs`, `list`, `report`, `export`.
@Suite(.serialized) struct NothingLostCLITests {
    static let log = """
        记录ID,提问时间,组织机构,用户问题,问答结果,业务类型
        1,2025-12-01 09:15:33,海门市,失业金怎么领,回答,失业保险/失业保险金申领
        2,2025-12-02 08:05:00,火星区,社保卡在哪办,回答,经办服务/网点信息
        3,2025-12-03 08:05:00,火星区,问一,答,经办服务/网点信息
        4,2025-12-03 09:05:00,水星镇,问二,答,经办服务/网点信息
        5,2025-12-03 10:05:00,如皋市,问三,答,经办服务/网点信息

        """

    @Test func restoreIsRefusedWhileAnAppHasTheFileOpenAndWorksOnceItIsClosed() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let backup = cli.dir.appendingPathComponent("backup.sqlite").path
        #expect(try cli.run(["import", cli.file("log.csv", Self.log), "--db", cli.db]).status == 0)
        #expect(try cli.run(["db", "backup", backup, "--db", cli.db]).status == 0)
        #expect(try cli.run(["label", "1", "3", "--db", cli.db, "--reviewer", "李娜"]).status == 0)
        var app: SQLiteRecordStore? = try SQLiteRecordStore(path: cli.db, busyTimeout: 0.3)
        _ = try app!.changeCounter()
        let refused = try cli.run(["db", "restore", backup, "--db", cli.db])
        #expect(refused.status == 1)
        #expect(refused.err.contains("正被其他进程打开") && refused.err.contains("nothing changed"), "\(refused.err)")
        // The app goes on: its label is saved in its file, which nothing replaced.
        try app!.setLabel(.outOfScope, recordId: "2", reviewer: "王强", at: 1, others: .overwrite)
        #expect(app!.replaced == nil)
        app = nil
        let done = try cli.run(["db", "restore", backup, "--db", cli.db])
        #expect(done.status == 0, "\(done.err)")
        #expect(done.out.contains("5 条记录") && done.out.contains("before-restore-"), "\(done.out)")
        let list = try cli.run(["list", "--db", cli.db, "--status", "已标注"])
        #expect(list.out.contains("共 0 条"), "\(list.out)")
        let kept = try #require(try FileManager.default.contentsOfDirectory(atPath: cli.dir.path).first { $0.contains(".before-restore-") })
        let keptList = try cli.run(["list", "--db", cli.dir.appendingPathComponent(kept).path, "--status", "已标注"])
        #expect(keptList.out.contains("共 2 条"), "\(keptList.out)")
        #expect(try cli.run(["db", "check", "--db", cli.db]).out.contains("完好"))
    }

    @Test func aSessionWhoseFileWasRenamedOverStopsAndTheNewFileIsSoundToAnotherProcess() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let copy = cli.dir.appendingPathComponent("copy.sqlite").path
        #expect(try cli.run(["import", cli.file("log.csv", Self.log), "--db", cli.db]).status == 0)
        #expect(try cli.run(["db", "backup", copy, "--db", cli.db]).status == 0)
        let session = try SQLiteRecordStore(path: cli.db, busyTimeout: 0.3)
        try session.setLabel(.correct, recordId: "1", reviewer: "李娜", at: 1, others: .overwrite)
        // The app's poll a second after the label: the WAL is folded back and emptied.
        session.walRestAfter = 0
        _ = try session.changeCounter()
        #expect(rename(copy, cli.db) == 0)
        #expect(throws: StoreError.replaced(cli.db, StoreError.replacedText)) {
            try session.setLabel(.misunderstood, recordId: "2", reviewer: "李娜", at: 2, others: .overwrite)
        }
        // Another process, while the old session is still open: the copy, sound, without either label.
        let check = try cli.run(["db", "check", "--db", cli.db])
        #expect(check.status == 0 && check.out.contains("完好"), "\(check.out) \(check.err)")
        let labelled = try cli.run(["list", "--db", cli.db, "--status", "已标注"])
        #expect(labelled.out.contains("共 0 条"), "\(labelled.out)")
        // And it can be worked on.
        #expect(try cli.run(["label", "2", "3", "--db", cli.db, "--reviewer", "王强"]).status == 0)
    }

    @Test func aLabelJustBeforeTheRenameIsFoldedIntoTheOldFileWhenTheRenameIsSeen() throws {
        // No quiet second between the label and the rename: the poll that finds the rename folds
        // this session's frames into the old file and empties the WAL, since nobody else wrote.
        let cli = CLI()
        defer { cli.cleanup() }
        let copy = cli.dir.appendingPathComponent("copy.sqlite").path
        #expect(try cli.run(["import", cli.file("log.csv", Self.log), "--db", cli.db]).status == 0)
        #expect(try cli.run(["db", "backup", copy, "--db", cli.db]).status == 0)
        let session = try SQLiteRecordStore(path: cli.db, busyTimeout: 0.3)
        session.walRestAfter = 1000
        _ = try session.changeCounter()
        try session.setLabel(.correct, recordId: "1", reviewer: "李娜", at: 1, others: .overwrite)
        try session.setLabel(.correct, recordId: "2", reviewer: "李娜", at: 2, others: .overwrite)
        _ = try session.changeCounter()
        #expect(((try FileManager.default.attributesOfItem(atPath: cli.db + "-wal")[.size] as? Int) ?? 0) > 0)
        #expect(rename(copy, cli.db) == 0)
        _ = try session.changeCounter()
        #expect(session.replaced == StoreError.replacedText)
        #expect((try FileManager.default.attributesOfItem(atPath: cli.db + "-wal")[.size] as? Int) == 0)
        let check = try cli.run(["db", "check", "--db", cli.db])
        #expect(check.status == 0 && check.out.contains("完好"), "\(check.out) \(check.err)")
        let labelled = try cli.run(["list", "--db", cli.db, "--status", "已标注"])
        #expect(labelled.out.contains("共 0 条"), "\(labelled.out)")
    }

    @Test func unregisteredOrganisationsAreListedFilteredReportedAndMapped() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let imp = try cli.run(["import", cli.file("log.csv", Self.log), "--db", cli.db])
        #expect(imp.err.contains("workbench orgs"))
        let orgs = try cli.run(["orgs", "--db", cli.db])
        #expect(orgs.status == 0)
        let lines = orgs.out.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("火星区") && $0.contains(" 2 ") && $0.contains("未登记") }, "\(orgs.out)")
        #expect(lines.contains { $0.hasPrefix("水星镇") && $0.contains("未登记") })
        #expect(lines.contains { $0.hasPrefix("海门区") && !$0.contains("未登记") })
        #expect(orgs.out.contains("未登记 2 个名称、3 条记录"))

        // --org as stored, everywhere; 未登记机构 takes them all; a name nowhere is refused with the choices.
        let list = try cli.run(["list", "--db", cli.db, "--org", "火星区"])
        #expect(list.status == 0 && list.out.contains("共 2 条"), "\(list.out) \(list.err)")
        let all = try cli.run(["list", "--db", cli.db, "--org", "未登记机构", "--format", "jsonl"])
        #expect(all.out.split(separator: "\n").count == 3)
        let none = try cli.run(["list", "--db", cli.db, "--org", "金星区"])
        #expect(none.status == 1 && none.err.contains("未知组织机构「金星区」") && none.err.contains("火星区 水星镇"), "\(none.err)")
        let csv = cli.dir.appendingPathComponent("out.csv").path
        let export = try cli.run(["export", "--db", cli.db, "--org", "水星镇", "--format", "csv", "-o", csv])
        #expect(export.status == 0, "\(export.err)")
        #expect(try String(contentsOfFile: csv, encoding: .utf8).contains("问二"))
        let report = try cli.run(["report", "--db", cli.db, "--by", "org", "--format", "csv"])
        #expect(report.out.contains("未登记机构,3"), "\(report.out)")
        #expect(!report.out.contains("火星区"))
        let named = try cli.run(["report", "--db", cli.db, "--by", "org", "--format", "csv", "--org", "火星区"])
        #expect(named.out.contains("火星区,2") && !named.out.contains("未登记机构"), "\(named.out)")

        // An alias added to the reference data, then --apply by a supervisor: no re-import.
        let ref = cli.dir.appendingPathComponent("ref")
        try FileManager.default.createDirectory(at: ref, withIntermediateDirectories: true)
        let orgsJSON = """
            {"organisations": [{"name": "崇川区", "kind": "county", "aliases": []}, {"name": "海门区", "kind": "county", "aliases": []},
                               {"name": "如皋市", "kind": "county", "aliases": []}],
             "legacy": {"海门市": "海门区", "火星区": "崇川区"}, "kbRegions": ["全市"], "cityWideRegion": "全市"}
            """
        try Data(orgsJSON.utf8).write(to: ref.appendingPathComponent("organisations.json"))
        try Data(#"{"supervisors": ["张主任"]}"#.utf8).write(to: ref.appendingPathComponent("team.json"))
        let pending = try cli.run(["orgs", "--db", cli.db, "--reference-dir", ref.path])
        #expect(pending.out.contains("未登记 → 崇川区"), "\(pending.out)")
        // Before --apply, the old name still finds its records (and the canonical name's).
        let before = try cli.run(["list", "--db", cli.db, "--reference-dir", ref.path, "--org", "火星区"])
        #expect(before.out.contains("共 2 条"), "\(before.out)")
        let notSupervisor = try cli.run(["orgs", "--db", cli.db, "--reference-dir", ref.path, "--apply", "--reviewer", "李娜"])
        #expect(notSupervisor.status == 1 && notSupervisor.err.contains("不是主管"))
        let applied = try cli.run(["orgs", "--db", cli.db, "--reference-dir", ref.path, "--apply", "--reviewer", "张主任"])
        #expect(applied.status == 0 && applied.out.contains("「火星区」→「崇川区」 2 条") && applied.out.contains("已改写 2 条"), "\(applied.out)")
        let after = try cli.run(["list", "--db", cli.db, "--reference-dir", ref.path, "--org", "崇川区"])
        #expect(after.out.contains("共 2 条"))
        let history = try cli.run(["history", "2", "--db", cli.db])
        #expect(history.out.contains("张主任") && history.out.contains("org") && history.out.contains("「火星区」 → 「崇川区」"), "\(history.out)")
        let again = try cli.run(["orgs", "--db", cli.db, "--reference-dir", ref.path, "--apply", "--reviewer", "张主任"])
        #expect(again.out.contains("没有可改写的名称"))
        // Importing the same log again finds every row as stored: nothing new, no conflict.
        let reimport = try cli.run(["import", cli.dir.appendingPathComponent("log.csv").path, "--db", cli.db, "--reference-dir", ref.path])
        #expect(reimport.out.contains("导入 0 条") && reimport.out.contains("已存在 5 条"), "\(reimport.out)")
        #expect(try cli.run(["history", "--conflicts", "--db", cli.db]).out.contains("没有导入冲突"))
    }
}
