import Model
import Testing
@testable import Workbench

@Suite struct WidthAndCanvasTests {
    @Test func chineseTruncationNeverSplitsACharacter() {
        #expect(DisplayWidth.truncate("标注记录名称", to: 5) == "标注~")
        #expect(DisplayWidth.truncate("标注记录名称", to: 6) == "标注~")
        #expect(DisplayWidth.truncate("标注记录名称", to: 12) == "标注记录名称")
        #expect(DisplayWidth.truncate("标注记录名称", to: 11) == "标注记录名~")
        #expect(DisplayWidth.truncate("如皋市ab", to: 8, pad: true) == "如皋市ab")
        #expect(DisplayWidth.truncate("如皋市ab", to: 7, pad: true) == "如皋市~")
        #expect(DisplayWidth.truncate("如皋市ab", to: 6, pad: true) == "如皋~ ")
        #expect(DisplayWidth.of("南通经济技术开发区") == 18)
        #expect(DisplayWidth.of("😊a") == 3)
        #expect(DisplayWidth.of("─") == 1 && DisplayWidth.of("─", ambiguousWide: true) == 2)
    }

    @Test func wrappingCountsColumnsAndBreaksAtNewlines() {
        #expect(DisplayWidth.wrap("一二三四五", width: 4) == ["一二", "三四", "五"])
        #expect(DisplayWidth.wrap("一a二\r\n三", width: 3) == ["一a", "二", "三"])
        #expect(DisplayWidth.wrap("ab\tc", width: 8) == ["ab  c"])
        #expect(DisplayWidth.wrap("", width: 5) == [""])
        // Chinese line-breaking rules (issue 16, point 10): no line starts with ，。）」 or ends with
        // （「; an ID or a number moves down whole when it fits a line.
        #expect(DisplayWidth.wrap("一二三四，五", width: 8) == ["一二三", "四，五"])
        #expect(DisplayWidth.wrap("一二三四。」五", width: 8) == ["一二三", "四。」五"])
        #expect(DisplayWidth.wrap("一二三。」五", width: 6) == ["一二", "三。」", "五"])
        #expect(DisplayWidth.wrap("一二三（四", width: 8) == ["一二三", "（四"])
        #expect(DisplayWidth.wrap("请拨打12333咨询", width: 10) == ["请拨打", "12333咨询"])
        #expect(DisplayWidth.wrap("身份证320682********1233", width: 20) == ["身份证", "320682********1233"])
        for text in ["您好！灵活就业人员可在60%至300%之间选择缴费基数，如有疑问请拨打12333。", String(repeating: "，。", count: 20), String(repeating: "1", count: 50)] {
            for w in 2...30 {
                let lines = DisplayWidth.wrap(text, width: w)
                #expect(lines.joined() == text && lines.allSatisfy { DisplayWidth.of($0) <= w }, "\(w): \(lines)")
            }
        }
    }

    @Test func aWideCharacterAtTheEdgeBecomesASpace() {
        var c = Canvas(width: 5, height: 1)
        #expect(c.text("标注记录", x: 0, y: 0) == 5)
        #expect(c.row(0) == "标注 ")
        #expect(c.isWellFormed)
        var d = Canvas(width: 10, height: 1)
        d.text("审核员张敏", x: 0, y: 0, maxWidth: 7)
        #expect(d.row(0) == "审核员    ")
        #expect(d.isWellFormed)
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var c = Canvas(width: 6, height: 1)
        c.text("如皋市", x: 0, y: 0)
        c.put("x", x: 1, y: 0, role: .normal)  // the second half of 如
        #expect(c.row(0) == " x皋市")
        c.put("y", x: 2, y: 0, role: .normal)  // the first half of 皋
        #expect(c.row(0) == " xy 市")
        #expect(c.isWellFormed)
        #expect(c.dump() == " xy 市|\n")
    }

    @Test func barsCarryTheFigureInside() {
        let g = Glyphs.forTerminal(ambiguousWide: false)
        #expect(Bars.text(fraction: 0.5, width: 20, text: "50.0%", glyphs: g) == "██████████░░░░░50.0%")
        #expect(Bars.text(fraction: 1, width: 10, text: "100.0%", glyphs: g) == "████100.0%")
        #expect(Bars.text(fraction: nil, width: 8, text: "n=0", glyphs: g) == "░░░░░n=0")
        #expect(Bars.text(fraction: 0.25, width: 8, text: "25.0% n=4", glyphs: .forTerminal(ambiguousWide: true)) == "25.0% n=")
        #expect(Bars.text(fraction: 0.3, width: 10, text: "30%", glyphs: .forTerminal(ambiguousWide: true)) == "###....30%")
    }
}

@Suite struct KeymapTests {
    @Test func noKeyIsBoundTwiceInOneMode() {
        for mode in Mode.allCases {
            var seen: [Key: Command] = [:]
            for b in Keymap.bindings(in: mode) {
                for k in b.keys {
                    #expect(seen[k] == nil, "\(k.name) bound twice in \(mode): \(seen[k].map { "\($0)" } ?? "") and \(b.command)")
                    seen[k] = b.command
                }
            }
        }
    }

    @Test func everyReviewKeyTheIssueNamesIsBound() {
        let keys: [(Key, Command)] = [
            (.char("1"), .label(.missingKnowledge)), (.char("4"), .label(.outOfScope)), (.char("0"), .clearLabel),
            (.backspace, .clearLabel), (.char("u"), .undo), (.char("j"), .down), (.down, .down), (.char("k"), .up),
            (.up, .up), (.pageDown, .pageDown), (.pageUp, .pageUp), (.char("g"), .top), (.char("G"), .bottom),
            (.tab, .toggleFocus), (.enter, .toggleDetail), (.char("/"), .search), (.char("f"), .openFilter),
            (.char("r"), .review), (.char("b"), .correctBusinessType), (.char("n"), .editNote), (.char("?"), .help),
            (.char("q"), .quit),
        ]
        for (k, c) in keys {
            #expect(Keymap.binding(for: k, in: .list)?.command == c)
            #expect(Keymap.binding(for: k, in: .detail)?.command == c)
        }
    }

    @Test func helpAndFooterComeFromTheTable() {
        let help = HelpView.lines(.zh).map(\.0).joined(separator: "\n")
        for b in Keymap.bindings { #expect(help.contains(b.help.zh)) }
        #expect(HelpView.lines(.en).map(\.0).joined().contains("Undo the last change"))
    }
}
