import Foundation
import Testing
@testable import Model

/// Records with everything that has broken exports before: newlines, quotes, commas, emoji,
/// CJK extension B, control characters, formula-looking text, 18-digit ids, and an answer far
/// over Excel's cell limit with astral characters at the cut.
enum HardRecords {
    static let longAnswer: String = {
        var s = "超长回答开始。\n"
        var i = 0
        while s.utf16.count < 80_000 {
            s += "第\(i)段：城乡居民养老保险缴费档次，\"引号\"，逗号，𠀀𠀁😊\r\n"
            i += 1
        }
        // An astral character exactly across the first 32,767-unit boundary.
        let head = String(repeating: "a", count: 32_766)
        return head + "𠀀" + s
    }()

    /// U+0001–U+001F, U+007F, U+0080–U+009F (U+0000 is refused on import: SQLite's text ends there).
    static let controls = String(String.UnicodeScalarView(((1..<0x20).map { $0 } + [0x7F] + (0x80..<0xA0).map { $0 }).map { Unicode.Scalar(UInt32($0))! }))

    static let all: [InteractionRecord] = {
        let t = ShanghaiTime.parse("2025-12-20 10:00:00")!
        return [
            InteractionRecord(id: "320682198503121233", sessionId: "0012", turn: 1, askedAt: t, channel: "微信", org: "如皋市",
                              question: "=SUM(A1:A2) 逗号,引号\"换行\n问题", answer: "-1 开头的回答\n第二行\t制表\u{07}响铃\u{1B}[31m红",
                              knowledgeId: "KB001", fallback: false, biz1: "养老保险", biz2: "城乡居民养老保险", label: .correct,
                              reviewer: "张敏", labeledAt: t + 60, note: "备注，含逗号"),
            InteractionRecord(id: "R-2", askedAt: t - 60, org: "海安市", question: "emoji 😊👨‍👩‍👧 与扩展B 𠀀𪚥",
                              answer: longAnswer, fallback: true, biz1: "社会保险(综合)", biz2: "其他"),
            InteractionRecord(id: "0000123", askedAt: t - 120, org: "南通经济技术开发区", question: "+86 电话 0513-12345678？",
                              answer: "<br>标签 &amp; 实体 ]]> <![CDATA[x]]> \u{85}C1 \u{FFFE}", label: .outOfScope,
                              status: .reviewed, reviewer: "李强", labeledAt: t, reviewedBy: "王强", reviewedAt: t + 5),
            // Formula injection (OWASP's cases) and text that only looks guarded.
            InteractionRecord(id: "F1", askedAt: t - 180, org: "如皋市", question: "=HYPERLINK(\"http://x\",\"点我\")",
                              answer: "=cmd|' /C calc'!A0", note: "@SUM(1+1)*cmd|' /C calc'!A0"),
            InteractionRecord(id: "F2", askedAt: t - 240, org: "如皋市", question: "'=已有引号", answer: "''+两个引号", note: "-5"),
            InteractionRecord(id: "F3", askedAt: t - 300, org: "如皋市", question: "@提问开头", answer: "'普通引号开头", note: "+3.5%"),
            // Every C0 and C1 control, DEL, the two non-characters, and text that looks like OOXML's escape.
            InteractionRecord(id: "C1", askedAt: t - 360, org: "如皋市", question: "控制\(controls)字符 _x0041_ _x005F_ _xZZ_",
                              answer: "答\(controls)完 _x0007_\u{FFFE}\u{FFFF}"),
        ]
    }()
}

@Suite struct ExportTests {
    func store(_ dir: TempDir, _ name: String, _ records: [InteractionRecord]) throws -> SQLiteRecordStore {
        let s = try SQLiteRecordStore(path: dir.path(name))
        try s.importBatch { sink in for r in records { _ = try sink.insert(r) } }
        return s
    }

