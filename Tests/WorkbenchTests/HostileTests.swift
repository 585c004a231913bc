import Foundation
import GRDB
@testable import Model
import Testing
@testable import Workbench
import ZIPFoundation

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

    /// A workbook whose parts are made as they are compressed (`part` gives a part's bytes from a
    /// position), so a test can write a gigabyte-sized part without holding it.
    static func workbook(_ path: String, sheet: String, sharedStrings: (size: Int, bytes: (Int, Int) -> Data)? = nil,
                         sheetPart: (size: Int, bytes: (Int, Int) -> Data)? = nil,
                         workbookPart: (size: Int, bytes: (Int, Int) -> Data)? = nil) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        func add(_ name: String, _ text: String) throws {
            let d = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(d.count), compressionMethod: .deflate,
                                 provider: { pos, size in d.subdata(in: Int(pos)..<Int(pos) + size) })
        }
        if let part = workbookPart {
            try archive.addEntry(with: "xl/workbook.xml", type: .file, uncompressedSize: Int64(part.size), compressionMethod: .deflate,
                                 bufferSize: 1 << 20, provider: { pos, size in part.bytes(Int(pos), size) })
        } else {
            try add("xl/workbook.xml", "<workbook><sheets><sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")
        }
        try add("xl/_rels/workbook.xml.rels", "<Relationships><Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\"/></Relationships>")
        if let part = sheetPart {
            try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(part.size), compressionMethod: .deflate,
                                 bufferSize: 1 << 20, provider: { pos, size in part.bytes(Int(pos), size) })
        } else {
            try add("xl/worksheets/sheet1.xml", sheet)
        }
        if let sst = sharedStrings {
            try archive.addEntry(with: "xl/sharedStrings.xml", type: .file, uncompressedSize: Int64(sst.size), compressionMethod: .deflate,
                                 bufferSize: 1 << 20, provider: { pos, size in sst.bytes(Int(pos), size) })
        }
    }

    /// A part's bytes by position, `prefix` + `unit` repeated + `suffix`, made a slice at a time.
    static func periodic(_ prefix: String, _ unit: String, count: Int, _ suffix: String) -> (size: Int, bytes: (Int, Int) -> Data) {
        let p = Array(prefix.utf8), u = Array(unit.utf8), x = Array(suffix.utf8)
        let total = p.count + u.count * count + x.count
        var pattern: [UInt8] = []
        while pattern.count < (2 << 20) + u.count { pattern += u }
        return (total, { pos, size in
            var out = Data(capacity: size)
            var at = pos
            while at < pos + size {
                if at < p.count {
                    let n = min(p.count - at, pos + size - at)
                    out.append(contentsOf: p[at..<(at + n)])
                    at += n
                } else if at >= total - x.count {
                    let from = at - (total - x.count), n = min(x.count - from, pos + size - at)
                    out.append(contentsOf: x[from..<(from + n)])
                    at += n
                } else {
                    let from = (at - p.count) % u.count, n = min(total - x.count - at, pos + size - at, 1 << 20)
                    out.append(contentsOf: pattern[from..<(from + n)])
                    at += n
                }
            }
            return out
        })
    }

    static let header = """
        <row r="1"><c r="A1" t="inlineStr"><is><t>记录ID</t></is></c><c r="B1" t="inlineStr"><is><t>提问时间</t></is></c>\
        <c r="C1" t="inlineStr"><is><t>用户问题</t></is></c><c r="D1" t="inlineStr"><is><t>问答结果</t></is></c></row>
        """

    static func row(_ n: Int, ref: String = "A") -> String {
        """
        <row r="\(n)"><c r="\(ref)\(n)" t="inlineStr"><is><t>id\(n)</t></is></c><c r="B\(n)" t="inlineStr"><is><t>2025-12-01 09:00</t></is></c>\
        <c r="C\(n)" t="inlineStr"><is><t>问题\(n)</t></is></c><c r="D\(n)" t="inlineStr"><is><t>回答</t></is></c></row>
        """
    }

    /// Imports under a 1 GB address-space limit, reporting the peak memory.
    static func importLimited(_ cli: CLI, _ file: String) throws -> (status: Int32, out: String, err: String, peakMB: Int) {
        let r = try cli.run(["/bin/sh", "-c", "ulimit -v 1000000; exec \"$0\" import \"$1\" --db \"$2\"", CLI.binary.path, file, cli.db],
                            env: ["WORKBENCH_PRINT_PEAK_RSS": "1"], executable: URL(fileURLWithPath: "/bin/sh"))
        let kb = r.out.split(separator: "\n").first { $0.hasPrefix("peak-rss-kb:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        return (r.status, r.out, r.err, kb / 1024)
    }

    /// Cases 3, 4 and 13 (a shared string out of range): cell references beyond Excel's bounds,
    /// parts that inflate far beyond any log, a 30 MB line — one line on stderr, exit 1 (or the
    /// line skipped and reported), and memory under 100 MB.
    @Test func hostileWorkbooksAndLinesAreRefusedInOneLine() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        func refused(_ name: String, _ sheet: String, _ words: [String], sst: (size: Int, bytes: (Int, Int) -> Data)? = nil,
                     sheetPart: (size: Int, bytes: (Int, Int) -> Data)? = nil) throws {
            let path = cli.dir.appendingPathComponent(name).path
            try Self.workbook(path, sheet: sheet, sharedStrings: sst, sheetPart: sheetPart)
            let r = try Self.importLimited(cli, path)
            let lines = r.err.split(separator: "\n")
            #expect(r.status == 1 && lines.count == 1 && words.allSatisfy { r.err.contains($0) }, "\(name): \(r.status) \(r.err)")
            #expect(r.peakMB >= 0 && r.peakMB < 100, "\(name): peak \(r.peakMB) MB")
        }
        for ref in ["ZZZZZZZZZZZZZZ", "ZZZZZZZ", "ZZZZZ", "XFE"] {
            try refused("ref-\(ref).xlsx", "<worksheet><sheetData>\(Self.header)\(Self.row(2, ref: ref))</sheetData></worksheet>",
                        ["第 2 行", "单元格 \(ref)2", "16,384"])
        }
        try refused("row.xlsx", "<worksheet><sheetData>\(Self.header)\(Self.row(99_999_999))</sheetData></worksheet>", ["1,048,576"])
        try refused("index.xlsx", "<worksheet><sheetData>\(Self.header)<row r=\"2\"><c r=\"A2\" t=\"s\"><v>7</v></c></row></sheetData></worksheet>",
                    ["第 2 行", "A2", "共享字符串序号 7"])
        // A sheet cell of 20 MB, and a shared string of 20 MB: never held whole.
        let big = 20 << 20
        try refused("cell.xlsx", "", ["第 2 行"],
                    sheetPart: Self.periodic("<worksheet><sheetData>\(Self.header)<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>", "A", count: big, ""))
        try refused("sst.xlsx", "<worksheet><sheetData>\(Self.header)</sheetData></worksheet>", ["共享字符串"],
                    sst: Self.periodic("<sst><si><t>", "B", count: big, ""))
        // 20 MB of ordinary shared strings (1 KB each): imported, from a temporary file, not memory.
        let n = 20_000
        let many = cli.dir.appendingPathComponent("many.xlsx").path
        try Self.workbook(many, sheet: "<worksheet><sheetData>\(Self.header)\(Self.row(2))<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>x3</t></is></c><c r=\"B3\" t=\"inlineStr\"><is><t>2025-12-01 09:00</t></is></c><c r=\"C3\" t=\"s\"><v>\(n - 1)</v></c></row></sheetData></worksheet>",
                          sharedStrings: Self.periodic("<sst>", "<si><t>" + String(repeating: "社", count: 340) + "</t></si>", count: n, "</sst>"))
        let ok = try Self.importLimited(cli, many)
        #expect(ok.status == 0 && ok.out.contains("导入 2 条"), "\(ok.out) \(ok.err)")
        #expect(ok.peakMB < 100, "peak \(ok.peakMB) MB")
        #expect(try SQLiteRecordStore(path: cli.db).record(id: "x3")?.question == String(repeating: "社", count: 340))
        // JSONL: a 30 MB line between two good ones is skipped and named; the good ones are kept.
        let jsonl = cli.dir.appendingPathComponent("long.jsonl").path
        FileManager.default.createFile(atPath: jsonl, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: jsonl))
        h.write(Data("{\"记录ID\":\"j1\",\"提问时间\":\"2025-12-01 09:00\",\"用户问题\":\"问\",\"问答结果\":\"答\"}\n".utf8))
        h.write(Data("{\"记录ID\":\"j2\",\"用户问题\":\"".utf8))
        let chunk = Data(repeating: UInt8(ascii: "q"), count: 1 << 20)
        for _ in 0..<30 { h.write(chunk) }
        h.write(Data("\"}\n{\"记录ID\":\"j3\",\"提问时间\":\"2025-12-01 09:00\",\"用户问题\":\"问\",\"问答结果\":\"答\"}\n".utf8))
        try h.close()
        let j = try Self.importLimited(cli, jsonl)
        #expect(j.status == 0 && j.out.contains("导入 2 条") && j.err.contains("第 2 行") || j.err.contains(":2"), "\(j.out) \(j.err)")
        #expect(j.peakMB < 100, "peak \(j.peakMB) MB")
    }

    /// Case 11: a database from a newer Workbench is refused, unchanged; a dropped index comes back.
    @Test func newerOrDamagedSchemas() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let sqlite = { (sql: String) in
            let store = try SQLiteRecordStore(path: cli.db)
            try store.dbQueue.write { db in try db.execute(sql: sql) }
        }
        let indexes = {
            try SQLiteRecordStore(path: cli.db).dbQueue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
            }
        }
        let before = try indexes()
        let dropped = try #require(before.first)
        try sqlite("DROP INDEX \(dropped)")
        #expect(Set(try indexes()) == Set(before))  // opening the file (to read the list) put it back
        #expect(try cli.run(["list", "--db", cli.db]).status == 0)
        // Reading leaves the file as it was, byte for byte.
        let bytes = { try Data(contentsOf: URL(fileURLWithPath: cli.db)) }
        let unread = try bytes()
        for command in [["list"], ["report"], ["history", "1"], ["reviewers"], ["agreement"]] {
            _ = try cli.run(command + ["--db", cli.db])
        }
        #expect(try bytes() == unread)
        try sqlite("INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        let future = try bytes()
        // What the file holds.
        let sum = {
            try DatabaseQueue(path: cli.db).read { db in
                try [Int.fetchOne(db, sql: "SELECT count(*) FROM record"), Int.fetchOne(db, sql: "SELECT count(*) FROM label_history"),
                     Int.fetchOne(db, sql: "SELECT count(*) FROM grdb_migrations")]
            }
        }
        let was = try sum()
        for command in [["list"], ["report"], ["label", "1", "3", "--reviewer", "x"]] {
            let r = try cli.run(command + ["--db", cli.db])
            #expect(r.status == 1 && r.err.contains("v99: from the future") && r.err.contains("本程序最高为「v") && r.err.split(separator: "\n").count == 1,
                    "\(command): \(r.err)")
        }
        #expect(try sum() == was && bytes() == future)
    }

    /// Cases 5 and 14: reviewer names and ids with escape sequences are shown, never run; an
    /// entry id never becomes a path.
    @Test func escapesAreShownNeverRun() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let evil = "李\u{1B}]52;c;ZXZpbA==\u{07}\u{1B}[2J"
        #expect(try cli.run(["label", "1", "3", "--reviewer", evil, "--db", cli.db]).status == 0)
        for command in [["history", "1"], ["list"], ["reviewers"], ["report", "--by", "reviewer"], ["label", "2", "3", "--reviewer", evil],
                        ["list", "--org", "\u{1B}[2J"], ["history", "\u{1B}]0;title\u{07}"]] {
            let r = try cli.run(command + ["--db", cli.db])
            #expect(!(r.out + r.err).unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B }, "\(command)")
        }
        #expect(try cli.run(["history", "1", "--db", cli.db]).out.contains("李^[]52;c;ZXZpbA==^G^[[2J"))
        #expect(ExternalEditor.safeFileName("../x.txt") == "___x.txt" && ExternalEditor.safeFileName("a/b") == "a_b")
    }

    /// A tmpfs of `megabytes` mounted in a new folder (root only: CI and this machine run as root).
    final class Mount {
        let path: String
        convenience init(megabytes: Int) throws { try self.init(kilobytes: megabytes * 1024) }
        init(kilobytes: Int) throws {
            path = NSTemporaryDirectory() + "wb-mount-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let status = Self.sh("/bin/mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path)
            if status != 0 { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: "mount tmpfs at \(path): \(status)"]) }
        }
        func remountReadOnly() { #expect(Self.sh("/bin/mount", "-o", "remount,ro", path) == 0) }
        deinit {
            _ = Self.sh("/bin/umount", path)
            try? FileManager.default.removeItem(atPath: path)
        }
        @discardableResult
        static func sh(_ args: String...) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: args[0])
            p.arguments = Array(args.dropFirst())
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return -1 }
            p.waitUntilExit()
            return p.terminationStatus
        }
    }

    static func md5(_ path: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Cases 9 and 12: a read-only filesystem, a file its user cannot write, a full disk. Reading
    /// works and changes nothing (no -wal or -shm left either); every write is refused in one line
    /// that says why.
    @Test func readOnlyAndFullDisksAreReadNeverWritten() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let fm = FileManager.default
        func readsButRefusesWrites(_ db: String, why: String, as user: [String] = [], binary: String = CLI.binary.path) throws {
            let before = Self.md5(db)
            let bin = user.isEmpty ? [] : user + [binary]
            let exe = user.isEmpty ? nil : URL(fileURLWithPath: user[0])
            for command in [["list"], ["report"], ["history", "1"], ["db", "check"]] {
                let r = try cli.run(bin + command + ["--db", db], executable: exe)
                #expect(r.status == 0 && r.err.isEmpty, "\(why) \(command): \(r.err)")
            }
            #expect(try cli.run(bin + ["list", "--db", db], executable: exe).out.contains("社保卡丢了怎么办"))
            for command in [["label", "1", "3"], ["review", "1"], ["import", cli.dir.appendingPathComponent("log.csv").path],
                            ["kb", "import", cli.dir.appendingPathComponent("log.csv").path]] {
                let r = try cli.run(bin + command + ["--db", db], executable: exe)
                #expect(r.status == 1 && r.err.contains(why) && r.err.split(separator: "\n").count == 1, "\(why) \(command): \(r.err)")
            }
            #expect(Self.md5(db) == before)
            let dir = (db as NSString).deletingLastPathComponent
            #expect(try fm.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("cli.sqlite") } == ["cli.sqlite"], "\(why)")
        }
        // Everything written back, so the copies carry no -wal.
        _ = try SQLiteRecordStore(path: cli.db).dbQueue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        _ = cli.file("log.csv", "记录ID,提问时间,组织机构,用户问题,问答结果\n9,2025-12-03 09:00:00,海门市,问,答\n")

        let ro = try Mount(megabytes: 20)
        try fm.copyItem(atPath: cli.db, toPath: ro.path + "/cli.sqlite")
        ro.remountReadOnly()
        try readsButRefusesWrites(ro.path + "/cli.sqlite", why: "只读文件系统")

        // The disk full: nothing can be made, not even SQLite's 32 KB -shm.
        let full = try Mount(megabytes: 2)
        try fm.copyItem(atPath: cli.db, toPath: full.path + "/cli.sqlite")
        let filler = FileHandle(forWritingAtPath: { _ = fm.createFile(atPath: full.path + "/fill", contents: nil); return full.path + "/fill" }())!
        let block = Data(count: 64 * 1024)
        while (try? filler.write(contentsOf: block)) != nil {}
        try? filler.close()
        try readsButRefusesWrites(full.path + "/cli.sqlite", why: "磁盘已满")

        // A file and folder its user may read but not write (root passes permission checks, so as nobody).
        let shared = cli.dir.appendingPathComponent("shared").path
        try fm.createDirectory(atPath: shared, withIntermediateDirectories: true)
        try fm.copyItem(atPath: cli.db, toPath: shared + "/cli.sqlite")
        chmod(shared + "/cli.sqlite", 0o644)
        chmod(cli.dir.path, 0o755)
        chmod(shared, 0o755)
        try readsButRefusesWrites(shared + "/cli.sqlite", why: "写权限", as: ["/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"],
                                  binary: try Self.binaryAnyoneCanRun(in: cli.dir.path))
    }

    /// The workbench binary and its resource bundles copied where any user can run them: a clone
    /// made by `mktemp -d` is 0700, and nobody could not read the build folder (Foundation's
    /// `Bundle.main` then stops the program).
    static func binaryAnyoneCanRun(in dir: String) throws -> String {
        let fm = FileManager.default
        let bin = (dir as NSString).appendingPathComponent("bin")
        try fm.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let build = CLI.binary.deletingLastPathComponent().path
        for name in try fm.contentsOfDirectory(atPath: build) where name == "workbench" || name.hasSuffix(".resources") {
            try fm.copyItem(atPath: (build as NSString).appendingPathComponent(name), toPath: (bin as NSString).appendingPathComponent(name))
        }
        _ = Mount.sh("/bin/chmod", "-R", "a+rX", bin)
        return (bin as NSString).appendingPathComponent("workbench")
    }

    /// Case 9 in the app: the header says 只读 and a label key says why nothing is saved.
    @Test func theAppOnAReadOnlyDatabaseSaysSoAndRefusesLabels() throws {
        let f = try AppFixture()
        _ = try f.store.dbQueue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        let ro = try Mount(megabytes: 20)
        try FileManager.default.copyItem(atPath: f.store.path, toPath: ro.path + "/app.sqlite")
        ro.remountReadOnly()
        let store = try SQLiteRecordStore(path: ro.path + "/app.sqlite")
        #expect(store.readOnly?.contains("只读文件系统") == true)
        let s = try ReviewSession(store: store, reference: .bundled, reviewer: "张敏", lang: .zh,
                                  location: "app.sqlite", clock: { AppFixture.now })
        ReviewScreen.prepare(s, width: 80, height: 24)
        #expect(ReviewScreen.draw(s, width: 80, height: 24).row(0).contains("[只读]"))
        let first = s.selectedRecord?.id
        s.perform(s.handle(.char("3")))
        #expect(s.message?.role == .error && s.message?.text.zh.hasPrefix("未保存：数据库只读") == true)
        #expect(s.pending.isEmpty && s.selectedRecord?.id == first)
        #expect(try store.record(id: first ?? "")?.label == nil)
        let canvas = ReviewScreen.draw(s, width: 80, height: 24)
        #expect((0..<24).map(canvas.row).contains { $0.contains("未保存") })
    }

    /// Case 10: 4 KB of garbage in the middle of the file. Every write is refused with how to
    /// recover; `db check` names the damage (exit 1); `db backup` copies a sound file while it is open.
    @Test func aDamagedDatabaseIsNeverWrittenAndSaysHowToRecover() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--db", cli.db, "--records", "3000"]).status == 0)
        _ = try SQLiteRecordStore(path: cli.db).dbQueue.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        let backup = cli.dir.appendingPathComponent("backup.sqlite").path
        let b = try cli.run(["db", "backup", backup, "--db", cli.db])
        #expect(b.status == 0 && b.out.contains("已备份"), "\(b.err)")
        #expect(try cli.run(["db", "backup", backup, "--db", cli.db]).status == 1)  // never over an existing file
        let good = try cli.run(["db", "check", "--db", backup])
        #expect(good.status == 0 && good.out.contains("完好"))
        let counts = { (db: String) in try cli.run(["list", "--db", db, "--limit", "1"]).out.split(separator: "\n").last.map(String.init) }
        #expect(try counts(backup) == counts(cli.db))

        let size = try #require(try FileManager.default.attributesOfItem(atPath: cli.db)[.size] as? Int)
        let h = try #require(FileHandle(forUpdatingAtPath: cli.db))
        try h.seek(toOffset: UInt64(size / 2 / 4096 * 4096))
        try h.write(contentsOf: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919 &+ 13) }))
        try h.close()
        let damaged = Self.md5(cli.db)
        for command in [["label", "1700000000000000001", "3"], ["import", backup], ["kb", "import", backup]] {
            let r = try cli.run(command + ["--db", cli.db])
            #expect(r.status == 1 && r.err.contains("已损坏") && r.err.contains(".recover") && r.err.split(separator: "\n").count == 1,
                    "\(command): \(r.err)")
        }
        let check = try cli.run(["db", "check", "--db", cli.db])
        #expect(check.status == 1 && check.out.contains("已损坏") && check.out.contains("recover"))
        #expect(Self.md5(cli.db) == damaged)
    }

    /// Case 2: an id stored already with other content, and a repeated id inside one file, are
    /// conflicts: counted, listed with file:line and the fields that differ, both sides kept.
    /// A plain re-import of identical rows stays silent.
    @Test func importConflictsAreListedAndBothSidesKept() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let header = "记录ID,提问时间,组织机构,用户问题,问答结果\n"
        let a = cli.file("a.csv", header + "1,2025-12-01 09:00:00,海门市,问一,答一\n2,2025-12-01 09:00:00,海门市,问二,答二\n2,2025-12-01 09:00:00,海门市,问二,答二改\n")
        let first = try cli.run(["import", a, "--db", cli.db])
        #expect(first.status == 0 && first.out.contains("导入 2 条") && first.out.contains("冲突 1 条"))
        #expect(first.err.contains("a.csv:4") && first.err.contains("记录 2") && first.err.contains("问答结果"), "\(first.err)")
        let b = cli.file("b.csv", header + "1,2025-12-01 09:00:00,如皋市,问一,答一\n2,2025-12-01 09:00:00,海门市,问二,答二\n")
        for _ in 0..<2 {
            let r = try cli.run(["import", b, "--db", cli.db])
            #expect(r.status == 0 && r.out.contains("已存在 1 条") && r.out.contains("冲突 1 条"))
            #expect(r.err.contains("b.csv:2") && r.err.contains("组织机构") && !r.err.contains("记录 2"), "\(r.err)")
        }
        // Identical rows again: silent.
        let again = try cli.run(["import", a, "--db", cli.db])
        #expect(again.out.contains("已存在 2 条"))
        // Both sides recoverable: the stored record as it was, the incoming one in the conflicts (once each).
        #expect(try cli.run(["list", "--db", cli.db, "--format", "jsonl"]).out.contains("\"answer\":\"答二\""))
        let listed = try cli.run(["history", "--conflicts", "--db", cli.db])
        #expect(listed.status == 0 && listed.out.components(separatedBy: "导入的一份").count - 1 == 2, "\(listed.out)")
        #expect(listed.out.contains("\"answer\":\"答二改\"") && listed.out.contains("\"org\":\"如皋市\""))
        let one = try cli.run(["history", "2", "--conflicts", "--db", cli.db])
        #expect(one.out.contains("a.csv:4") && !one.out.contains("b.csv"))
        #expect(try cli.run(["history", "--db", cli.db]).status != 0)
    }

    /// Case 13: one bad byte in a UTF-8 file names its line, field and byte and the good rows
    /// import; CR-only line ends read as lines; a repeated header is named; a U+0000 is refused
    /// with its row and field (SQLite's text would end there).
    @Test func smallerFileFaultsAreNamed() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let header = "记录ID,提问时间,组织机构,用户问题,问答结果\n"
        var bytes = Array((header + "1,2025-12-01 09:00:00,海门市,问一,答一\n2,2025-12-01 09:00:00,海门市,问").utf8)
        bytes += [0xFF] + Array("二,答二\n".utf8)
        for i in 3...5 { bytes += Array("\(i),2025-12-01 09:00:00,海门市,问题\(i),回答\(i)\n".utf8) }
        let bad = cli.dir.appendingPathComponent("bad.csv").path
        FileManager.default.createFile(atPath: bad, contents: Data(bytes))
        let r = try cli.run(["import", bad, "--db", cli.db])
        #expect(r.status == 2 && r.out.contains("导入 4 条") && r.out.contains("拒绝 1 条"), "\(r.out) \(r.err)")
        #expect(r.err.contains("bad.csv:3") && r.err.contains("用户问题") && r.err.contains("第 4 字节 0xFF"), "\(r.err)")

        let cr = cli.file("cr.csv", (header + "6,2025-12-01 09:00:00,海门市,问六,\"答\r六\"\n7,bad,海门市,问七,答七\n8,2025-12-01 09:00:00,海门市,问八,答八\n")
            .replacingOccurrences(of: "\n", with: "\r"))
        let c = try cli.run(["import", cr, "--db", cli.db])
        #expect(c.out.contains("导入 2 条") && c.out.contains("拒绝 1 条") && c.err.contains("cr.csv:3") && !c.err.contains("列数"), "\(c.out) \(c.err)")
        #expect(try cli.run(["list", "--db", cli.db, "--format", "jsonl"]).out.contains("\"answer\":\"答\\r六\""))

        let dup = cli.file("dup.csv", "记录ID,提问时间,组织机构,问题,问答结果,用户问题\n9,2025-12-01 09:00:00,海门市,问九,答九,另一列\n")
        let d = try cli.run(["import", dup, "--db", cli.db])
        #expect(d.out.contains("导入 1 条") && d.err.contains("用户问题（第 6 列，与第 4 列「问题」同为用户问题"), "\(d.err)")

        let nul = cli.file("nul.jsonl", "{\"记录ID\":\"10\",\"提问时间\":\"2025-12-01 09:00:00\",\"用户问题\":\"问\\u0000十\",\"问答结果\":\"答\"}\n"
                           + "{\"记录ID\":\"11\",\"提问时间\":\"2025-12-01 09:00:00\",\"用户问题\":\"问十一\",\"问答结果\":\"答\"}\n")
        let n = try cli.run(["import", nul, "--db", cli.db])
        #expect(n.out.contains("导入 1 条") && n.err.contains("nul.jsonl:1") && n.err.contains("用户问题") && n.err.contains("NUL"), "\(n.err)")
    }
}
