import Foundation
@testable import Model
import Testing
@testable import Workbench

/// A tester's findings on the commands, run as a user runs them.
@Suite struct CLILabelOverrideTests {
    /// The databases a command test runs against: a file, and a server database when one is up.
    static func databases(_ cli: CLI) throws -> [(String, any RecordStore)] {
        var out: [(String, any RecordStore)] = [(cli.db, try SQLiteRecordStore(path: cli.db))]
        if let base = ProcessInfo.processInfo.environment["WORKBENCH_TEST_POSTGRES"], !base.isEmpty {
            let url = try TestServerDB.fresh(base)
            out.append((url, try PostgresRecordStore(url: url)))
        }
        return out
    }

    /// `label` on another reviewer's label, or on a record another reviewer holds: refused in one
    /// line that says whose and what, exit 1; with --override it writes, marked as an override.
    @Test func anotherReviewersLabelIsReplacedOnlyWithOverride() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        for (db, store) in try Self.databases(cli) {
            try store.importBatch { sink in
                for i in 0..<3 {
                    _ = try sink.insert(InteractionRecord(id: "L\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                          question: "问题\(i)", answer: "回答\(i)"))
                }
            }
            var r = try cli.run(["label", "L0", "3", "--db", db, "--reviewer", "李娜"])
            #expect(r.status == 0, "\(r.err)")
            // Her own label again: no question asked.
            r = try cli.run(["label", "L0", "2", "--db", db, "--reviewer", "李娜"])
            #expect(r.status == 0, "\(r.err)")
            r = try cli.run(["label", "L0", "1", "--db", db, "--reviewer", "王强"])
            #expect(r.status == 1 && r.out.isEmpty, "\(r.out)")
            let line = r.err.trimmingCharacters(in: .newlines)
            #expect(!line.contains("\n") && line.contains("L0") && line.contains("李娜") && line.contains("理解错误") && line.contains("--override"),
                    "\(r.err)")
            #expect(try store.record(id: "L0")?.label == .misunderstood && store.record(id: "L0")?.reviewer == "李娜")
            r = try cli.run(["label", "L0", "1", "--db", db, "--reviewer", "王强", "--override"])
            #expect(r.status == 0 && r.out.contains("覆盖他人"), "\(r.err)")
            #expect(try store.record(id: "L0")?.label == .missingKnowledge && store.record(id: "L0")?.reviewer == "王强")
            #expect(try store.history(recordId: "L0").last?.override == true)
            #expect(try cli.run(["history", "L0", "--db", db]).out.contains("覆盖他人"))
            // Clearing someone's label is replacing it too.
            r = try cli.run(["label", "L0", "0", "--db", db, "--reviewer", "李娜"])
            #expect(r.status == 1 && r.err.contains("王强"), "\(r.err)")
            // A record another reviewer holds (their app is on it).
            let key = try #require(try store.key(recordId: "L1"))
            #expect(try store.claim([key], reviewer: "周婷", at: Int64(Date().timeIntervalSince1970)) == [key])
            r = try cli.run(["label", "L1", "3", "--db", db, "--reviewer", "王强"])
            #expect(r.status == 1 && r.err.contains("L1") && r.err.contains("周婷") && r.err.split(separator: "\n").count == 1, "\(r.err)")
            #expect(try store.record(id: "L1")?.label == nil)
            r = try cli.run(["label", "L1", "3", "--db", db, "--reviewer", "王强", "--override"])
            #expect(r.status == 0, "\(r.err)")
            #expect(try store.history(recordId: "L1").last?.override == true)
            // Nobody else's work: written as before, no override.
            r = try cli.run(["label", "L2", "3", "--db", db, "--reviewer", "王强", "--override"])
            #expect(r.status == 0, "\(r.err)")
            #expect(try store.history(recordId: "L2").last?.override == false)
        }
    }
}

