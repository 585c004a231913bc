import Foundation
import Testing
@testable import Model

/// Issue 36 ("nothing silently lost"), the import: a broken quote costs its own line; rows imported
/// differently from the file (no id, an organisation not in the reference data) are counted and
/// named; a FIFO without a writer is refused at once.
@Suite struct ImportNothingLostTests {
    func importer(_ store: RecordStore) -> Importer { Importer(store: store, reference: .bundled) }

    static func row(_ i: Int, question: String? = nil, answer: String? = nil) -> String {
        "\(i),2025-12-01 09:\(String(format: "%02d", i % 60)):00,如皋市,\(question ?? "问题\(i)"),\(answer ?? "回答\(i)"),养老保险,其他\n"
    }

    /// Before: 2,000 rows gave 10 imported, one bad row and 1,989 gone.
    @Test(arguments: StoreKind.all) func anUnclosedQuoteCostsOneRowNotTheRest(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var csv = header
        for i in 1...2_000 { csv += Self.row(i, question: i == 10 ? "\"问题十没有闭合" : nil) }
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(dir.write("big.csv", csv))
        #expect(s.imported == 1_999 && s.rejected == 1)
        let p = try #require(s.problems.first)
        #expect(p.line == 11 && p.field == "用户问题")
        #expect(p.description.contains("big.csv:11: [用户问题] 引号未闭合（第 11 行第 4 列开始）「\"问题十没有闭合,回答10"), "\(p)")
        #expect(p.reason.contains("到文件末尾也没有闭合") && p.reason.contains("第 12 行起重新读取"), "\(p)")
        #expect(try store.record(id: "10") == nil)
        #expect(try store.record(id: "11")?.question == "问题11")
        #expect(try store.record(id: "2000")?.answer == "回答2000")
        #expect(try store.totalCount() == 1_999)
    }

