import Foundation
import Model
import Testing

/// Runs the built `workbench` binary as a user would, and reads what it prints.
struct CLI {
    static let binary: URL = {
        // The test runner sits beside the products in the build directory.
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
            let u = candidate.appendingPathComponent("workbench")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return dir.appendingPathComponent("workbench")
    }()

    let dir: URL
    var db: String { dir.appendingPathComponent("cli.sqlite").path }

    init() {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-cli-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }

    func file(_ name: String, _ text: String) -> String {
        let p = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }

    @discardableResult
    func run(_ args: [String], env: [String: String] = [:], executable: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = executable ?? Self.binary
        p.arguments = executable == nil ? args : Array(args.dropFirst())
        var e = ProcessInfo.processInfo.environment
        e["XDG_DATA_HOME"] = dir.appendingPathComponent("xdg").path
        e.removeValue(forKey: "WORKBENCH_DB")
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: r, as: UTF8.self))
    }
}

/// Runs a Python script (a client nobody here wrote: openpyxl, csv, html.parser) on our files.
func runPython(_ script: String, _ args: [String]) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script] + args
    let out = Pipe()
    p.standardOutput = out
    p.standardError = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite(.serialized) struct CLITests {
    @Test func importListLabelReviewAsAUserWould() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let csv = cli.file("log.csv", """
            记录ID,提问时间,组织机构,用户问题,问答结果,业务类型
            320682198503121233,2025-12-01 09:15:33,海门市,被辞退了领失业金要什么条件？,"需要满足：
            1. 非本人意愿中断就业",失业保险/失业保险金申领
            2,2025/12/2 8:05,港闸区,港闸区社保中心在哪？,地址见官网,经办服务/网点信息
            3,昨天,如皋市,问,答,经办服务/网点信息

            """)
        let imp = try cli.run(["import", csv, "--db", cli.db])
        #expect(imp.status == 2)  // a row rejected (issue 36: 0 only when every row came in)
        #expect(imp.out.contains("导入 2 条"))
        #expect(imp.err.contains("log.csv:5"))
        #expect(imp.err.contains("提问时间"))

        let again = try cli.run(["import", csv, "--db", cli.db])
        #expect(again.out.contains("导入 0 条，已存在 2 条"))

        let list = try cli.run(["list", "--db", cli.db, "--org", "崇川区", "--format", "jsonl"])
        #expect(list.status == 0)
        let obj = try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [String: Any]
        #expect(obj?["id"] as? String == "2")
        #expect(obj?["org"] as? String == "崇川区")
        for key in ["id", "sessionId", "askedAt", "org", "question", "answer", "knowledge", "fallback", "biz1", "biz2",
                    "label", "status", "reviewer", "labeledAt"] {
            #expect(obj?.keys.contains(key) == true, "missing key \(key)")
        }

        let lab = try cli.run(["label", "320682198503121233", "回答正确", "--db", cli.db], env: ["WORKBENCH_REVIEWER": "张敏"])
        #expect(lab.status == 0)
        #expect(lab.out.contains("未标注") && lab.out.contains("回答正确") && lab.out.contains("张敏"))
        let rev = try cli.run(["review", "320682198503121233", "2", "--db", cli.db, "--reviewer", "李娜"])
        #expect(rev.status == 0 && rev.out.contains("已复核"))
        let hist = try cli.run(["history", "320682198503121233", "--db", cli.db])
        let lines = hist.out.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("张敏") && lines[0].contains("未标注(未标注) → 回答正确(已标注)"))
        #expect(lines[1].contains("李娜") && lines[1].contains("回答正确(已标注) → 理解错误(已复核)"))
        let table = try cli.run(["list", "--db", cli.db, "--status", "已复核"])
        #expect(table.out.contains("理解错误"))
        #expect(table.out.contains("共 1 条"))
    }

    @Test(arguments: [
        (["label", "nope", "3"], "没有这条记录"),
        (["label", "2", "9"], "未知标注"),
        (["review", "2"], "尚未标注"),
        (["list", "--org", "苏州市"], "未知组织机构"),
        (["list", "--from", "2025-02-30"], "--from"),
        (["list", "--from", "2025-12-02", "--to", "2025-12-01"], "--to"),
        (["list", "--status", "done"], "--status"),
        (["import", "/nonexistent/file.csv"], "file.csv"),
        (["import", "x.csv", "--encoding", "latin1"], "--encoding"),
    ])
    func userMistakesGiveOneClearLineAndStatusOne(args: [String], expected: String) throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["import", cli.file("seed.csv", "记录ID,提问时间,用户问题\n2,2025-12-01,问\n"), "--db", cli.db])
        let r = try cli.run(args + ["--db", cli.db])
        #expect(r.status == 1)
        #expect(r.err.contains(expected), "stderr: \(r.err)")
        #expect(!r.err.contains("Fatal error") && !r.err.contains("Stack"))
    }

    @Test func demoIsDeterministicAndListable() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let a = cli.dir.appendingPathComponent("a.csv").path, b = cli.dir.appendingPathComponent("b.csv").path
        try cli.run(["demo", "--records", "300", "--seed", "5", "--end", "2025-12-31 18:00", "--csv", a])
        try cli.run(["demo", "--records", "300", "--seed", "5", "--end", "2025-12-31 18:00", "--csv", b])
        #expect(FileManager.default.contentsEqual(atPath: a, andPath: b))
        let d = try cli.run(["demo", "--records", "300", "--db", cli.db])
        #expect(d.status == 0 && d.out.contains("300"))
        for columns in [60, 80, 100, 160] {
            let l = try cli.run(["list", "--db", cli.db, "--limit", "5"], env: ["COLUMNS": "\(columns)"])
            let lines = l.out.split(separator: "\n")
            #expect(lines.count == 7)
            // Chinese is two columns wide: every table line is exactly as wide as the terminal,
            // and the record ID is never cut.
            for line in lines.dropLast() { #expect(DisplayWidth.of(line) == columns, "\(columns): \(line)") }
            for line in lines.dropFirst().dropLast() { #expect(line.hasPrefix("17"), "\(line)") ; #expect(!line.prefix(19).contains("~")) }
        }
    }
}

