import Foundation
@testable import Model
import Testing
@testable import Workbench

/// Issue 15's cases, run as a user would: nothing the user did not name for overwriting is
/// destroyed, and what comes from files and arguments never reaches the terminal raw.
@Suite(.serialized) struct HostileTests {
    static func seeded() throws -> CLI {
        let cli = CLI()
        let csv = cli.file("log.csv", """
            记录ID,提问时间,组织机构,用户问题,问答结果
            1,2025-12-01 09:15:33,海门市,被辞退了领失业金要什么条件？,需要满足条件
            2,2025-12-02 08:05:00,如皋市,社保卡丢了怎么办,请携带身份证补办
            """)
        #expect(try cli.run(["import", csv, "--db", cli.db]).status == 0)
        return cli
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    static func kind(_ path: String) -> FileAttributeType? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type]) as? FileAttributeType
    }

    /// Case 1: export -o over a directory, a file, a symlink, a FIFO, standard output.
    @Test func exportNeverDestroysWhatItWasNotToldToReplace() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let fm = FileManager.default
        let d = cli.dir.appendingPathComponent("d").path
        try fm.createDirectory(atPath: d + "/sub", withIntermediateDirectories: true)
        _ = cli.file("d/a.txt", "x")
        for command in [["export", "--format", "csv"], ["kb", "export", "--format", "csv"], ["report"]] {
            let r = try cli.run(command + ["--db", cli.db, "-o", d])
            #expect(r.status == 1 && r.err.contains("目录") && r.err.split(separator: "\n").count == 1, "\(command): \(r.err)")
            #expect(Self.kind(d) == .typeDirectory && fm.fileExists(atPath: d + "/a.txt") && fm.fileExists(atPath: d + "/sub"))
        }
        // An existing file: kept unless --force; replaced whole with it, keeping its mode.
        let existing = cli.file("old.csv", "keep me")
        chmod(existing, 0o640)
        let refused = try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", existing])
        #expect(refused.status == 1 && refused.err.contains("--force"))
        #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", existing, "--force"]).status == 0)
        #expect(try String(contentsOfFile: existing, encoding: .utf8).contains("社保卡丢了怎么办"))
        #expect(Self.mode(existing) == 0o640)
        // A new file is the user's alone (0600), and no temporary file is left beside it.
        let fresh = cli.dir.appendingPathComponent("new.xlsx").path
        #expect(try cli.run(["export", "--db", cli.db, "-o", fresh]).status == 0)
        #expect(Self.mode(fresh) == 0o600)
        #expect(try fm.contentsOfDirectory(atPath: cli.dir.path).allSatisfy { !$0.hasPrefix(".workbench-export") })
        // A symlink to a file: the target is replaced (with --force), the link stays a link.
        let link = cli.dir.appendingPathComponent("link.csv").path
        try fm.createSymbolicLink(atPath: link, withDestinationPath: existing)
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", link]).status == 1)
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", link, "--force", "--org", "海门市"]).status == 0)
        #expect(Self.kind(link) == .typeSymbolicLink)
        #expect(try String(contentsOfFile: existing, encoding: .utf8).contains("被辞退了") == true)
        // A dangling symlink and a missing folder: refused, nothing made.
        let dangling = cli.dir.appendingPathComponent("dangling.csv").path
        try fm.createSymbolicLink(atPath: dangling, withDestinationPath: cli.dir.appendingPathComponent("nowhere/x.csv").path)
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", dangling]).status == 1)
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", cli.dir.appendingPathComponent("no/x.csv").path]).status == 1)
        // Standard output: `-`, and /dev/stdout (a symlink to a pipe here) stays what it was.
        let dash = try cli.run(["export", "--db", cli.db, "--format", "jsonl", "-o", "-"])
        #expect(dash.status == 0 && dash.out.split(separator: "\n").count == 2 && dash.err.contains("已导出"))
        let devStdout = try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", "/dev/stdout"])
        #expect(devStdout.status == 0 && devStdout.out.contains("社保卡丢了怎么办"))
        #expect(Self.kind("/dev/stdout") == .typeSymbolicLink)
        let kb = try cli.run(["kb", "export", "--db", cli.db, "--format", "jsonl", "-o", "-"])
        #expect(kb.status == 0 && kb.err.contains("已导出"))
        // A FIFO is written into, and stays a FIFO.
        let fifo = cli.dir.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        nonisolated(unsafe) var got = Data()
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                got.append(contentsOf: buffer[0..<n])
            }
            close(fd)
        }
        reader.start()
        #expect(try cli.run(["export", "--db", cli.db, "--format", "csv", "-o", fifo]).status == 0)
        while !reader.isFinished { usleep(10_000) }
        #expect(String(decoding: got, as: UTF8.self).contains("社保卡丢了怎么办"))
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        // A report to an existing file: the same rule.
        let report = cli.file("r.md", "mine")
        #expect(try cli.run(["report", "--db", cli.db, "--format", "markdown", "-o", report]).status == 1)
        #expect(try String(contentsOfFile: report, encoding: .utf8) == "mine")
        #expect(try cli.run(["report", "--db", cli.db, "--format", "markdown", "-o", report, "--force"]).status == 0)
    }

    /// The app asks before an export replaces a file; any key but y leaves it.
    @Test func theAppAsksBeforeReplacingAFile() throws {
        let f = try AppFixture()
        let s = f.session
        let path = f.dir.appendingPathComponent("taken.csv").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("mine".utf8))
        func export() {
            f.press([.char("e"), .ctrl("u")] + path.map { .char($0) } + [.enter])
        }
        export()
        #expect(s.message?.text.zh.contains("已存在。按 y 覆盖") == true)
        f.press([.char("n")])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "mine")
        export()
        f.press([.char("y")])
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("记录ID"))
    }
}
