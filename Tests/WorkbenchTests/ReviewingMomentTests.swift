import Foundation
import Model
import Testing
@testable import Workbench

/// Issue 32: the two moments the tool exists for. A reviewer sees the answer they label at every
/// size from 80×24 up, and every label key labels (or asks on the spot, and a label key is never a
/// "no"); a supervisor's county bars put the higher figure on the longer bar.
@Suite struct ReviewingMomentTests {
    static let sizes = [(80, 24), (100, 30), (160, 45)]

    /// The rows between the answer's title and the figures' rule (or the status line).
    static func answerRows(_ screen: Canvas) -> (question: Bool, answer: Int) {
        let rows = (0..<screen.height).map { screen.row($0) }
        let question = rows.contains { $0.contains("问：") }
        guard let title = rows.firstIndex(where: { $0.contains("── 问答结果") }) else { return (question, 0) }
        var n = 0
        for r in rows[(title + 1)...] {
            if r.hasPrefix("─") || r.contains("── 记录信息") || r.contains("焦点：") { break }
            n += 1
        }
        return (question, n)
    }

    @Test func theQuestionAndTheAnswerAreOnScreenAtEverySize() throws {
        let f = try AppFixture()
        for (w, h) in Self.sizes {
            for i in 0..<f.session.list.keys.count {
                f.session.list.select(i)
                let screen = f.draw(width: w, height: h)
                let rec = try #require(f.session.list.selectedRecord)
                let answerLines = DisplayWidth.wrap(AnswerMarkup(RecordText.answer(rec)).text, width: w - 2).count
                let (question, shown) = Self.answerRows(screen)
                #expect(question, "\(w)×\(h) \(rec.id)\n\(screen.dump())")
                // At least five lines of the answer (all of a shorter one).
                #expect(shown >= min(5, answerLines), "\(w)×\(h) \(rec.id): \(shown) answer rows\n\(screen.dump())")
                #expect(screen.isWellFormed)
            }
        }
    }

    @Test func theFooterNamesWhatANewcomerNeedsAt80Columns() throws {
        let f = try AppFixture(todo: true)
        let screen = f.draw(width: 80, height: 24)
        let footer = screen.row(22) + screen.row(23)
        for needed in ["1业务缺失", "4非人社职能", "v 阅读", "Tab 滚动详情", "/ 搜索", "f 筛选", "s 看板", "? 帮助", "q 退出"] {
            #expect(footer.contains(needed), "\(needed) missing:\n\(screen.dump())")
        }
    }

    @Test func theAnswersMarkdownIsReadNotShown() throws {
        let f = try AppFixture()
        let r = InteractionRecord(id: "MD1", askedAt: AppFixture.now - 60, org: "如皋市", question: "失业金多久到账？",
                                  answer: "办理时限一般为 **5 个工作日**。<br>具体标准：<br>1. 一档：1000 元；<br>2. 二档：2000 元。\n- 身份证\n### 注意",
                                  biz1: "失业保险", biz2: "失业保险金申领")
        try f.store.importBatch { sink in _ = try sink.insert(r) }
        try f.session.list.refilter(f.session)
        let md = try #require(try f.store.key(recordId: "MD1"))
        f.session.list.select(try #require(f.session.list.keys.firstIndex(of: md)))
        for reading in [false, true] {
            f.session.list.reading = reading
            let canvas = f.draw(width: 80, height: 24)
            let screen = (0..<canvas.height).map { canvas.row($0).trimmingCharacters(in: .whitespaces) + "|" }.joined(separator: "\n")
            #expect(screen.contains("办理时限一般为 5 个工作日。"), "\(screen)")
            #expect(!screen.contains("**") && !screen.contains("<br>") && !screen.contains("###"), "\(screen)")
            #expect(screen.contains("具体标准：|") && screen.contains("\n1. 一档：1000 元；|") && screen.contains("• 身份证"), "\(screen)")
        }
        // The bold phrase is drawn bold; the stored text is untouched.
        f.session.list.reading = false
        let canvas = f.draw(width: 80, height: 24)
        let y = try #require((0..<canvas.height).first { canvas.row($0).contains("5 个工作日") })
        let x = DisplayWidth.of(canvas.row(y).prefix { $0 != "5" })
        #expect(canvas[x, y].role == .strong)
        #expect(try f.store.record(id: "MD1")?.answer.contains("**5 个工作日**") == true)
    }

    /// Two new reviewers open the demo-like database at the same moment and press ten label keys
    /// each, in turns: twenty records labelled, ten in each name, no question asked.
    @Test func tenLabelKeysAreTenLabelsForTwoReviewersAtOnce() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-moment-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("demo.sqlite").path
        let store = try SQLiteRecordStore(path: path, busyTimeout: 2)
        // Records newest first, a third of them labelled by the demo's reviewers (as the demo is).
        try DemoData.populate(store: store, records: 400, generator: DemoGenerator(seed: 5, end: AppFixture.now, count: 400),
                              reference: .bundled)
        let sessions = try ["新人甲", "新人乙"].map { name in
            try ReviewSession(store: try SQLiteRecordStore(path: path, busyTimeout: 2), reference: .bundled, reviewer: name,
                              location: "demo.sqlite", clock: { AppFixture.now })
        }
        for s in sessions { ReviewScreen.prepare(s, width: 80, height: 24) }
        let keys = "1234312341"
        for k in keys {
            for s in sessions {
                ReviewScreen.prepare(s, width: 80, height: 24)
                let screen = ReviewScreen.draw(s, width: 80, height: 24)
                #expect(Self.answerRows(screen).question && Self.answerRows(screen).answer >= 1, "\(screen.dump())")
                s.perform(s.handle(.char(k)))
                #expect(!(s.top is ConfirmOverlay), "\(s.ctx.message?.text.zh ?? "")")
                _ = s.tick()
            }
        }
        for name in ["新人甲", "新人乙"] {
            let labelled = try store.keys(RecordFilter(status: .labeled)).compactMap { try store.records(keys: [$0]).values.first }
                .filter { $0.reviewer == name }
            #expect(labelled.count == keys.count, "\(name): \(labelled.count)")
        }
    }