@Suite(.serialized) struct ReportCommandTests {
    /// The report's figures are the dashboard's, in every format; JSON has English keys and numbers.
    @Test func reportInEveryFormatAgreesWithTheStore() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "400", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let store = try SQLiteRecordStore(path: cli.db)
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        let expected = try store.tallies(RecordFilter(orgs: ["如皋市", "海门区"]), rules: rules)

        let json = try cli.run(["report", "--db", cli.db, "--org", "如皋", "--org", "海门市", "--format", "json", "--top", "3"])
        #expect(json.status == 0, "\(json.err)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let total = try #require(o["total"] as? [String: Any])
        #expect(total["records"] as? Int == expected.total.records)
        let acc = try #require(total["accuracy"] as? [String: Any])
        #expect(acc["numerator"] as? Int == expected.total.accuracy.numerator)
        #expect(abs((acc["value"] as? Double ?? -1) - expected.total.accuracy.value!) < 1e-9)
        let groups = try #require(o["groups"] as? [[String: Any]])
        #expect(groups.map { $0["name"] as? String } == ["海门区", "如皋市"])
        #expect((o["hotQuestions"] as? [Any])?.count == 3 && (o["trend"] as? [Any]) != nil && o["bucket"] as? String == "month")

        let csv = try cli.run(["report", "--db", cli.db, "--by", "biz1", "--format", "csv"]).out
        let lines = csv.split(separator: "\r\n")
        #expect(lines[0].hasPrefix("\u{FEFF}group,records,valid,"))
        #expect(lines[1].hasPrefix("(total),\(try store.totalCount()),"))
        #expect(lines.count == 2 + Set(try store.page(RecordFilter(), after: nil, limit: 1000).records.map { $0.effectiveBiz1 ?? "" }).count)

        let text = try cli.run(["report", "--db", cli.db, "--from", "2025-12-01", "--to", "2025-12-31", "--by", "day", "--ascii"]).out
        #expect(text.contains("人社问答质量报告") && text.contains("准确率") && text.contains("热点问题 TOP10"))
        #expect(text.contains("有效问题量（每日）") && text.contains("2025-12-31"))
        #expect(!text.unicodeScalars.contains { (0x2500...0x259F).contains($0.value) || (0x2800...0x28FF).contains($0.value) },
                "ASCII charts and bars have no Braille, box or block characters")

        let md = try cli.run(["report", "--db", cli.db, "--format", "markdown", "--by", "biz2"]).out
        #expect(md.contains("| 二级业务类型 | 有效问题 |") && md.contains("```") && md.contains("## 热点问题 TOP10"))

        let bad = try cli.run(["report", "--db", cli.db, "--by", "county"])
        #expect(bad.status == 1 && bad.err.contains("--by") && !bad.err.contains("Fatal"))
        let out = cli.dir.appendingPathComponent("r.md").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "markdown", "-o", out]).status == 0)
        #expect(FileManager.default.fileExists(atPath: out))
    }
}