    /// Before: 10 rows gave 4 imported, 1 rejected, 5 gone without a word.
    @Test func tenRowsLoseOnlyTheBrokenOne() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var csv = header
        for i in 1...10 { csv += Self.row(i, question: i == 5 ? "\"问题五" : nil) }
        let store = try makeStore(dir)
        let s = try importer(store).importFile(dir.write("ten.csv", csv))
        #expect(s.imported == 9 && s.rejected == 1 && s.problems.map(\.line) == [6])
    }

    /// Before: a later row's quote closed the broken one, the lines between were merged into its
    /// question and nothing was rejected.
    @Test(arguments: StoreKind.all) func aLaterQuoteDoesNotMergeLinesIntoTheBrokenRow(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var csv = header
        for i in 1...10 {
            csv += Self.row(i, question: i == 5 ? "\"问题五" : nil, answer: i == 8 ? "\"回答八, 有逗号\"" : nil)
        }
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(dir.write("merge.csv", csv))
        #expect(s.imported == 9 && s.rejected == 1)
        #expect(s.problems.first?.line == 6)
        #expect(s.problems.first?.reason.contains("引号未闭合（第 6 行第 4 列开始）") == true)
        #expect(s.problems.first?.reason.contains("直到第 9 行才遇到的引号后紧跟「回答八」") == true, "\(s.problems)")
        #expect(try store.record(id: "5") == nil)
        for i in [6, 7, 9] { #expect(try store.record(id: "\(i)")?.question == "问题\(i)") }
        #expect(try store.record(id: "8")?.answer == "回答八, 有逗号")
    }

    /// What a message shows of a line it could not use has its numbers masked, as imported text has.
    @Test func whatIsShownOfABadLineIsMasked() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = "记录ID,提问时间,组织机构,用户问题,问答结果\n"
            + "1,2025-12-01 09:00,海门区,\"身份证320682198503121233，手机13800001234,答\n"
            + "2,2025-12-01 09:00,海门区,问二,答二\n3,13800001234\n"
        let store = try makeStore(dir)
        let s = try importer(store).importFile(dir.write("pii.csv", csv))
        #expect(s.imported == 1 && s.problems.map(\.line) == [2, 4])
        #expect(s.problems[0].reason.contains("「\"身份证320682********12…」"), "\(s.problems[0])")
        #expect(s.problems[1].reason.contains("列数不对：应为 5 列，实为 2 列「3,138****1234」"), "\(s.problems[1])")
        #expect(!s.problems.map(\.description).joined().contains("198503121233"))
    }

    /// The issue's small case: 14 columns, a quote opened in column 5 on line 7, a good row on
    /// line 8. Before: `bad.csv:7: 列数不对：应为 14 列，实为 5 列` and line 8 gone.
    @Test func theSmallCaseNamesLineSevenAndKeepsLineEight() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let head = "记录ID,会话ID,轮次,提问时间,渠道,组织机构,用户问题,问答结果,知识ID,标准问,是否兜底,一级业务类型,二级业务类型,满意度\n"
        func row(_ i: Int, channel: String = "微信公众号", answer: String? = nil) -> String {
            "\(i),S\(i),1,2025-12-01 09:00:0\(i),\(channel),海门区,问\(i),\(answer ?? "答\(i)"),KB\(i),标准问\(i),否,养老保险,其他,5\n"
        }
        let twoLines = { (i: Int) in "\"答\(i)\n第二行\"" }
        // Lines: 1 header, 2-3, 4-5, 6, 7 (broken), 8, 9-10.
        let csv = head + row(1, answer: twoLines(1)) + row(2, answer: twoLines(2)) + row(3) + row(4, channel: "\"微信")
            + row(5, channel: "网站") + row(6, answer: twoLines(6))
        let store = try makeStore(dir)
        let s = try importer(store).importFile(dir.write("bad.csv", csv))
        #expect(s.problems.map(\.line) == [7], "\(s.problems)")
        let p = try #require(s.problems.first)
        #expect(p.description.hasPrefix("\(dir.path("bad.csv")):7: [渠道] 引号未闭合（第 7 行第 5 列开始）「\"微信,海门区,问4,答4,KB4"), "\(p)")
        #expect(p.reason.contains("直到第 9 行才遇到的引号后紧跟「答6」") && p.reason.contains("第 8 行起重新读取"), "\(p)")
        #expect(s.imported == 5 && s.rejected == 1)
        #expect(try store.record(id: "5")?.channel == "网站")
        #expect(try store.record(id: "6")?.answer == "答6\n第二行")
    }

    /// Answers over lines (first column, doubled quotes, CRLF, commas) still import whole, at a
    /// size where records cross the reader's buffer.
    @Test(arguments: StoreKind.all) func answersOverLinesStillImportWhole(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var csv = "问答结果,记录ID,提问时间,用户问题\r\n"
        var answers: [String] = []
        for i in 0..<3_000 {
            let a = "您好：\r\n1. 登录\"江苏智慧人社\", 第\(i)步\n2. " + String(repeating: "材料", count: i % 400) + "\n"
            answers.append(a)
            csv += "\"\(a.replacingOccurrences(of: "\"", with: "\"\""))\",m\(i),2025-12-01 09:00,问\(i)\r\n"
        }
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(dir.write("multi.csv", csv))
        #expect(s.imported == 3_000 && s.rejected == 0, "\(s.problems.prefix(3))")
        for i in [0, 1, 399, 1_234, 2_999] { #expect(try store.record(id: "m\(i)")?.answer == answers[i]) }
    }

    @Test(arguments: StoreKind.all) func rowsWithoutAnIdAndUnknownOrganisationsAreCountedAndNamed(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = "记录ID,提问时间,所属机构,用户问题,问答结果\n"
            + "1,2025-12-01 09:00,火星区,问一,答一\n"
            + ",2025-12-01 09:01,海门市,问二,答二\n"
            + "  ,2025-12-01 09:02,火星区,问三,答三\n"
            + "4,2025-12-01 09:03,金星县,问四,答四\n"
            + ",2025-12-01 09:04,海门市,问五,答五\n"
            + "6,not a time,火星区,问六,答六\n"
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(dir.write("kinds.csv", csv))
        #expect(s.imported == 5 && s.rejected == 1)
        #expect(s.rowsWithoutId == 3 && s.rowsWithoutIdLines == [3, 4, 6])
        #expect(s.unknownOrgs == ["火星区": 2, "金星县": 1])
        // Imported as written, under the content id.
        #expect(try store.count(RecordFilter(orgs: ["火星区"])) == 2)
        let noId = try store.page(RecordFilter(text: "问二"), after: nil, limit: 5).records
        #expect(noId.count == 1 && noId[0].id.hasPrefix("h") && noId[0].id.count == 21)
        // A file without the column: every row counted.
        let none = try importer(store).importFile(dir.write("none.csv", "提问时间,用户问题\n2025-12-01 09:00,问七\n2025-12-01 09:01,问八\n"))
        #expect(none.rowsWithoutId == 2 && none.rowsWithoutIdLines == [2, 3] && none.imported == 2)
        // JSONL the same.
        let j = try importer(store).importFile(dir.write("k.jsonl", "{\"提问时间\":\"2025-12-01 09:00\",\"用户问题\":\"问九\",\"组织机构\":\"火星区\"}\n"))
        #expect(j.rowsWithoutId == 1 && j.unknownOrgs == ["火星区": 1])
    }

    /// Opening a FIFO used to block until a writer came; now it is refused at once, in one line.
    @Test func aFifoWithoutAWriterIsRefusedAtOnce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let fifo = dir.path("pipe.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        let store = try makeStore(dir)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<ImportSummary, Error>?
        nonisolated(unsafe) let imp = importer(store)
        Thread {
            outcome = Result { try imp.importFile(fifo) }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 10) == .timedOut {
            Issue.record("import of a FIFO without a writer still waiting after 10 s")
            // Let the blocked open go: a writer comes and goes.
            let w = open(fifo, O_WRONLY)
            close(w)
            done.wait()
            return
        }
        guard case .failure(let error)? = outcome else { Issue.record("imported: \(String(describing: outcome))"); return }
        #expect(error is ImportFileError)
        #expect("\(error)".contains("命名管道（FIFO），打开时没有写入方") && !"\(error)".contains("\n"), "\(error)")
        #expect(try store.totalCount() == 0)
    }

    /// A FIFO whose writer is there streams as a file does (so `import <(zcat …)` works).
    @Test func aFifoWithAWriterImports() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let fifo = dir.path("pipe.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        var csv = header
        for i in 1...3_000 { csv += Self.row(i) }
        let bytes = Array(csv.utf8)
        // A reader that never reads holds the FIFO open, so the writer is there before the import
        // opens it (the import does not wait for a writer; that is the point).
        let holder = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(holder >= 0)
        let opened = DispatchSemaphore(value: 0)
        Thread {
            let fd = open(fifo, O_WRONLY)
            opened.signal()
            var off = 0
            while off < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, min(4096, bytes.count - off)) }
                if n <= 0 { break }
                off += n
                if off < 70_000 { usleep(200) }  // slower than the reader at first: reads wait for data
            }
            close(fd)
        }.start()
        opened.wait()
        let store = try makeStore(dir)
        let summary = try importer(store).importFile(fifo)
        close(holder)
        #expect(summary.imported == 3_000 && summary.rejected == 0)
        #expect(summary.encoding == "utf-8")
    }
}
