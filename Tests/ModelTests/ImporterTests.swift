import Foundation
import Testing
@testable import Model

@Suite struct ImporterTests {
    let reference = ReferenceData.bundled

    func importer(_ store: RecordStore) -> Importer { Importer(store: store, reference: reference) }

    @Test(arguments: StoreKind.all) func importsGoodRowsAndReportsBadOnesByLine(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = header
            + "1,2025-12-01 09:15:33,如皋市,失业金怎么领？,\"您好，\n1. 登录\"\"江苏智慧人社\"\"\",失业保险,失业保险金申领\n"
            + "2,not a date,如皋市,问题,回答,失业保险,失业保险金申领\n"  // line 4
            + "3,2025-12-01 09:15:33,如皋市,,回答,失业保险,失业保险金申领\n"  // line 5: no question
            + "4,2025-12-01 09:15:33,如皋市,问题\n"  // line 6: ragged
            + "5,2025/12/2 8:05,港闸区,港闸区社保中心在哪？,地址是……,经办服务,网点信息\n"
        let path = dir.write("log.csv", csv)
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 2)
        #expect(s.rejected == 3)
        #expect(s.problems.map(\.line) == [4, 5, 6])
        #expect(s.problems[0].field == "提问时间")
        #expect(s.problems[0].description.contains("log.csv:4"))
        #expect(s.problems[1].field == "用户问题")
        #expect(s.problems[2].reason.contains("7"))
        let r1 = try #require(try store.record(id: "1"))
        #expect(r1.answer == "您好，\n1. 登录\"江苏智慧人社\"")
        #expect(r1.biz1 == "失业保险" && r1.biz2 == "失业保险金申领")
        #expect(try store.record(id: "5")?.org == "崇川区")
    }

    @Test(arguments: StoreKind.all) func reimportAddsNothingTwice(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = dir.write("a.csv", header + "1,2025-12-01 09:00,海安市,问1,答1,养老保险,其他\n2,2025-12-01 10:00,海安市,问2,答2,养老保险,其他\n")
        let b = dir.write("b.csv", header + "2,2025-12-01 10:00,海安市,问2,答2,养老保险,其他\n3,2025-12-01 11:00,海安市,问3,答3,养老保险,其他\n")
        let store = try makeStore(dir, kind)
        let imp = importer(store)
        #expect(try imp.importFile(a).imported == 2)
        let again = try imp.importFile(a)
        #expect(again.imported == 0 && again.existing == 2)
        let overlap = try imp.importFile(b)
        #expect(overlap.imported == 1 && overlap.existing == 1)
        #expect(try store.totalCount() == 3)
    }

    /// Every character COPY's text format treats specially comes back as it was; an id twice in one
    /// file (one batch) is stored once, the second copy a conflict; labels arrive with history; the
    /// records keep the file's order across batches.
    @Test(arguments: StoreKind.all) func importKeepsEscapesDuplicatesAndOrderAcrossBatches(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let tricky = "制表\t符\\N 反斜杠\\ \\n 回车\r\n换行\n\\."
        var csv = header.replacingOccurrences(of: "\n", with: ",标注结果\n")
        csv += "d1,2025-12-01 09:00,海安市,\"\(tricky.replacingOccurrences(of: "\"", with: "\"\""))\",\"\(tricky)\",养老保险,其他,回答正确\n"
        csv += "d1,2025-12-01 09:00,海安市,另一个问题,答,养老保险,其他,\n"
        for i in 0..<1_300 { csv += "n\(i),2025-12-01 10:00,如东县,问\(i),答\(i),养老保险,其他,\n" }
        let path = dir.write("tricky.csv", csv)
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 1_301)
        #expect(s.conflictCount == 1)
        let r = try #require(try store.record(id: "d1"))
        #expect(r.question == tricky.replacingOccurrences(of: "\r\n", with: "\n") || r.question == tricky)
        #expect(r.answer == r.question)
        #expect(r.label == .correct)
        #expect(try store.history(recordId: "d1").count == 1)
        var ids: [String] = []
        var cursor: PageCursor? = nil
        repeat {
            let page = try store.page(RecordFilter(), after: cursor, limit: 500)
            ids += page.records.map(\.id)
            cursor = page.next
        } while cursor != nil
        // Newest first: the file's last record at the top.
        let fileOrder = ["d1"] + (0..<1_300).map { "n\($0)" }
        #expect(ids.count == fileOrder.count)
        #expect(ids == Array(fileOrder.reversed()), "not in the file's order")
        let again = try importer(store).importFile(path)
        #expect(again.imported == 0 && again.existing == 1_301 && again.conflictCount == 1)
    }

    @Test(arguments: StoreKind.all) func rowsWithoutIDsAreIdentifiedByContent(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = "会话ID,轮次,提问时间,所属区县,问题,回答内容\nS1,1,2025-12-01 09:00,如东,问,答\nS1,2,2025-12-01 09:01,如东,问,答\n"
        let path = dir.write("noid.csv", csv)
        let store = try makeStore(dir, kind)
        #expect(try importer(store).importFile(path).imported == 2)
        let s2 = try importer(store).importFile(path)
        #expect(s2.imported == 0 && s2.existing == 2)
        let page = try store.page(RecordFilter(), after: nil, limit: 10)
        #expect(page.records.allSatisfy { $0.id.hasPrefix("h") && $0.id.count == 21 })
        #expect(page.records.allSatisfy { $0.org == "如东县" })
    }

    @Test func headerAliasesInAnyOrderAndCombinedBusinessType() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = "回答内容,业务类型,咨询时间,问题,所属区县,记录编号,是否兜底,标准问,满意度(1-5),奇怪的列\n"
            + "答,社会保险(综合)/缴费基数与费率,2025/12/1 9:05,问,海门市,X1,否,缴费基数是多少,5,?\n"
        let path = dir.write("alias.csv", csv)
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 1)
        #expect(s.unknownHeaders == ["奇怪的列"])
        let r = try #require(try store.record(id: "X1"))
        #expect(r.biz1 == "社会保险(综合)" && r.biz2 == "缴费基数与费率")
        #expect(r.org == "海门区")
        #expect(r.fallback == false)
        #expect(r.standardQuestion == "缴费基数是多少")
        #expect(r.satisfaction == "5")
        #expect(ShanghaiTime.format(r.askedAt) == "2025-12-01 09:05:00")
    }

    @Test func gb18030FileIsDetectedAndDecoded() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let text = header + "G1,2025-12-01 09:00,启东市,𠮷字怎么办社保卡？,请携带身份证。,社会保障卡,申领制卡\n"
        let path = dir.write("gbk.csv", gb18030(text))
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path)
        #expect(s.encoding == "gb18030")
        #expect(s.imported == 1)
        #expect(try store.record(id: "G1")?.question == "𠮷字怎么办社保卡？")
    }

    @Test func utf8WithBOMAndCRLF() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let text = header.replacingOccurrences(of: "\n", with: "\r\n") + "B1,2025-12-01 09:00,通州区,问,\"答\r\n第二行\",就业创业,其他\r\n"
        let path = dir.write("bom.csv", [0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path)
        #expect(s.encoding == "utf-8-bom" && s.imported == 1)
        #expect(try store.record(id: "B1")?.answer == "答\r\n第二行")
    }

    @Test(arguments: StoreKind.all) func personalDataIsMaskedOnImport(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("pii.csv", header + "P1,2025-12-01 09:00,如皋市,我身份证号是320682198503121233，手机13800001234,已为您查询到320682198503121233的记录,社会保险(综合),缴费记录查询\n")
        let store = try makeStore(dir, kind)
        _ = try importer(store).importFile(path)
        let r = try #require(try store.record(id: "P1"))
        #expect(r.question == "我身份证号是320682********1233，手机138****1234")
        #expect(r.answer == "已为您查询到320682********1233的记录")
    }

    /// The importer masks on its inserting thread: the stored record, the id made from the content
    /// of a log without ids, and the statistics facts are those of the masked texts, exactly as
    /// normalising the row in one go gives them.
    @Test(arguments: StoreKind.all) func maskingOnTheInsertingThreadGivesTheSameRecord(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let rows = ["2025-12-01 09:00,如皋市,我叫王小明，手机138-0000-1234，身份证320682198503121233,王小明您好，已查到138-0000-1234名下的记录",
                    "2025-12-01 09:01,海安市,失业金怎么领,请携带身份证到海安市人社局办理，电话12333"]
        let path = dir.write("noid.csv", "提问时间,组织机构,用户问题,问答结果\n" + rows.joined(separator: "\n") + "\n")
        let store = try makeStore(dir, kind)
        #expect(try importer(store).importFile(path).imported == 2)
        let reader = try CSVLogReader(source: try FileByteSource(path: path), file: path)
        let whole = RowNormaliser(reference: .bundled)
        var line = 1
        while let row = try reader.next() {
            guard case .row(let raw, _) = row else { continue }
            line += 1
            let expected = try whole.record(from: raw, file: path, line: line).get()
            #expect(expected.id.hasPrefix("h"))
            let stored = try #require(try store.record(id: expected.id), "\(expected.id)")
            #expect(stored.question == expected.question && stored.answer == expected.answer)
            let key = try #require(try store.key(recordId: expected.id))
            let facts = try #require(try store.statisticsRows(recordIds: [expected.id]).first { $0.key == key }).facts
            #expect(facts == RecordFacts.of(expected, rules: .defaultPhrases, topics: .bundled))
        }
        #expect(line == 3)
        #expect(try store.record(id: try #require(try store.page(RecordFilter(orgs: ["如皋市"]), after: nil, limit: 1).records.first?.id))?
            .question.contains("138-****-1234") == true)
    }

    @Test(arguments: StoreKind.all) func unreadableFilesAreRefusedWholeAndWriteNothing(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir, kind)
        let binary = dir.write("x.csv", [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x00])
        let noQuestion = dir.write("h.csv", "记录ID,提问时间\n1,2025-12-01\n")
        let empty = dir.write("e.csv", [UInt8]())
        let zip = dir.write("z.csv", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00])
        for p in [binary, noQuestion, empty, zip, dir.path("missing.csv"), dir.url.path] {
            #expect(throws: ImportFileError.self) { try importer(store).importFile(p) }
        }
        do { _ = try importer(store).importFile(noQuestion) } catch {
            #expect("\(error)".contains("用户问题"))
            #expect("\(error)".contains("h.csv"))
        }
        #expect(try store.totalCount() == 0)
    }

    @Test(arguments: StoreKind.all) func aFailureMidFileLeavesNothingBehind(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        // Valid GB18030 in the sniffed part, then a byte sequence that is not GB18030 at all.
        var bytes = gb18030(header + "1,2025-12-01 09:00,如皋市,问题一,回答,养老保险,其他\n")
        bytes += Array(repeating: UInt8(ascii: "a"), count: 70_000) + [0x0A]
        bytes += [0x81, 0x20, 0x0A]
        let path = dir.write("bad.csv", bytes)
        let store = try makeStore(dir, kind)
        #expect(throws: ImportFileError.self) { try importer(store).importFile(path, encoding: .gb18030) }
        #expect(try store.totalCount() == 0)
    }

    @Test func jsonlWithChineseOrEnglishKeys() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let lines = [
            #"{"id": "J1", "askedAt": "2025-12-01 09:00:00", "org": "海安县", "question": "问", "answer": "答\n二", "biz1": "养老保险", "biz2": "其他", "fallback": true}"#,
            #"{"记录ID": 320682198503121999, "提问时间": "2025/12/2 10:00", "组织机构": "如皋", "用户问题": "问二", "问答结果": "答二", "label": "3"}"#,
            "not json",
            "[1,2]",
            "",
        ]
        let path = dir.write("log.jsonl", lines.joined(separator: "\n"))
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 2)
        #expect(s.problems.map(\.line) == [3, 4])
        let j1 = try #require(try store.record(id: "J1"))
        #expect(j1.org == "海安市" && j1.fallback == true && j1.answer == "答\n二")
        let j2 = try #require(try store.record(id: "320682198503121999"))
        #expect(j2.label == .correct && j2.status == .labeled)
        #expect(try store.history(recordId: j2.id).map(\.action) == [.import])
    }

    @Test func listJSONLinesImportBackIdentically() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        let gen = DemoGenerator(seed: 3, end: ShanghaiTime.parse("2025-12-31 12:00")!, count: 150)
        try DemoData.populate(store: store, records: 150, generator: gen, reference: reference)
        let all = try store.page(RecordFilter(), after: nil, limit: 1000).records
        let path = dir.write("out.jsonl", all.map { RecordJSON.line($0) }.joined(separator: "\n"))
        let other = try SQLiteRecordStore(path: dir.path("other.sqlite"))
        let s = try importer(other).importFile(path)
        #expect(s.imported == 150 && s.rejected == 0)
        #expect(s.unknownHeaders.isEmpty)
        let back = try other.page(RecordFilter(), after: nil, limit: 1000).records
        #expect(back == all)
    }

    @Test func spreadsheetWrappedIDsAreUnwrappedAndMangledOnesRefused() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("ids.csv", "记录ID,提问时间,用户问题,备注\n\"=\"\"320682198503121999\"\"\",2025-12-01,问一,\n'017000000000000001,2025-12-01,问二,\n3.20682E+17,2025-12-01,问三,\n")
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 2 && s.rejected == 1)
        #expect(try store.record(id: "320682198503121999") != nil)
        #expect(try store.record(id: "017000000000000001") != nil)
        #expect(s.problems.first?.line == 4 && s.problems.first?.field == "记录ID")
    }

    @Test func aGarbledColumnNobodyReadsDoesNotCostTheRow() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let bytes = Array("记录ID,提问时间,用户问题,厂商内部字段\n1,2025-12-01,问,".utf8) + [0xC4, 0xE3] + Array("\n".utf8)
        let path = dir.write("g.csv", bytes)
        let store = try makeStore(dir)
        let s = try importer(store).importFile(path, encoding: .utf8)
        #expect(s.imported == 1 && s.rejected == 0)
    }

    @Test(arguments: StoreKind.all) func unknownLabelInAFileIsABadRowNotASilentLoss(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.write("l.csv", "记录ID,提问时间,用户问题,标注结果\n1,2025-12-01,问,很好\n2,2025-12-01,问,回答正确\n3,2025-12-01,问,未标注\n")
        let store = try makeStore(dir, kind)
        let s = try importer(store).importFile(path)
        #expect(s.imported == 2 && s.rejected == 1)
        #expect(try store.record(id: "3")?.status == .unlabeled)
        #expect(s.problems[0].field == "标注结果")
    }
}