/// The commands on the team server, as a user types them: `--db postgres://…` and `$WORKBENCH_DB`.
@Suite struct ServerCLITests {
    @Test func everyCommandTakesAServerURL() throws {
        guard let base = ProcessInfo.processInfo.environment["WORKBENCH_TEST_POSTGRES"], !base.isEmpty else { return }
        let url = try TestServerDB.fresh(base)
        let cli = CLI()
        defer { cli.cleanup() }
        var r = try cli.run(["demo", "--db", url, "--records", "300"])
        #expect(r.status == 0, "\(r.err)")
        r = try cli.run(["list", "--limit", "5"], env: ["WORKBENCH_DB": url])
        #expect(r.status == 0 && r.out.contains("共 300 条"), "\(r.out)\(r.err)")
        let id = try #require(r.out.split(separator: "\n").dropFirst().first?.split(separator: " ").first.map(String.init))
        // The demo's record may be another reviewer's: --override replaces it (else refused, exit 1).
        r = try cli.run(["label", id, "3", "--db", url, "--reviewer", "张敏", "--override"])
        #expect(r.status == 0, "\(r.err)")
        r = try cli.run(["history", id, "--db", url])
        #expect(r.out.contains("张敏"), "\(r.out)")
        r = try cli.run(["report", "--db", url])
        #expect(r.status == 0 && r.out.contains("准确率") && r.out.contains(url.replacingOccurrences(of: "?sslmode=disable", with: "")), "\(r.out)\(r.err)")
        r = try cli.run(["kb", "list", "--db", url])
        #expect(r.status == 0 && !r.out.isEmpty, "\(r.err)")
        // A server that is not there: one line, host and port, exit 1.
        r = try cli.run(["list", "--db", "postgres://wb:pw@127.0.0.1:1/x"])
        #expect(r.status == 1 && r.err.contains("127.0.0.1:1") && !r.err.contains("pw@") && r.err.split(separator: "\n").count == 1, "\(r.err)")
    }
}

/// `workbench db copy FILE URL` as a supervisor moving a team to the server would run it.
@Suite struct DatabaseCopyCLITests {
    @Test func aDemoFileCopiedTwiceAndChecked() throws {
        guard let base = ProcessInfo.processInfo.environment["WORKBENCH_TEST_POSTGRES"], !base.isEmpty else { return }
        let url = try TestServerDB.fresh(base)
        let cli = CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--db", cli.db, "--records", "500"]).status == 0)
        #expect(try cli.run(["db", "init", "--db", url]).status == 0)
        var r = try cli.run(["db", "copy", cli.db, url])
        #expect(r.status == 0 && r.out.contains("逐表核对一致"), "\(r.out)\(r.err)")
        let recordLine = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("record ") })
        #expect(recordLine.contains("500") && recordLine.hasSuffix("✓"), "\(recordLine)")
        // Every line fits 80 columns.
        #expect(r.out.split(separator: "\n").allSatisfy { $0.contains("→") || DisplayWidth.of($0) <= 80 }, "\(r.out)")
        r = try cli.run(["db", "copy", cli.db, url])
        let again = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("record ") })
        #expect(r.status == 0 && again.split(separator: " ").filter { !$0.isEmpty }[2] == "0", "\(r.out)")
        r = try cli.run(["list", "--limit", "1"], env: ["WORKBENCH_DB": url])
        #expect(r.out.contains("共 500 条"), "\(r.out)")
        // The wrong way round, or a file that is not there: one line, exit status not 0.
        r = try cli.run(["db", "copy", url, cli.db])
        #expect(r.status != 0 && r.err.contains("SQLite"), "\(r.err)")
        r = try cli.run(["db", "copy", cli.dir.appendingPathComponent("none.sqlite").path, url])
        #expect(r.status == 1 && r.err.split(separator: "\n").count == 1, "\(r.err)")
    }
}

enum TestServerDB {
    /// A new, empty database on the test server (by `psql`-free SQL through the store's own door).
    static func fresh(_ base: String) throws -> String {
        let name = "wbc_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try PostgresAdmin.createDatabase(name, server: base)
        var c = URLComponents(string: base)!
        c.path = "/" + name
        return c.string!
    }
}

/// Issue 36: the text index after an import says how far it is to a pipe (a line every tenth),
/// after the import's own line.
@Suite struct ImportIndexProgressTests {
    @Test func aPipeGetsALineAsTheIndexGrows() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let csv = cli.dir.appendingPathComponent("log.csv").path
        #expect(try cli.run(["demo", "--records", "45000", "--csv", csv]).status == 0)
        let r = try cli.run(["import", csv, "--db", cli.db])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.err.split(separator: "\n").filter { $0.hasPrefix("全文索引 ") && $0.contains("%") }
        #expect(lines.count >= 2, "\(r.err)")
        #expect(r.out.contains("导入 45000 条"), "\(r.out)")
    }
}
