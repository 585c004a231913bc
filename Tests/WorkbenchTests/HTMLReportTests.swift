import Foundation
@testable import Model
import Testing
@testable import Workbench

/// Issue 32: the HTML report names a CJK font stack (page and SVGs), its comparison bars are honest
/// (length = figure on one stated scale, interval whisker, target line, figure beside, colour from
/// the target), every format says which trend steps are partial, the trend's last x label fits, and
/// — where chromium is installed — a real browser lays the page out that way.
@Suite(.serialized) struct HTMLReportTests {
    static func seeded() throws -> CLI {
        let cli = CLI()
        try cli.run(["demo", "--records", "3000", "--db", cli.db, "--end", "2025-12-31 18:00"])
        return cli
    }

    /// 2025-11-27 is a Thursday, 2025-12-31 a Wednesday: by week, the first step has 4 days of its
    /// week (11-24 … 11-30) and the last 3 (12-29 … 12-31).
    static let period = ["--from", "2025-11-27", "--to", "2025-12-31", "--bucket", "week"]
    static let firstNote = "首周不完整：2025-11-27 ~ 2025-11-30 只有 4 天（整周 7 天）"
    static let lastNote = "末周不完整：2025-12-29 ~ 2025-12-31 只有 3 天（整周 7 天）"

    // MARK: reading the SVG

    static func matches(_ pattern: String, in text: String) -> [[String]] {
        let re = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (0..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
        }
    }

    static func svgs(_ html: String) -> [String] { matches("<svg\\b.*?</svg>", in: html).map { $0[0] } }

    static func attribute(_ name: String, _ tag: String) -> Double? {
        matches("\\b\(name)=\"([-0-9.]+)\"", in: tag).first.flatMap { Double($0[1]) }
    }

    /// One comparison row: its bar's width (nil: no bar), fill, the figure as printed (a share),
    /// where the figure starts, and its whisker's ends.
    struct BarRow {
        let barX: Double?, barWidth: Double?, fill: String?
        let figure: Double?, figureText: String, figureX: Double
        let whisker: (Double, Double)?
        let caps: Int
    }

    static func barRows(_ svg: String) -> [BarRow] {
        matches("<g class=\"row\">(.*?)</g>(?=<g class=\"row\">|<line class=\"target\")", in: svg).map { m in
            let row = m[1]
            let bar = matches("<rect class=\"bar\"[^>]*>", in: row).first?[0]
            let fig = matches("<text ([^>]*class=\"fig\"[^>]*)>([^<]*)</text>", in: row).first ?? ["", "", ""]
            let figure = matches("([0-9]+\\.[0-9])%", in: fig[2]).first.flatMap { Double($0[1]) }
            let ci = matches("<g class=\"ci\"[^>]*>(.*?)</g>", in: row).first?[1] ?? ""
            let lines = matches("<line [^>]*>", in: ci).map { $0[0] }
            let whisker = lines.first.flatMap { l in attribute("x1", l).flatMap { a in attribute("x2", l).map { (a, $0) } } }
            let caps = lines.dropFirst().filter { attribute("x1", $0) == attribute("x2", $0) }.count
            return BarRow(barX: bar.flatMap { attribute("x", $0) }, barWidth: bar.flatMap { attribute("width", $0) },
                          fill: bar.flatMap { matches("fill=\"([^\"]+)\"", in: $0).first?[1] },
                          figure: figure, figureText: fig[2], figureX: attribute("x", "<t " + fig[1]) ?? -1,
                          whisker: whisker, caps: caps)
        }
    }