@Suite struct BulkImportTests {
    @Test func aLargeImportTakesTheBulkPathAndLeavesTheDatabaseWhole() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = dir.path("big.csv")
        let gen = DemoGenerator(seed: 4, end: ShanghaiTime.parse("2025-12-31 18:00")!, count: 25_000)
        try DemoData.writeCSV(path: csv, records: 25_000, generator: gen)
        let store = try makeStore(dir)
        let s = try Importer(store: store, reference: .bundled).importFile(csv)
        #expect(s.imported == 25_000 && s.rejected == 0)
        try store.dbQueue.read { db in
            // Back in WAL mode, every secondary index rebuilt, statistics gathered.
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'record' AND sql IS NOT NULL")
            #expect(Set(indexes) == ["record_asked", "record_org", "record_org_status", "record_org_label", "record_status", "record_label", "record_biz"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_stat1") ?? 0 > 0)
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM record_text") == 25_000)
        }
        // Masked and normalised on the way in, like a small import.
        #expect(try store.count(RecordFilter(orgs: ["崇川区"])) > 0)
        #expect(try store.count(RecordFilter(text: "320682198503121233")) == 0)
        let again = try Importer(store: store, reference: .bundled).importFile(csv)
        #expect(again.imported == 0 && again.existing == 25_000)
    }

    @Test func aBulkImportWhileAnotherConnectionIsOpenStillWorks() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let csv = dir.path("big.csv")
        try DemoData.writeCSV(path: csv, records: 21_000,
                              generator: DemoGenerator(seed: 5, end: ShanghaiTime.parse("2025-12-31 18:00")!, count: 21_000))
        let store = try makeStore(dir)
        let reader = try SQLiteRecordStore(path: store.path)  // a second reviewer's process, in effect
        _ = try reader.totalCount()
        let s = try Importer(store: store, reference: .bundled).importFile(csv)
        #expect(s.imported == 21_000)
        #expect(try reader.totalCount() == 21_000)
        #expect(try reader.page(RecordFilter(status: .unlabeled), after: nil, limit: 5).records.count == 5)
    }
}
