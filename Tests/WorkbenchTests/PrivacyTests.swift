import Foundation
import GRDB
@testable import Model
import Testing
@testable import Workbench

/// Issue 18 as a user meets it: texts stored before a rule existed are found by `privacy scan`
/// (counts and ids, never the values), masked by `privacy apply` (resumable, a history row each,
/// the text index in step), masked again by every export, and every export is in the log.
@Suite(.serialized) struct PrivacyTests {
    static let unmasked = [
        ("P1", "我叫张建国，手机138-0000-1234，帮我查社保", "张建国您好，已为您查询。"),
        ("P2", "身份证３２０６８２１９８５０３１２１２３３怎么补办社保卡", "请携带身份证办理。"),
        ("P3", "卡号6222 0212 3456 7890 128丢了", "请拨打12333挂失。"),
        ("P4", "住阳光小区3栋201室，附近哪里办", "阳光小区3栋201室属于崇川区。"),
        ("P5", "失业金怎么领", "通人社规〔2024〕2号：请拨打12333或0513-85678901。"),
    ]

    /// A database whose texts were stored unmasked (as by an older Workbench): written straight in.
    static func seeded(_ cli: CLI) throws {
        var csv = "记录ID,提问时间,组织机构,用户问题,问答结果\n"
        for (i, r) in unmasked.enumerated() { csv += "\(r.0),2025-12-0\(i + 1) 09:00:00,海门市,占位\(i),占位\n" }
        #expect(try cli.run(["import", cli.file("log.csv", csv), "--db", cli.db]).status == 0)
        let q = try DatabaseQueue(path: cli.db)
        try q.write { db in
            let texts = try SQLiteTextDocuments(db, bulk: false)
            for r in unmasked {
                let seq = try Int64.fetchOne(db, sql: "SELECT seq FROM record WHERE id = ?", arguments: [r.0])!
                try db.execute(sql: "UPDATE record_doc SET question_doc = ?, answer_doc = ? WHERE seq = ?",
                               arguments: [try texts.id(for: r.1), try texts.id(for: r.2), seq])
            }
            _ = try SQLiteTextSearch.build(db, limit: Int.max)
        }
    }

    @Test func scanApplyAndScanAgainReportsZero() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try Self.seeded(cli)
        let scan = try cli.run(["privacy", "scan", "--db", cli.db])
        #expect(scan.status == 1, "\(scan.out)")
        for kind in ["手机号", "身份证号", "银行卡号", "姓名", "住址"] { #expect(scan.out.contains(kind), "\(kind): \(scan.out)") }
        #expect(scan.out.contains("P1") && scan.out.contains("P4") && !scan.out.contains("P5"))
        // Counts and ids only: no value is ever printed.
        for value in ["138-0000-1234", "张建国", "6222 0212", "3栋201", "３２０６８２１９８５"] { #expect(!scan.out.contains(value)) }
        // The index finds the citizen's number before, and not after.
        #expect(try cli.run(["list", "--db", cli.db, "--text", "0000-1234"]).out.contains("P1"))
        let apply = try cli.run(["privacy", "apply", "--db", cli.db, "--reviewer", "主管"])
        #expect(apply.status == 0 && apply.out.contains("4 条记录"), "\(apply.out) \(apply.err)")
        let again = try cli.run(["privacy", "scan", "--db", cli.db])
        #expect(again.status == 0 && again.out.contains("未发现"), "\(again.out)")
        #expect(try cli.run(["privacy", "apply", "--db", cli.db]).out.contains("接着上次继续"))
        let listed = try cli.run(["list", "--db", cli.db, "--format", "jsonl"]).out
        #expect(listed.contains("我叫张＊＊，手机138-****-1234") && listed.contains("张＊＊您好") && listed.contains("阳光小区*栋***室属于崇川区"))
        #expect(listed.contains("通人社规〔2024〕2号：请拨打12333或0513-85678901"))
        #expect(!(try cli.run(["list", "--db", cli.db, "--text", "0000-1234"]).out.contains("P1")))
        // The history says what was masked, never the text.
        let h = try cli.run(["history", "P1", "--db", cli.db]).out
        #expect(h.contains("主管") && h.contains("mask") && h.contains("手机号") && !h.contains("0000"), "\(h)")
    }

    @Test func everyExportIsCheckedAgainAndLogged() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try Self.seeded(cli)
        for format in ["csv", "jsonl", "xlsx"] {
            let out = cli.dir.appendingPathComponent("out.\(format)").path
            let r = try cli.run(["export", "--db", cli.db, "--format", format, "-o", out, "--reviewer", "李娜"])
            #expect(r.status == 0 && r.out.contains("导出时又遮盖了"), "\(r.out) \(r.err)")
            let copy = cli.dir.appendingPathComponent("copy-\(format).sqlite").path
            #expect(try cli.run(["import", out, "--db", copy]).status == 0)
            let back = try cli.run(["privacy", "scan", "--db", copy])
            #expect(back.status == 0, "unmasked in the \(format) export: \(back.out)")
        }
        let log = try cli.run(["history", "--exports", "--db", cli.db])
        #expect(log.out.components(separatedBy: "SHA-256").count - 1 == 3 && log.out.contains("李娜") && log.out.contains("遮盖"), "\(log.out)")
        let csvHash = try RecordExporter.fileSHA256(cli.dir.appendingPathComponent("out.csv").path)
        #expect(log.out.contains(csvHash))
    }