    @Test func formulaGuardIsReversibleAndLeavesNumbers() {
        for text in ["=1+1", "+x", "-y", "@z", "\t=a", "\r=b", "'=c", "''@d", "'x", "x'", "-5", "+2.5%", "-", "", "正常", "'", "''"] {
            let g = FormulaGuard.guarded(text)
            #expect(FormulaGuard.restore(g) == text, "\(text) → \(g)")
            // What a spreadsheet would run starts with none of = + - @ after the guard.
            if let c = g.first, "=+-@\t\r".contains(c) { #expect(Double(g.replacingOccurrences(of: "%", with: "")) != nil || g == "-", "\(g)") }
        }
        #expect(FormulaGuard.guarded("=HYPERLINK(1)") == "'=HYPERLINK(1)" && FormulaGuard.guarded("-5") == "-5")
        #expect(CSVWriter.field("=1,2") == "\"'=1,2\"")
    }

    @Test func splitKeepsSurrogatePairsWholeAndJoinsBack() {
        let parts = ExportColumns.split(HardRecords.longAnswer)
        #expect(parts.count == 4)
        #expect(parts.allSatisfy { $0.utf16.count <= ExportColumns.cellLimit })
        #expect(parts[0].utf16.count == 32_766)  // the astral character moved whole to the next cell
        #expect(parts.joined() == HardRecords.longAnswer)
        #expect(ExportColumns.split("短") == ["短"])
    }

    @Test(arguments: ExportFormat.allCases) func exportThenImportGivesTheSameText(format: ExportFormat) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let original = try store(dir, "a.sqlite", HardRecords.all)
        let path = dir.path("out.\(format.rawValue)")
        let summary = try RecordExporter.export(store: original, filter: RecordFilter(), format: format, path: path,
                                                rules: HitRules(taxonomy: ReferenceData.bundled.taxonomy))
        #expect(summary.rows == HardRecords.all.count)
        let needed = ExportColumns.split(HardRecords.all[1].answer).count - 1
        #expect(needed == 3)
        #expect(summary.continuationColumns == (format == .xlsx ? needed : 0))
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))

        let copy = try SQLiteRecordStore(path: dir.path("b.sqlite"))
        let result = try Importer(store: copy, reference: .bundled).importFile(path)
        #expect(result.imported == HardRecords.all.count && result.rejected == 0, "\(result.problems)")
        if format == .csv {
            // Nothing a spreadsheet would run: every formula-looking cell has its leading '.
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains(",\"'=HYPERLINK(") && text.contains(",'=cmd|' /C calc'!A0,") && !text.contains(",=HYPERLINK("))
        }
        #expect(result.unknownHeaders.isEmpty, "\(result.unknownHeaders)")
        for r in HardRecords.all {
            let back = try #require(try copy.record(id: r.id), "record \(r.id) lost")
            // What comes back is exactly what was stored, every control character included.
            #expect(back.question == r.question, "\(r.id) \(format) \(back.question.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(back.answer == r.answer, "\(r.id) \(format)")
            #expect(back.label == r.label && back.status == r.status && back.reviewedBy == r.reviewedBy)
            #expect(back.askedAt == r.askedAt && back.org == r.org && back.note == r.note)
        }
        // Text without control characters comes back as it was stored.
        #expect(try copy.record(id: "R-2")?.answer == HardRecords.longAnswer)
        // A second export of the copy is byte for byte the first (but for the export time).
        if format != .xlsx {
            let again = dir.path("again.\(format.rawValue)")
            _ = try RecordExporter.export(store: copy, filter: RecordFilter(), format: format, path: again)
            #expect(FileManager.default.contents(atPath: again) == FileManager.default.contents(atPath: path))
        }
    }

    @Test func wordAtATimeScansAgreeWithTheScalarDefinitions() {
        var rng = SeededRandom(seed: 11)
        let pieces: [String] = ["a", "中", "，", "😊", "𠀀", "\n", "\t", "\r", "\u{07}", "\u{1B}", "\u{7F}", "\u{85}", "·",
                                "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "ÿ", "￥", "é"]
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<rng.int(0...40) { s += rng.pick(pieces) }
            #expect(RecordText.count(s) == s.unicodeScalars.count)
            for keep in [true, false] {
                let slow = s.unicodeScalars.contains { VisibleText.needsEscape($0, keepNewlines: keep) }
                #expect(VisibleText.mayNeedEscape(s, keepNewlines: keep) == slow, "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
    }

    /// Issue 16, points 6 and 7: 是否命中 filled by the hit rule (the log's value when it has one,
    /// else 推断), the summary's figures over the same scope as the app's panel (no 状态/标注
    /// condition, said so), and a default name that says what the file holds.
    @Test func hitColumnSummaryScopeAndName() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let t = ShanghaiTime.parse("2025-12-20 10:00:00")!
        let s = try store(dir, "a.sqlite", [
            InteractionRecord(id: "H1", askedAt: t, org: "如皋市", question: "问", answer: "请携带身份证办理。", label: .correct),
            InteractionRecord(id: "H2", askedAt: t, org: "如皋市", question: "问", answer: "很抱歉，暂未查询到相关信息", label: .missingKnowledge),
            InteractionRecord(id: "H3", askedAt: t, org: "如皋市", question: "问", answer: "答", hitFlag: false),
        ])
        let path = dir.path("out.csv")
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        _ = try RecordExporter.export(store: s, filter: RecordFilter(), format: .csv, path: path, rules: rules)
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let hitAt = try #require(rows[0].firstIndex(of: "是否命中"))
        let byId = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { (String($0[0]), String($0[hitAt])) })
        #expect(byId == ["H1": "是（推断）", "H2": "否（推断）", "H3": "否"], "\(byId)")
        // Re-imported, the inferred values read as no value: nothing is a conflict.
        let back = try Importer(store: try SQLiteRecordStore(path: dir.path("b.sqlite")), reference: .bundled).importFile(path)
        let again = try Importer(store: s, reference: .bundled).importFile(path)
        #expect(back.imported == 3 && again.existing == 3 && again.conflictCount == 0)
        // The summary of a 未标注 export counts the whole filter's figures, and says so.
        var unlabelled = RecordFilter()
        unlabelled.status = .unlabeled
        let summary = RecordExporter.summary(store: s, filter: unlabelled, describe: unlabelled.describedPairs, rules: rules, rows: 1)
        let pairs = Dictionary(summary, uniquingKeysWith: { a, _ in a })
        #expect(pairs["准确率"]?.hasPrefix("50.0%（1/2）") == true && pairs["统计口径"] != nil, "\(pairs)")
        var named = RecordFilter(orgs: ["如皋市"], fromDay: ShanghaiTime.parseDay("2025-12-01"), toDay: ShanghaiTime.parseDay("2025-12-31"), text: "失业金 条件")
        named.status = .unlabeled
        #expect(named.defaultExportName(format: .xlsx, today: t) == "问答标注_如皋市_2025-12-01_2025-12-31_未标注_失业金-条件.xlsx")
    }

    @Test func csvHasBOMCRLFAndChineseHeader() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try store(dir, "a.sqlite", HardRecords.all)
        let path = dir.path("out.csv")
        _ = try RecordExporter.export(store: s, filter: RecordFilter(orgs: ["如皋市"]), format: .csv, path: path)
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(Array(text.utf8.prefix(2000)).starts(with: Array((ExportColumns.headers().joined(separator: ",") + "\r\n").utf8)))
        #expect(text.contains("\"'=SUM(A1:A2) 逗号,引号\"\"换行\n问题\""))
        #expect(text.contains("320682198503121233"))
        #expect(text.contains("制表\u{07}响铃\u{1B}[31m红"))
    }

    @Test func xmlScannerReadsTagsSplitAcrossEveryChunkSize() throws {
        let xml = Array("""
            <?xml version="1.0"?><x:row r="2" spans="1:3"><c r="B2" t="inlineStr"><is><t xml:space="preserve">a&amp;b&#13;&#x1F600;_x0007_"></t></is></c><c r="C2"/><v>42</v></x:row>
            """.utf8)
        for chunk in [1, 2, 3, 7, 64] {
            var offset = 0
            let s = XMLPullScanner {
                guard offset < xml.count else { return nil }
                defer { offset += chunk }
                return Array(xml[offset..<min(xml.count, offset + chunk)])
            }
            var events: [XMLPullScanner.Event] = []
            while let e = try s.next() { events.append(e) }
            let texts = events.compactMap { if case .text(let t) = $0 { return t } else { return nil } }.joined()
            #expect(texts == "a&b\r😀\u{07}\">42", "chunk \(chunk)")
            #expect(events.first == .start(name: "row", attributes: ["r": "2", "spans": "1:3"], selfClosing: false))
            #expect(events.contains(.start(name: "c", attributes: ["r": "C2"], selfClosing: true)))
            #expect(events.last == .end(name: "row"))
        }
    }

    @Test func xlsxFromAnotherWriterWithSharedStringsAndDates() throws {
        // A workbook as Excel writes it: shared strings (with a phonetic run), a date number, a
        // second sheet chosen by name.
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("vendor.xlsx")
        try VendorWorkbook.write(path)
        let s = try SQLiteRecordStore(path: dir.path("v.sqlite"))
        let importer = Importer(store: s, reference: .bundled)
        let first = try importer.importFile(path)
        #expect(first.imported == 0 && first.rejected == 0)  // the first sheet is a cover page with no data rows
        let r = try importer.importFile(path, sheet: "明细")
        #expect(r.imported == 2 && r.rejected == 1, "\(r.problems)")
        #expect(r.problems.first?.line == 4 && r.problems.first?.field == "提问时间")
        let rec = try #require(try s.record(id: "V1"))
        #expect(rec.question == "失业金怎么领？" && rec.org == "海门区")
        #expect(ShanghaiTime.format(rec.askedAt) == "2025-12-01 12:00:00")
        #expect(try s.record(id: "V2")?.answer == "请到\n窗口办理")
        #expect(throws: ImportFileError.self) { try importer.importFile(path, sheet: "没有") }
    }
}