@Suite struct CLIReviewersReliabilityTests {
    /// Every share `reviewers` prints carries its n, and n < 20 is marked as the report marks it.
    @Test func everyPercentageCarriesItsN() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let store = try SQLiteRecordStore(path: cli.db)
        try store.importBatch { sink in
            for i in 0..<2 {
                _ = try sink.insert(InteractionRecord(id: "r\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                      question: "问题\(i)", answer: "回答\(i)"))
            }
        }
        #expect(try store.drawSample(RecordFilter(), rate: 1, seed: 1, by: "张主任", at: 1) == 2)
        // One dispute, decided against 李娜: 被推翻 1 of 1.
        try store.setLabel(.correct, recordId: "r0", reviewer: "李娜", at: 10, others: .refuse)
        try store.setLabel(.misunderstood, recordId: "r0", reviewer: "王强", at: 11, others: .refuse)
        try store.adjudicate(recordId: "r0", label: .misunderstood, by: "张主任", at: 12)
        let r = try cli.run(["reviewers", "--db", cli.db])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        let li = try #require(lines.first { $0.hasPrefix("李娜") }, "\(r.out)")
        // 被推翻 100% of 1, 双评一致 0% of 1, the label mix of 1 label: each with its n and †.
        #expect(li.contains("100.0% (1/1)†") && li.contains("0.0% (0/1)†"), "\(li)")
        #expect(li.contains("n=1†"), "\(li)")
        let wang = try #require(lines.first { $0.hasPrefix("王强") })
        #expect(wang.contains("0.0% (0/1)†"), "\(wang)")
        // Every % in the table is followed by its n.
        for l in lines where l.hasPrefix("李娜") || l.hasPrefix("王强") {
            let percents = l.components(separatedBy: "%").count - 1
            let counted = l.components(separatedBy: "% (").count - 1 + l.components(separatedBy: "n=").count - 1
            #expect(percents > 0 && counted > 0 && (l.contains("n=") || percents == counted), "\(l)")
        }
        #expect(r.out.contains("† n < 20"), "\(r.out)")
        let md = try cli.run(["reviewers", "--db", cli.db, "--format", "markdown"]).out
        #expect(md.contains("100.0% (1/1)†") && md.contains("† n < 20"), "\(md)")
    }
}

@Suite struct CLITeamFileTests {
    /// A supervisor's command without team.json names the folder it is read from.
    @Test func theTeamMessageNamesTheDataFolder() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["import", cli.file("seed.csv", "记录ID,提问时间,用户问题\n2,2025-12-01,问\n"), "--db", cli.db])
        let folder = cli.dir.appendingPathComponent("xdg/workbench").path
        var r = try cli.run(["sample", "--rate", "0.5", "--db", cli.db, "--reviewer", "张主任"])
        #expect(r.status == 1 && r.err.contains(folder + "/team.json") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        r = try cli.run(["assign", "--to-reviewer", "李娜", "--db", cli.db, "--reviewer", "张主任"])
        #expect(r.status == 1 && r.err.contains(folder), "\(r.err)")
        // A file that names others: which file, and who is in it.
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: folder + "/team.json", contents: Data(#"{"supervisors": ["刘主任"]}"#.utf8))
        r = try cli.run(["sample", "--rate", "0.5", "--db", cli.db, "--reviewer", "张主任"])
        #expect(r.status == 1 && r.err.contains(folder + "/team.json") && r.err.contains("刘主任"), "\(r.err)")
        r = try cli.run(["sample", "--rate", "0.5", "--db", cli.db, "--reviewer", "刘主任"])
        #expect(r.status == 0, "\(r.err)")
    }
}

@Suite struct DashboardMissedViewTests {
    /// 未命中TOP10 on screen: no hit-rate column (every row is a miss), the share of all misses
    /// and who asked instead; R005 (非人社事项, 非人社职能) and R008 (small talk) are not there.
    @Test func theMissedTableSaysWhatTheKnowledgeBaseLacks() throws {
        let f = try AppFixture()
        let s = f.session
        f.press([.char("s"), .backTab])
        #expect(s.dashboard?.view == .missed)
        let board = try #require(s.dashboard?.board)
        #expect(board.missed.map(\.askedBy) == [[OrgCount(org: "南通经济技术开发区", count: 1)]] && board.missedTotal == 1)
        let screen = f.draw(width: 120, height: 40).dump()
        let lines = screen.split(separator: "\n").map(String.init)
        let head = try #require(lines.first { $0.contains("占未命中") }, "\(screen)")
        #expect(head.contains("次数") && head.contains("提问机构") && !head.contains("命中率") && !head.contains("准确率"), "\(head)")
        let row = try #require(lines.first { $0.contains("辞退") }, "\(screen)")
        #expect(row.contains("100.0%") && row.contains("南通经济技术开发区 1"), "\(row)")
        #expect(screen.contains("提问机构：南通经济技术开发区 1") && screen.contains("全部未命中 1 条"), "\(screen)")
        #expect(!screen.contains("公积金"))
    }
}