    /// In the whole list, a label key on another reviewer's label asks on that record; label keys
    /// while the question is open keep it open; n leaves their work; y replaces it and moves on.
    @Test func aLabelKeyOnAnothersWorkAsksOnThatRecordAndIsNeverANo() throws {
        let f = try AppFixture()
        let key = try #require(try f.store.key(recordId: "R004"))
        f.session.list.select(try #require(f.session.list.keys.firstIndex(of: key)))
        f.press([.char("1")], width: 80, height: 24)
        #expect(f.session.top is ConfirmOverlay)
        #expect(f.session.list.selectedKey == key)
        #expect(f.session.ctx.writes.pending.isEmpty)
        var screen = f.press([.char("2"), .char("3")], width: 80, height: 24).dump()
        #expect(f.session.top is ConfirmOverlay)
        #expect(screen.contains("先回答") && screen.contains("李强"), "\(screen)")
        screen = f.press([.char("n")], width: 80, height: 24).dump()
        #expect(!(f.session.top is ConfirmOverlay))
        #expect(try f.store.record(id: "R004")?.label == .correct)
        #expect(f.session.list.selectedKey == key)
        f.press([.char("1"), .char("y")], width: 80, height: 24)
        #expect(try f.store.record(id: "R004")?.label == .missingKnowledge)
        #expect(try f.store.history(recordId: "R004").last?.override == true)
        #expect(f.session.list.selectedKey != key)
        #expect(f.session.list.selectedRecord?.label == nil)
    }

    @Test func theAppOpensOnWorkThisReviewerMayDoAndTBringsTheWholeListBack() throws {
        let f = try AppFixture(todo: true)
        let list = f.session.list
        #expect(list.todo)
        #expect(try list.keys.allSatisfy { try f.store.records(keys: [$0]).values.first?.label == nil })
        var screen = f.draw(width: 80, height: 24).dump()
        #expect(screen.contains("筛选: 待办"), "\(screen)")
        f.press([.char("T")], width: 80, height: 24)
        #expect(!list.todo && list.keys.count == AppFixture.records.count)
        f.press([.char("T")], width: 80, height: 24)
        #expect(list.todo && list.keys.count < AppFixture.records.count)
        screen = f.draw(width: 80, height: 24).dump()
        #expect(screen.contains("待办"))
    }

    /// A reviewed record's ✔ is apart from its label's glyph.
    @Test func aReviewedLabelSaysSoInWords() throws {
        let f = try AppFixture()
        try f.store.markReviewed(recordId: "R004", label: nil, reviewer: "张敏", at: AppFixture.now)
        f.session.syncOthers()
        for (w, h) in Self.sizes {
            let screen = f.draw(width: w, height: h).dump()
            #expect(!screen.contains("✓✔"), "\(screen)")
            #expect(screen.contains("✔复核"), "\(screen)")
        }
    }

    @Test func helpLinesWrapAt80ColumnsAndLoseNothing() throws {
        let f = try AppFixture()
        f.press([.char("?")], width: 80, height: 24)
        let help = try #require(f.session.top as? HelpOverlay)
        for line in help.lines { #expect(DisplayWidth.of(line.0) <= 78, "\(line.0)") }
        let joined = help.lines.map { $0.0.filter { $0 != " " } }.joined()
        for b in Keymap.bindings { #expect(joined.contains(b.help(.zh).filter { $0 != " " }), "\(b.help(.zh))") }
    }

    @Test func aLongMessageTakesTwoRowsInsteadOfLosingItsReason() throws {
        let f = try AppFixture()
        let why = "仲裁只由主管进行：没有主管名单：在数据目录的 team.json 写明主管的名字，然后重新打开工作台再试一次，最后这几个字必须看得见"
        f.session.ctx.say(Localized(why, why), .warning)
        let screen = f.draw(width: 80, height: 24)
        let text = (0..<screen.height).map { screen.row($0).trimmingCharacters(in: .whitespaces) }.joined()
        #expect(text.contains("最后这几个字必须看得见"), "\(screen.dump())")
    }
}

/// Comparison bars read back from the screen: for every two organisations whose figures differ,
/// the higher figure has the longer bar — dashboard and live panel, 80×24 and 160×45, block and
/// ASCII glyphs.
@Suite struct HonestBarsTests {
    /// (figure, bar length) for each row that has one bar before its figure, from `x` on.
    static func bars(_ screen: Canvas, rows: Range<Int>, from x: Int, glyphs g: Glyphs, figureIndex: Int) -> [(Double, Int)] {
        var out: [(Double, Int)] = []
        let figure = /(\d+\.\d)%/
        for y in rows {
            // From column x (a wide character's continuation cell is not a character).
            let row = String((x..<screen.width).compactMap { screen[$0, y].isContinuation ? nil : screen[$0, y].character })
            let matches = row.matches(of: figure)
            guard matches.count > figureIndex else { continue }
            let m = matches[figureIndex]
            let before = figureIndex == 0 ? row[..<m.range.lowerBound] : row[matches[figureIndex - 1].range.upperBound..<m.range.lowerBound]
            guard let start = before.firstIndex(where: { $0 == g.fill || g.partials.contains($0) }) else { continue }
            out.append((Double(m.output.1)!, Bars.measure(before[start...], glyphs: g)))
        }
        return out
    }

    static func checkOrder(_ bars: [(Double, Int)], _ context: String) {
        for a in bars {
            for b in bars where a.0 > b.0 {
                #expect(a.1 > b.1, "\(a) vs \(b) \(context)")
            }
        }
    }

    @Test func aLongerBarIsAHigherFigure() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wb-bars-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteRecordStore(path: dir.appendingPathComponent("demo.sqlite").path)
        try DemoData.populate(store: store, records: 6000, generator: DemoGenerator(seed: 21, end: AppFixture.now, count: 6000),
                              reference: .bundled)
        for wide in [false, true] {
            let s = try ReviewSession(store: store, reference: .bundled, reviewer: "张主任", ambiguousWide: wide, location: "demo",
                                      clock: { AppFixture.now })
            s.list.setTodo(false, hasAssignment: false)
            try s.list.refilter(s)
            let g = Glyphs.forTerminal(ambiguousWide: wide)
            // The live panel at the side.
            ReviewScreen.prepare(s, width: 160, height: 45)
            var screen = ReviewScreen.draw(s, width: 160, height: 45)
            let panel = Self.bars(screen, rows: 2..<43, from: 120, glyphs: g, figureIndex: 0)
            #expect(panel.count >= 8, "\(screen.dump())")
            Self.checkOrder(panel, "panel \(wide)\n\(screen.dump())")
            // The dashboard's county view, both metrics, at both sizes and in every sort order.
            s.perform(s.handle(.char("s")))
            for (w, h) in [(80, 24), (160, 45)] {
                for _ in 0..<4 {
                    ReviewScreen.prepare(s, width: w, height: h)
                    screen = ReviewScreen.draw(s, width: w, height: h)
                    let acc = Self.bars(screen, rows: 5..<h, from: 0, glyphs: g, figureIndex: 0)
                    let hit = Self.bars(screen, rows: 5..<h, from: 0, glyphs: g, figureIndex: 1)
                    #expect(acc.count >= 5 && hit.count >= 5, "\(screen.dump())")
                    Self.checkOrder(acc, "accuracy \(w)×\(h) \(wide)\n\(screen.dump())")
                    Self.checkOrder(hit, "hit rate \(w)×\(h) \(wide)\n\(screen.dump())")
                    s.perform(s.handle(.char("o")))
                }
            }
        }
    }

    @Test func barsRankByTheShownFigureEvenWhenTheScaleIsCoarse() {
        let g = Glyphs.forTerminal(ambiguousWide: false)
        let ratios = [Ratio(701, of: 1000), Ratio(702, of: 1000), Ratio(688, of: 1000), Ratio(7011, of: 10000), Ratio(500, of: 1000)]
        let scale = Bars.Scale(fitting: ratios, target: 0.8)
        #expect(scale.lo <= 0.49 && scale.hi >= 0.8)
        let lengths = Bars.lengths(ratios, scale: scale, width: 6, glyphs: g).map { $0! }
        #expect(lengths[1] > lengths[0] && lengths[0] > lengths[2] && lengths[2] > lengths[4])
        // 70.1% and 70.11% show the same figure: the same bar.
        #expect(lengths[0] == lengths[3])
        // Drawn: the bar's length read back is the length; the target and whisker are not blocks.
        let cells = Bars.comparison(ratios[0], length: lengths[0], scale: scale, target: 0.8, width: 6, glyphs: g)
        #expect(Bars.measure(Substring(String(cells.map(\.0))), glyphs: g) == lengths[0])
        #expect(cells.contains { $0.0 == g.target })
        // Below the target: the warning colour; at or above: the bar's own.
        #expect(cells.first?.1 == .barLow)
        #expect(Bars.comparison(Ratio(900, of: 1000), length: 30, scale: scale, target: 0.8, width: 6, glyphs: g).first?.1 == .barFill)
    }
}
