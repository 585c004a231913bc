import Foundation
@testable import Model
import Testing
@testable import Workbench

/// Issue 16, point 14: a report a supervisor takes to a meeting — 本期 against 上期, examples of
/// each error label, the missed TOP10, as one HTML file (parsed here, charts inline) and an XLSX.
@Suite(.serialized) struct MeetingReportTests {
    static func seeded() throws -> CLI {
        let cli = CLI()
        try cli.run(["demo", "--records", "600", "--db", cli.db, "--end", "2025-12-31 18:00"])
        return cli
    }

    func python(_ script: String, _ args: [String]) throws -> (Int32, String) { try runPython(script, args) }

    @Test func thePeriodComparisonIsTheStoresTwoPeriods() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let md = try cli.run(["report", "--db", cli.db, "--from", "2025-12-16", "--to", "2025-12-31", "--format", "markdown"])
        #expect(md.status == 0, "\(md.err)")
        #expect(md.out.contains("## 本期与上期") && md.out.contains("上期：2025-11-30 ~ 2025-12-15"))
        #expect(md.out.contains("## 错误示例") && md.out.contains("∅ 业务缺失") && md.out.contains("## 未命中/兜底问题 TOP10"))
        // The comparison's figures are the store's for each period.
        let store = try SQLiteRecordStore(path: cli.db)
        let rules = HitRules(taxonomy: ReferenceData.bundled.taxonomy)
        let day = { (s: String) in ShanghaiTime.parseDay(s)! }
        let now = try store.tallies(RecordFilter(orgs: ["如皋市"], fromDay: day("2025-12-16"), toDay: day("2025-12-31")), rules: rules).total
        let before = try store.tallies(RecordFilter(orgs: ["如皋市"], fromDay: day("2025-11-30"), toDay: day("2025-12-15")), rules: rules).total
        let section = try #require(md.out.components(separatedBy: "## 本期与上期").last)
        let row = try #require(section.split(separator: "\n").first { $0.hasPrefix("| 如皋市 |") })
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells[1] == grouped(now.valid) && cells[2] == grouped(before.valid), "\(row)")
        #expect(cells[3] == Report.share(now.accuracy) && cells[4] == Report.share(before.accuracy), "\(row)")
        // Every Markdown table has one column count on every row.
        var columns: Int?
        for line in md.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("|") else { columns = nil; continue }
            let n = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let columns { #expect(n == columns, "\(line)") } else { columns = n }
        }
    }

    @Test func htmlIsOneSelfContainedPageWithCharts() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let out = cli.dir.appendingPathComponent("报告.html").path
        let r = try cli.run(["report", "--db", cli.db, "--from", "2025-12-01", "--to", "2025-12-31", "--format", "html", "-o", out])
        #expect(r.status == 0, "\(r.err)")
        let script = """
            import sys
            from html.parser import HTMLParser
            void = {'meta', 'br', 'img', 'link', 'input', 'hr', 'path', 'circle', 'rect', 'line'}
            class P(HTMLParser):
                def __init__(s):
                    super().__init__(); s.stack = []; s.tags = {}; s.errors = []; s.external = []; s.text = []
                def handle_starttag(s, t, a):
                    s.tags[t] = s.tags.get(t, 0) + 1
                    for k, v in a:
                        if k in ('src', 'href') and v and not v.startswith('#'): s.external.append(v)
                    if t not in void: s.stack.append(t)
                def handle_startendtag(s, t, a): s.tags[t] = s.tags.get(t, 0) + 1
                def handle_endtag(s, t):
                    if t in void: return
                    if not s.stack or s.stack[-1] != t: s.errors.append('</%s> with %s open' % (t, s.stack[-3:]))
                    else: s.stack.pop()
                def handle_data(s, d): s.text.append(d)
            p = P(); p.feed(open(sys.argv[1], encoding='utf-8').read()); p.close()
            assert not p.errors, p.errors[:5]
            assert not p.stack, p.stack
            assert not p.external, p.external
            assert p.tags.get('svg', 0) >= 5, p.tags
            assert p.tags.get('table', 0) >= 5, p.tags
            text = ''.join(p.text)
            for w in ['人社问答质量报告', '本期与上期', '错误示例', '未命中/兜底问题', '准确率', '目标 80%']:
                assert w in text, w
            print('ok', p.tags.get('svg'), p.tags.get('table'))
            """
        let (status, said) = try python(script, [out])
        #expect(status == 0, "\(said)")
    }

    @Test func xlsxHasATableASheet() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        #expect(try cli.run(["report", "--db", cli.db, "--format", "xlsx"]).status == 1)  // needs -o
        let out = cli.dir.appendingPathComponent("报告.xlsx").path
        let r = try cli.run(["report", "--db", cli.db, "--from", "2025-12-16", "--to", "2025-12-31", "--format", "xlsx", "-o", out])
        #expect(r.status == 0, "\(r.err)")
        let (status, said) = try python("""
            import sys, openpyxl
            wb = openpyxl.load_workbook(sys.argv[1])
            print('|'.join(wb.sheetnames))
            ws = wb['本期与上期']
            assert ws.max_row > 2 and ws.cell(1, 2).value == '本期有效问题', (ws.max_row, ws.cell(1, 2).value)
            assert wb['错误示例'].max_row >= 2
            """, [out])
        #expect(status == 0 && said.contains("总体|按组织机构|趋势|一级业务类型|本期与上期|热点TOP10|未命中TOP10|错误示例"), "\(said)")
    }
}
