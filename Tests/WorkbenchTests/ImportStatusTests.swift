import Foundation
import Model
import Testing

/// Issue 36: `workbench import` says by its exit status whether everything came in (0), some rows
/// were rejected (2) or a file was refused (1); the last line is the total; an unclosed quote,
/// rows without an id and unknown organisations are named; a FIFO without a writer does not hang.
@Suite(.serialized) struct ImportStatusTests {
    let header = "记录ID,提问时间,组织机构,用户问题,问答结果\n"

    /// The last line a run wrote, standard output and error in one stream (as a terminal or
    /// `2>&1` sees them).
    func combined(_ cli: CLI, _ args: [String]) throws -> (status: Int32, lastLine: String, all: String) {
        let r = try cli.run(["/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", CLI.binary.path] + args,
                            executable: URL(fileURLWithPath: "/bin/sh"))
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: true)
        return (r.status, lines.last.map(String.init) ?? "", r.out)
    }

    @Test func exitStatusZeroTwoOrOneAndTheTotalLast() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let good = cli.file("good.csv", header + "1,2025-12-01 09:00,海门区,问一,答一\n2,2025-12-01 09:01,海门区,问二,答二\n")
        let first = try combined(cli, ["import", good, "--db", cli.db])
        #expect(first.status == 0, "\(first.all)")
        #expect(first.lastLine.hasPrefix("合计 (total): 导入 2 条，已存在 0 条，拒绝 0 条"), "\(first.all)")
        // Already present: still 0.
        let again = try combined(cli, ["import", good, "--db", cli.db])
        #expect(again.status == 0 && again.lastLine.hasPrefix("合计 (total): 导入 0 条，已存在 2 条，拒绝 0 条"), "\(again.all)")

        // Some rows rejected: 2, and the file's bad row comes before its line and the total.
        let some = cli.file("some.csv", header + "3,2025-12-01 09:00,海门区,问三,答三\n4,昨天,海门区,问四,答四\n")
        let s = try combined(cli, ["import", some, "--db", cli.db])
        #expect(s.status == 2, "\(s.all)")
        #expect(s.lastLine.hasPrefix("合计 (total): 导入 1 条，已存在 0 条，拒绝 1 条"), "\(s.all)")
        let lines = s.all.split(separator: "\n").map(String.init)
        let bad = try #require(lines.firstIndex { $0.contains("some.csv:3") })
        let fileLine = try #require(lines.firstIndex { $0.hasPrefix("\(some) [csv") })
        #expect(bad < fileLine && fileLine == lines.count - 2, "\(s.all)")

        // Every row rejected: 2, not 0.
        let none = cli.file("none.csv", header + "5,昨天,海门区,问五,答五\n6,2025-12-01 09:00,海门区,,答六\n")
        let n = try combined(cli, ["import", none, "--db", cli.db])
        #expect(n.status == 2 && n.lastLine.hasPrefix("合计 (total): 导入 0 条，已存在 0 条，拒绝 2 条"), "\(n.all)")

        // A file refused: 1, whatever the others did; the others are still imported and totalled.
        let third = cli.file("third.csv", header + "7,2025-12-01 09:00,海门区,问七,答七\n")
        let binary = cli.dir.appendingPathComponent("x.csv").path
        FileManager.default.createFile(atPath: binary, contents: Data([0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00]))
        for refused in [cli.dir.appendingPathComponent("missing.csv").path, binary] {
            let r = try combined(cli, ["import", third, refused, some, "--db", cli.db])
            #expect(r.status == 1, "\(r.all)")
            #expect(r.all.contains("文件被拒绝，未导入任何记录"), "\(r.all)")
            #expect(r.lastLine.hasPrefix("合计 (total): 导入 ") && r.lastLine.contains("文件被拒绝 1 个"), "\(r.all)")
        }
        #expect(try SQLiteRecordStore(path: cli.db).record(id: "7") != nil)
    }

    @Test func importHelpAndReadmeSayTheStatuses() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let help = try cli.run(["import", "--help"])
        for words in ["0 全部导入或已存在", "2 有行被拒绝", "1 有文件被拒绝", "最后一行是合计"] {
            #expect(help.out.contains(words), "\(words): \(help.out)")
        }
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        for words in ["退出码 (exit status)", "`0`", "`2`", "`1`", "合计"] {
            #expect(text.contains(words), "README: \(words)")
        }
    }

    /// The issue's case through the command: line 7 named where its quote opens, line 8 imported.
    @Test func anUnclosedQuoteIsNamedAndTheRestImported() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        var csv = header
        for i in 1...20 {
            csv += i == 6 ? "\(i),2025-12-01 09:00,海门区,\"问题没有闭合,答\n" : "\(i),2025-12-01 09:00,海门区,问\(i),答\(i)\n"
        }
        let path = cli.file("bad.csv", csv)
        let r = try cli.run(["import", path, "--db", cli.db])
        #expect(r.status == 2, "\(r.out) \(r.err)")
        #expect(r.err.contains("bad.csv:7: [用户问题] 引号未闭合（第 7 行第 4 列开始）「\"问题没有闭合,答」") && r.err.contains("第 8 行起重新读取"), "\(r.err)")
        #expect(r.out.contains("导入 19 条") && r.out.contains("拒绝 1 条"), "\(r.out)")
        let list = try cli.run(["list", "--db", cli.db, "--format", "jsonl"])
        #expect(list.out.contains("\"question\":\"问7\"") && !list.out.contains("问题没有闭合"))
    }

    @Test func rowsWithoutAnIdAndUnknownOrganisationsAreSaidByKind() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let csv = "记录ID,提问时间,所属机构,用户问题,问答结果\n"
            + ",2025-12-01 09:00,火星区,问一,答一\n"
            + "2,2025-12-01 09:01,火星区,问二,答二\n"
            + ",2025-12-01 09:02,海门区,问三,答三\n"
            + ",2025-12-01 09:03,金星县,问四,答四\n"
        let r = try cli.run(["import", cli.file("kinds.csv", csv), "--db", cli.db])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("无记录ID 3 条：按内容生成ID（第 2、4、5 行）"), "\(r.err)")
        #expect(r.err.contains("未登记机构：火星区 2 条、金星县 1 条"), "\(r.err)")
        #expect(r.out.contains("导入 4 条"))
    }

    /// Before: `import FIFO` with nobody writing waited for ever in open(2).
    @Test func aFifoWithoutAWriterIsRefusedInOneLine() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let fifo = cli.dir.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["import", fifo, "--db", cli.db]
        p.environment = ["XDG_DATA_HOME": cli.dir.appendingPathComponent("xdg").path, "PATH": "/usr/bin:/bin"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let deadline = Date().addingTimeInterval(10)
        while p.isRunning, Date() < deadline { usleep(20_000) }
        if p.isRunning {
            Issue.record("import of a FIFO without a writer still running after 10 s")
            p.terminate()
            p.waitUntilExit()
            return
        }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 1)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1 && text.contains("命名管道（FIFO），打开时没有写入方") && text.contains("导入不等待写入方"), "\(text)")
    }
}