    /// Everything the bars promise, for one chart of rows with their ratios.
    static func checkBars(_ svg: String, ratios: [Ratio], target: Double) {
        let rows = barRows(svg)
        #expect(rows.count == ratios.count, "one row a group: \(rows.count) of \(ratios.count)")
        // The scale is stated: ticks at whole tens of percent, and the title says the range.
        let ticks = matches("<text [^>]*class=\"s\">([0-9]+)%</text>", in: svg).compactMap { Int($0[1]) }
        #expect(ticks.count >= 3 && ticks == ticks.sorted() && ticks.allSatisfy { $0 % 5 == 0 }, "\(ticks)")
        #expect(svg.contains("刻度 \(ticks.first ?? -1)%–\(ticks.last ?? -1)%"))
        // The track's right edge: where the drawing ends and the figures begin.
        let track = matches("<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"([0-9.]+)\" height=\"12\" fill=\"#f4f4f4\"", in: svg)
        let plotRight = track.map { Double($0[1])! + Double($0[2])! }.max() ?? 0
        let plotLeft = track.map { Double($0[1])! }.min() ?? 0
        for (row, ratio) in zip(rows, ratios) {
            guard let value = ratio.value else {
                #expect(row.barWidth == nil && row.figureText.contains("—"))
                continue
            }
            #expect(row.barX == plotLeft, "every bar starts at the scale's start")
            #expect(abs((row.figure ?? -1) - (value * 1000).rounded() / 10) < 1e-9, "\(row.figureText) vs \(value)")
            #expect(row.figureX > plotRight, "the figure is right of the drawing, never on a bar: \(row.figureX) ≤ \(plotRight)")
            #expect(row.figureText.contains("n=\(grouped(ratio.denominator))"))
            let expected = !ratio.isReliable ? Report.barUnreliable : (value * 1000).rounded() / 1000 < target ? Report.barBelow : Report.barNormal
            #expect(row.fill == expected, "\(row.figureText): \(row.fill ?? "nil")")
            if ratio.isReliable, let w = ratio.wilson95, let (x1, x2) = row.whisker, let bw = row.barWidth {
                // The whisker brackets the bar's end, on the same scale, with two end caps.
                #expect(x1 <= plotLeft + bw + 0.01 && plotLeft + bw - 0.01 <= x2, "\(x1) … \(plotLeft + bw) … \(x2)")
                #expect(w.upper > w.lower && x2 > x1 && row.caps == 2)
                #expect(x1 >= plotLeft - 0.01 && x2 <= plotRight + 0.01, "the interval fits the stated scale")
            } else {
                #expect(ratio.isReliable == (row.whisker != nil), "a whisker on reliable rows only")
            }
        }
        // A higher figure always has the longer bar; equal figures equal bars.
        let drawn = rows.compactMap { r in r.figure.flatMap { f in r.barWidth.map { (f, $0) } } }
        for a in drawn {
            for b in drawn {
                if a.0 > b.0 { #expect(a.1 > b.1, "\(a.0)% has width \(a.1), \(b.0)% has \(b.1)") }
                if a.0 == b.0 { #expect(a.1 == b.1) }
            }
        }
        // The target: one dashed line down across every row, where the scale puts it.
        let lines = matches("<line class=\"target\" x1=\"([0-9.]+)\"[^>]*y1=\"([0-9.]+)\" y2=\"([0-9.]+)\"", in: svg)
        #expect(lines.count == 1)
        if let t = lines.first, let lo = ticks.first, let hi = ticks.last, hi > lo {
            let fraction: Double = (target * 100 - Double(lo)) / Double(hi - lo)
            let x: Double = plotLeft + fraction * (plotRight - plotLeft)
            let lineX = Double(t[1]) ?? -1, lineTop = Double(t[2]) ?? -1, lineBottom = Double(t[3]) ?? -1
            #expect(abs(lineX - x) < 0.02, "target at \(lineX), scale says \(x)")
            let ys = matches("<g class=\"row\"><text [^>]*y=\"([0-9.]+)\"", in: svg).compactMap { Double($0[1]) }
            let firstY = ys.min() ?? 0, lastY = ys.max() ?? 0
            #expect(lineTop < firstY - 8 && lineBottom > lastY, "the line crosses every row")
        }
    }

    // MARK: tests

    @Test func barsAreOnOneScaleAndALongerBarIsAHigherFigure() throws {
        // Figures a few points apart, one below the target, one with n < 20, one with nothing.
        let rows: [(name: String, ratio: Ratio)] = [
            ("如皋市", Ratio(912, of: 1000)), ("海门区", Ratio(830, of: 1000)), ("南通经济技术开发区", Ratio(871, of: 1000)),
            ("启东市", Ratio(17, of: 19)), ("通州区", Ratio(0, of: 0)), ("崇川区", Ratio(830, of: 1000)), ("海安市", Ratio(640, of: 800)),
        ]
        let svg = Report.svgBars(rows, target: 0.85, title: "准确率")
        Self.checkBars(svg, ratios: rows.map(\.ratio), target: 0.85)
        // The scale starts below the lowest reliable lower bound (海安 80.0%, lower ≈ 77.1%).
        #expect(svg.contains("刻度 70%–100%"), "\(svg.prefix(600))")
        #expect(svg.contains("南通经济技术开发区") && svg.contains("目标 85%"))
        // Below target, reliable: the figure is marked too (not by colour alone).
        #expect(Self.barRows(svg)[1].figureText.contains("▼") && !Self.barRows(svg)[0].figureText.contains("▼"))
    }

    @Test func theReportsBarsOnTheDemoDatabase() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let out = cli.dir.appendingPathComponent("r.html").path
        let r = try cli.run(["report", "--db", cli.db, "--format", "html", "-o", out] + Self.period)
        #expect(r.status == 0, "\(r.err)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let board = try Self.board(cli.db)
        let team = ReferenceData.bundled.team
        let groups = board.groups(.org, orgOrder: ReferenceData.bundled.organisations.names)
        let bars = Self.svgs(html).filter { $0.contains("class=\"row\"") }
        #expect(bars.count == 2, "accuracy and hit rate")
        guard bars.count == 2 else { return }
        #expect(bars[0].contains("准确率") && bars[1].contains("命中率"))
        Self.checkBars(bars[0], ratios: groups.map(\.tally.accuracy), target: team.accuracyTarget)
        Self.checkBars(bars[1], ratios: groups.map(\.tally.hitRate), target: team.hitRateTarget)
        // Enough distinct figures that the ordering check above meant something.
        #expect(Set(Self.barRows(bars[1]).compactMap(\.figure)).count >= 3)
    }

    static func board(_ db: String, bucket: TimeBucket = .week) throws -> Dashboard {
        let store = try SQLiteRecordStore(path: db)
        let reference = ReferenceData.bundled
        let index = StatisticsIndex(rules: HitRules(taxonomy: reference.taxonomy))
        try index.load(from: store)
        let filter = RecordFilter(fromDay: ShanghaiTime.parseDay("2025-11-27")!, toDay: ShanghaiTime.parseDay("2025-12-31")!)
        return Dashboard(index: index, query: DashboardQuery(filter: filter, bucket: bucket, top: 0))
    }

    @Test func fontStackInThePageAndEverySVG() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let out = cli.dir.appendingPathComponent("r.html").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "html", "-o", out] + Self.period).status == 0)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let css = try #require(Self.matches("<style>(.*?)</style>", in: html).first?[1])
        for family in ["Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC",
                       "WenQuanYi Micro Hei", "SimHei"] {
            #expect(css.contains("\"\(family)\""), "\(family) in the page's CSS")
        }
        #expect(css.contains("font-family:\(Report.fontStack)") && Report.fontStack.hasSuffix("sans-serif"))
        // Windows' face first (most of the team's PCs), the generic family last.
        #expect(Report.fontStack.hasPrefix("\"Microsoft YaHei\""))
        let opens = Self.matches("<svg\\b[^>]*>", in: html).map { $0[0] }
        #expect(opens.count >= 5)
        for tag in opens { #expect(tag.contains("font-family='\(Report.fontStack)'"), "\(tag)") }
        // Every text of the SVGs is inside one of them (so it inherits the stack).
        #expect(Self.svgs(html).map { Self.matches("<text\\b", in: $0).count }.reduce(0, +) == Self.matches("<text\\b", in: html).count)
    }

    @Test func everyFormatSaysWhichTrendStepsArePartial() throws {
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let out = cli.dir.appendingPathComponent("r.html").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "html", "-o", out] + Self.period).status == 0)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains(Self.firstNote) && html.contains(Self.lastNote))
        // The trend charts: the first and last points hollow, the segments to them dashed.
        let trends = Self.svgs(html).filter { $0.contains("<circle") }
        #expect(trends.count == 3)
        for svg in trends {
            // The steps' x positions from their labels (six weeks, each labelled).
            let xs = Self.matches("<text x=\"([0-9.]+)\" y=\"192\" text-anchor=\"middle\" class=\"s\">", in: svg).compactMap { Double($0[1]) }
            #expect(xs.count == 6)
            guard let firstX = xs.first, let lastX = xs.last else { continue }
            let points = Self.matches("<circle( class=\"partial\")? cx=\"([0-9.]+)\"", in: svg).map { (!$0[1].isEmpty, Double($0[2])!) }
            #expect(points.count >= 4, "\(points)")
            for (hollow, x) in points { #expect(hollow == (x == firstX || x == lastX), "point at \(x), hollow: \(hollow)") }
            if points.contains(where: \.0) { #expect(svg.contains("<path class=\"partial\"") && svg.contains("stroke-dasharray")) }
        }
        // The question counts are always drawn: both partial weeks hollow there.
        #expect(trends.first.map { Self.matches("<circle class=\"partial\"", in: $0).count } == 2)
        // A week inside the period is whole: no note, no hollow point.
        let whole = cli.dir.appendingPathComponent("whole.html").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "html", "-o", whole, "--from", "2025-12-01", "--to", "2025-12-28",
                             "--bucket", "week"]).status == 0)
        let wholeHTML = try String(contentsOfFile: whole, encoding: .utf8)
        #expect(!wholeHTML.contains("周不完整") && !wholeHTML.contains("class=\"note\"") && !wholeHTML.contains("class=\"partial\""))

        let text = try cli.run(["report", "--db", cli.db] + Self.period)
        #expect(text.status == 0 && text.out.contains(Self.firstNote) && text.out.contains(Self.lastNote), "\(text.err)")
        let md = try cli.run(["report", "--db", cli.db, "--format", "markdown"] + Self.period)
        #expect(md.out.contains("## 趋势\n\n> " + Self.firstNote))

        let json = try cli.run(["report", "--db", cli.db, "--format", "json"] + Self.period)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let trend = try #require(o["trend"] as? [[String: Any]])
        #expect(trend.map { $0["partial"] as? Bool } == [true, false, false, false, false, true])
        #expect(trend.map { $0["days"] as? Int } == [4, 7, 7, 7, 7, 3])
        #expect(trend.first?["from"] as? String == "2025-11-27" && trend.last?["to"] as? String == "2025-12-31")
        #expect((o["partialNote"] as? String)?.contains(Self.lastNote) == true)

        let csv = try cli.run(["report", "--db", cli.db, "--format", "csv", "--by", "week"] + Self.period).out
        let lines = csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = try #require(lines.first?.firstIndex(of: "partial"))
        #expect(lines.dropFirst().map { $0[column] } == ["", "true", "false", "false", "false", "false", "true"])
        let byOrg = try cli.run(["report", "--db", cli.db, "--format", "csv"] + Self.period).out
        #expect(byOrg.split(separator: "\r\n").dropFirst().allSatisfy { $0.hasSuffix(",") }, "not a time step: empty")

        let xlsx = cli.dir.appendingPathComponent("r.xlsx").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "xlsx", "-o", xlsx] + Self.period).status == 0)
        let (status, said) = try runPython("""
            import sys, openpyxl
            ws = openpyxl.load_workbook(sys.argv[1])['趋势']
            rows = list(ws.iter_rows(values_only=True))
            assert rows[0][-1] == '完整性', rows[0]
            print('|'.join(str(r[-1] or '') for r in rows[1:]))
            """, [xlsx])
        #expect(status == 0, "\(said)")
        let cells = said.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "|")
        #expect(cells.count == 6 && cells[0].contains("只有 4 天") && cells[5].contains("只有 3 天") && cells[1...4].allSatisfy(\.isEmpty), "\(said)")
    }

    @Test func theLastAxisLabelFitsTheChart() throws {
        for labels in [["11-27", "12-01", "12-08", "12-15", "12-22", "12-29"], ["2025-10", "2025-11", "2025-12"], (1...31).map { "12-\($0)" }] {
            let svg = Report.svgLine(labels.map { _ in 0.8 }, labels: labels, title: "准确率", percent: true)
            let width = try #require(Self.attribute("width", Self.matches("<svg\\b[^>]*>", in: svg)[0][0]))
            let texts = Self.matches("<text x=\"([0-9.]+)\" y=\"192\" text-anchor=\"middle\" class=\"s\">([^<]+)</text>", in: svg)
            #expect(texts.last?[2] == labels.last, "the last step is labelled")
            // 11 px digits are at most ~6.2 px wide: a centred label needs half its width each side.
            for t in texts {
                let x = Double(t[1])!, half = Double(t[2].count) * 6.2 / 2
                #expect(x - half >= 0 && x + half <= width, "\(t[2]) at \(x) of \(width)")
            }
        }
    }

    // MARK: a real browser

    static func executable(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Runs chromium headless on a page with a measuring script appended, and returns the DOM it
    /// leaves (the script writes what the browser laid out into `<pre id="measured">`).
    static func chromium(_ binary: String, page: String, dir: URL) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(dir.appendingPathComponent("chromium").path)",
                       "--virtual-time-budget=5000", "--dump-dom", URL(fileURLWithPath: page).absoluteString]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: killer)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func chromiumLaysOutTheBarsAndFigures() throws {
        guard let binary = Self.executable("chromium") ?? Self.executable("chromium-browser") else {
            print("HTMLReportTests: chromium is not on PATH; the rendering check is skipped (apt-get install chromium)")
            return
        }
        let cli = try Self.seeded()
        defer { cli.cleanup() }
        let out = cli.dir.appendingPathComponent("r.html").path
        #expect(try cli.run(["report", "--db", cli.db, "--format", "html", "-o", out] + Self.period).status == 0)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        // What the browser drew, measured by the browser: per bar row the bar's right end, the
        // figure's left, and per SVG how far any text reaches past its edges.
        let script = """
            <pre id="measured"><script>
            const out = [];
            document.querySelectorAll('svg').forEach((svg, k) => {
              const w = svg.width.baseVal.value;
              let minX = 1e9, maxX = -1e9;
              svg.querySelectorAll('text').forEach(t => { const b = t.getBBox(); minX = Math.min(minX, b.x); maxX = Math.max(maxX, b.x + b.width); });
              out.push(`svg ${k} ${minX.toFixed(1)} ${maxX.toFixed(1)} ${w}`);
              svg.querySelectorAll('g.row').forEach(g => {
                const bar = g.querySelector('rect.bar'), fig = g.querySelector('text.fig');
                const end = bar ? bar.getBBox().x + bar.getBBox().width : -1;
                out.push(`row ${k} ${end.toFixed(2)} ${fig.getBBox().x.toFixed(2)} ${fig.textContent}`);
              });
            });
            document.getElementById('measured').textContent = out.join('\\n');
            </script></pre>
            """
        let page = cli.dir.appendingPathComponent("measured.html").path
        try html.replacingOccurrences(of: "</body>", with: script + "</body>").write(toFile: page, atomically: true, encoding: .utf8)
        let dom = try Self.chromium(binary, page: page, dir: cli.dir)
        #expect(dom.contains("<svg") && dom.contains("class=\"bar\""), "the DOM has the SVG bars: \(dom.prefix(300))")
        let measured = try #require(Self.matches("<pre id=\"measured\">(.*?)<", in: dom).first?[1])
        let lines = measured.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 4).map(String.init) }
        let rows = lines.filter { $0.first == "row" }
        let expectedRows = Self.barRows(Self.svgs(html).filter { $0.contains("class=\"row\"") }.joined())
        #expect(rows.count == expectedRows.count && rows.count > 4, "\(measured.prefix(400))")
        // Every figure the report wrote is in the laid-out page, right of its bar.
        for (row, source) in zip(rows, expectedRows) {
            #expect(row[4] == source.figureText)
            #expect(Double(row[3])! > Double(row[2])!, "figure left of or on its bar: \(row)")
        }
        // No text drawn past an SVG's edge (the trend's last x label, long county names).
        for s in lines where s.first == "svg" {
            #expect(Double(s[2])! >= -0.5 && Double(s[3])! <= Double(s[4])! + 0.5, "text outside the SVG: \(s)")
        }
    }
}