    /// `x` in the app: the span the rules missed, masked in both texts, in the history, and seen
    /// by a second reviewer's session.
    @Test func aReviewerMasksWhatTheRulesMissed() throws {
        let f = try AppFixture()
        let s = f.session
        // R001: 我在如皋市打零工… (no personal data the rules know); the reviewer masks 如皋市.
        _ = f.press([.char("x")] + typed("零工") + [.enter])
        #expect(s.message?.text.zh.contains("已遮盖 1 处") == true, "\(String(describing: s.message?.text.zh))")
        #expect(try f.store.record(id: "R001")?.question == "我在如皋市打＊＊，想自己交职工养老保险，缴费基数能选哪几档？")
        #expect(try f.store.history(recordId: "R001").last?.action == .mask)
        let other = try ReviewSession(store: try SQLiteRecordStore(path: f.store.path), reference: .bundled, reviewer: "王强",
                                      lang: .zh, location: "fixture.sqlite", clock: { AppFixture.now })
        // R001 (张敏 holds it, so 王强's 待办 opened on the next one).
        let r001 = try #require(try f.store.key(recordId: "R001"))
        other.list.select(try #require(other.list.keys.firstIndex(of: r001)))
        #expect(other.selectedRecord?.question.contains("＊＊") == true)
        _ = f.press([.char("x")] + typed("不存在") + [.enter])
        #expect(s.message?.role == .error)
    }

    /// The export log in the dashboard (`x`), for supervisors only, at 80×24.
    @Test func supervisorsSeeTheExportLog() throws {
        let f = try AppFixture()
        let out = f.dir.appendingPathComponent("如皋.csv").path
        _ = try RecordExporter.export(store: f.store, filter: RecordFilter(orgs: ["如皋市"]), format: .csv, path: out,
                                      describe: RecordFilter(orgs: ["如皋市"]).describedPairs, by: "李娜")
        var team = ReferenceData.bundled
        team.team = Team(supervisors: ["张主任"])
        let worker = try ReviewSession(store: try SQLiteRecordStore(path: f.store.path), reference: team, reviewer: "张敏",
                                       clock: { AppFixture.now })
        for k in [Key.char("s"), .char("x")] { ReviewScreen.prepare(worker, width: 80, height: 24); worker.perform(worker.handle(k)) }
        #expect(worker.message?.text.zh.contains("主管") == true)
        let boss = try ReviewSession(store: try SQLiteRecordStore(path: f.store.path), reference: team, reviewer: "张主任",
                                     clock: { AppFixture.now })
        for k in [Key.char("s"), .char("x")] { ReviewScreen.prepare(boss, width: 80, height: 24); boss.perform(boss.handle(k)) }
        ReviewScreen.prepare(boss, width: 80, height: 24)
        let screen = ReviewScreen.draw(boss, width: 80, height: 24).dump()
        #expect(screen.contains("导出记录 (x)") && screen.contains("李娜") && screen.contains("如皋.csv") && screen.contains("组织机构=如皋市"), "\(screen)")
        #expect(screen.contains(try RecordExporter.fileSHA256(out).prefix(40)))
    }
}