/// A small workbook written part by part, the way Excel lays one out.
enum VendorWorkbook {
    static func write(_ path: String) throws {
        let x = try XLSXParts(path: path)
        x.add("[Content_Types].xml", "<Types/>")
        x.add("xl/workbook.xml", """
            <workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
            <sheet name="封面" sheetId="1" r:id="rId1"/><sheet name="明细" sheetId="2" r:id="rId2"/></sheets></workbook>
            """)
        x.add("xl/_rels/workbook.xml.rels", """
            <Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/>\
            <Relationship Id="rId2" Target="/xl/worksheets/data.xml"/></Relationships>
            """)
        x.add("xl/sharedStrings.xml", """
            <sst><si><t>记录ID</t></si><si><t>提问时间</t></si><si><r><t>组织</t></r><r><t>机构</t></r></si>\
            <si><t>用户问题</t></si><si><t>问答结果</t></si><si><t>海门市</t><rPh><t>ハイメン</t></rPh></si>\
            <si><t>失业金怎么领？</t></si><si><t xml:space="preserve">请到
            窗口办理</t></si></sst>
            """)
        x.add("xl/worksheets/sheet1.xml", "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>记录ID</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>提问时间</t></is></c><c r=\"C1\" t=\"inlineStr\"><is><t>用户问题</t></is></c></row></sheetData></worksheet>")
        x.add("xl/worksheets/data.xml", """
            <worksheet><sheetData>\
            <row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>\
            <row r="2"><c r="A2" t="str"><v>V1</v></c><c r="B2" s="1"><v>45992.5</v></c><c r="C2" t="s"><v>5</v></c><c r="D2" t="s"><v>6</v></c><c r="E2" t="s"><v>7</v></c></row>\
            <row r="3"><c r="A3" t="inlineStr"><is><t>V2</t></is></c><c r="B3" t="inlineStr"><is><t>2025-12-02 09:00</t></is></c><c r="C3" t="s"><v>5</v></c><c r="D3" t="inlineStr"><is><t>问</t></is></c><c r="E3" t="s"><v>7</v></c></row>\
            <row r="4"><c r="A4" t="inlineStr"><is><t>V3</t></is></c><c r="B4" t="inlineStr"><is><t>不是时间</t></is></c><c r="D4" t="inlineStr"><is><t>问</t></is></c></row>\
            </sheetData></worksheet>
            """)
        try x.finish()
    }
}

import ZIPFoundation

/// Writes ZIP parts as given (for workbooks shaped like other writers').
final class XLSXParts {
    let archive: Archive
    var parts: [(String, Data)] = []
    init(path: String) throws {
        try? FileManager.default.removeItem(atPath: path)
        archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
    }
    func add(_ name: String, _ text: String) { parts.append((name, Data(text.utf8))) }
    func finish() throws {
        for (name, data) in parts {
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                                 provider: { pos, size in data.subdata(in: Int(pos)..<Int(pos) + size) })
        }
    }
}
