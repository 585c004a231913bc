import Foundation
import Model
import Testing

/// Our exports read by clients nobody here wrote: Python's openpyxl for XLSX and its csv module
/// (utf-8-sig) for CSV. `.ci/run` installs openpyxl.
@Suite struct ThirdPartyReaderTests {
    func python(_ script: String, _ args: [String]) throws -> (Int32, String) { try runPython(script, args) }

    func exported(_ format: ExportFormat, _ dir: URL) throws -> (String, [InteractionRecord]) {
        let t = ShanghaiTime.parse("2025-12-20 10:00:00")!
        var long = ""
        while long.utf16.count < 70_000 { long += "关于灵活就业人员参保缴费的说明，\"引号\"，逗号，𠀀😊\n" }
        let records = [
            InteractionRecord(id: "320682198503121233", askedAt: t, org: "如皋市", question: "=1+1 是公式吗？",
                              answer: "-5 开头\n第二行\u{07}响铃\u{1B}[31m _x0041_ 字面", label: .correct, reviewer: "张敏", labeledAt: t),
            InteractionRecord(id: "R2", askedAt: t - 5, org: "海安市", question: "很长的回答", answer: long),
        ]
        let store = try SQLiteRecordStore(path: dir.appendingPathComponent("x.sqlite").path)
        try store.importBatch { sink in for r in records { _ = try sink.insert(r) } }
        let path = dir.appendingPathComponent("out.\(format.rawValue)").path
        _ = try RecordExporter.export(store: store, filter: RecordFilter(), format: format, path: path,
                                      rules: HitRules(taxonomy: ReferenceData.bundled.taxonomy))
        return (path, records)
    }

    @Test func openpyxlReadsCellsContinuationsAndHashes() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-xl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, records) = try exported(.xlsx, dir)
        let script = """
            import sys, hashlib, re, openpyxl
            # openpyxl leaves OOXML's _xHHHH_ escapes in cell text; Excel and WPS read them as the
            # character (ECMA-376 §22.9.2.19), so this does what they do.
            def ooxml(v): return re.sub('_x([0-9A-Fa-f]{4})_', lambda m: chr(int(m.group(1), 16)), v) if isinstance(v, str) else v
            wb = openpyxl.load_workbook(sys.argv[1])
            assert wb.sheetnames == ['问答标注', '筛选与汇总'], wb.sheetnames
            ws = wb['问答标注']
            assert ws.freeze_panes == 'A2', ws.freeze_panes
            h = [c.value for c in ws[1]]
            a = h.index('问答结果')
            conts = [i for i, x in enumerate(h) if x and x.startswith('问答结果(续')]
            assert [h[i] for i in conts] == ['问答结果(续1)', '问答结果(续2)'], h
            rows = list(ws.iter_rows(min_row=2))
            out = []
            for r in rows:
                cells = [ooxml(c.value) for c in r]
                for i in [0, 6, a]:
                    assert r[i].data_type == 's', (i, r[i].data_type)
                full = ''.join((cells[i] or '') for i in [a] + conts)
                for i in [a] + conts:
                    assert cells[i] is None or len(cells[i].encode('utf-16-le')) // 2 <= 32767
                assert hashlib.sha256(full.encode()).hexdigest() == cells[h.index('问答结果SHA256')]
                assert len(full) == cells[h.index('问答结果字符数')]
                assert ws.cell(row=r[0].row, column=a + 1).alignment.wrap_text
                out.append((cells[0], cells[6], hashlib.sha256(full.encode()).hexdigest()))
            for o in out: print('|'.join(o))
            summary = dict(wb['筛选与汇总'].iter_rows(min_row=2, values_only=True))
            assert summary['记录数'] == '2', summary
            """
        let (status, out) = try python(script, [path])
        #expect(status == 0, "openpyxl: \(out)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        for r in records {
            let expected = "\(r.id)|\(r.question)|\(ExportColumns.sha256(r.answer))"
            #expect(lines.contains(expected), "\(expected) not in \(lines)")
        }
    }

    @Test func pythonCSVReadsTheBOMFileWithUtf8Sig() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let (path, records) = try exported(.csv, dir)
        let script = """
            import sys, csv, hashlib
            with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:
                rows = list(csv.reader(f))
            h = rows[0]
            assert h[0] == '记录ID', h[0]
            import re
            number = re.compile(r'^[+-]?[0-9]*\\.?[0-9]*%?$')
            def needs(x):
                if not x: return False
                if x[0] == "'": return needs(x[1:])
                return x[0] in '=+-@\\t\\r' and not (number.match(x) and re.search('[0-9]', x))
            def restore(x):
                # The leading ' that keeps a spreadsheet from running a formula (README).
                return x[1:] if x.startswith("'") and needs(x[1:]) else x
            for r in rows[1:]:
                a = restore(r[h.index('问答结果')])
                assert hashlib.sha256(a.encode()).hexdigest() == r[h.index('问答结果SHA256')]
                assert str(len(a)) == r[h.index('问答结果字符数')]
                print(r[0] + '|' + str(len(a)))
            """
        let (status, out) = try python(script, [path])
        #expect(status == 0, "python csv: \(out)")
        for r in records {
            #expect(out.contains("\(r.id)|\(r.answer.unicodeScalars.count)"))
        }
    }

    @Test func aWorkbookWrittenByOpenpyxlImports() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-op-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vendor.xlsx").path
        let script = """
            import sys, datetime, openpyxl
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.append(["记录ID", "提问时间", "所属区县", "用户问题", "回答内容", "业务类型", "是否兜底"])
            ws.append(["V1", datetime.datetime(2025, 12, 3, 9, 15), "海门市", "社保卡丢了怎么办", "请到网点挂失。\\n第二行", "社会保障卡/挂失补换", True])
            ws.append([123456789012345678, "2025/12/4 8:05", "如东市", "问", "答", "养老保险", False])
            wb.save(sys.argv[1])
            """
        let (status, out) = try python(script, [path])
        #expect(status == 0, "openpyxl: \(out)")
        let store = try SQLiteRecordStore(path: dir.appendingPathComponent("v.sqlite").path)
        let s = try Importer(store: store, reference: .bundled).importFile(path)
        #expect(s.imported == 1 && s.rejected == 1)
        #expect(s.problems.first?.line == 3 && s.problems.first?.field == "记录ID")
        let r = try #require(try store.record(id: "V1"))
        #expect(r.org == "海门区" && r.answer == "请到网点挂失。\n第二行" && r.fallback == true)
        #expect(ShanghaiTime.format(r.askedAt) == "2025-12-03 09:15:00" && r.biz2 == "挂失补换")
    }
}
