import Model
import Testing
@testable import Workbench

/// Golden strings for the text charts: what a supervisor sees, character for character.
@Suite struct ChartTests {
    let percent = { (v: Double) in String(format: "%.0f%%", v * 100) }
    let days = ["12月1日", "12月2日", "12月3日", "12月4日", "12月5日"]

    @Test func brailleLineWithAGapAndChineseDateLabels() {
        let c = LineChart.render(values: [0.5, 0.7, nil, 0.6, 0.9], xLabels: days, width: 31, height: 7, ascii: false,
                                 format: percent, empty: "无数据")
        #expect(c.lines == [
            " 90%┤                        ⡠⠊",
            "    │                      ⢠⠊",
            " 70%┤     ⢀⡠             ⢀⠔⠁",
            "    │   ⡠⠒⠁             ⠔⠁",
            " 50%┤⡠⠔⠉",
            "    └┬────────────┬───────────┬",
            "     12月1日   12月3日  12月5日",
        ])
        #expect(c.plotColumn == 5 && c.plotRows == 0..<5)
        // Every line fits the width asked for (display columns, Chinese counted as two).
        #expect(c.lines.allSatisfy { DisplayWidth.of($0) <= 31 })
    }

    @Test func asciiFallbackDrawsTheSameShape() {
        let c = LineChart.render(values: [0.5, 0.7, nil, 0.6, 0.9], xLabels: days, width: 31, height: 7, ascii: true,
                                 format: percent, empty: "无数据")
        #expect(c.lines == [
            " 90%|                        .*",
            "    |                      ..",
            " 70%|     .*             ..",
            "    |  ...              *",
            " 50%|*.",
            "    ++------------+-----------+",
            "     12月1日   12月3日  12月5日",
        ])
        #expect(c.lines.joined().unicodeScalars.allSatisfy { $0.isASCII || DisplayWidth.of(String($0)) == 2 })
    }

    @Test func emptySeriesSayNoData() {
        #expect(LineChart.render(values: [], xLabels: [], width: 21, height: 5, ascii: false, format: percent,
                                 empty: "无数据").lines == [
            " 100%┤",
            "     │    无数据",
            "   0%┤",
            "     └───────────────",
            "",
        ])
        #expect(LineChart.render(values: [nil, nil], xLabels: ["a", "b"], width: 21, height: 5, ascii: true, format: percent,
                                 empty: "no data").lines == [
            " 100%|",
            "     |    no data",
            "   0%|",
            "     ++-------------+",
            "      a             b",
        ])
    }

    @Test func aSinglePointIsABlockInTheMiddleAndCountsStartAtZero() {
        #expect(LineChart.render(values: [120], xLabels: ["12-01"], width: 17, height: 5, ascii: false, fromZero: true,
                                 format: { grouped(Int($0)) }, empty: "无数据").lines == [
            " 150┤      ⠶",
            "    │",
            "   0┤",
            "    └──────┬─────",
            "         12-01",
        ])
    }

    @Test func oddWidthsAndLabelsThatDoNotAllFit() {
        let c = LineChart.render(values: [3, 10, 7, 12000], xLabels: ["一", "二", "三", "四"], width: 24, height: 6, ascii: false,
                                 fromZero: true, format: { grouped(Int($0)) }, empty: "无数据")
        #expect(c.lines == [
            " 15,000┤               ⢀",
            "       │              ⡰⠁",
            "       │            ⡠⠊",
            "      0┤⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⠔⠁",
            "       └┬─────────┬────┬",
            "        一       三   四",
        ])
        for w in [9, 10, 13, 40] {
            let n = LineChart.render(values: [0.2, 0.4], xLabels: ["十二月", "一月"], width: w, height: 4, ascii: false,
                                     format: percent, empty: "")
            #expect(n.lines.allSatisfy { DisplayWidth.of($0) <= max(w, 7) }, "width \(w)")
        }
    }

    @Test func sparklines() {
        #expect(Sparkline.text([0, 1, 2, nil, 4, 8]) == "▁▂▃ ▅█")
        #expect(Sparkline.text([0, 1, 2, nil, 4, 8], ascii: true) == "_.- =@")
        #expect(Sparkline.text([]) == "" && Sparkline.text([nil, 0, 0]) == " ▁▁" && Sparkline.text([5]) == "█")
    }

    @Test func barsKeepTheFigureInside() {
        let g = Glyphs.forTerminal(ambiguousWide: false)
        #expect(Bars.text(fraction: 0.667, width: 15, text: "66.7% n=270", glyphs: g) == "████66.7% n=270")
        #expect(Bars.text(fraction: 0.1, width: 15, text: "10.0% n=9", glyphs: g) == "██░░░░10.0% n=9")  // 1.5 cells round to 2
    }
}
