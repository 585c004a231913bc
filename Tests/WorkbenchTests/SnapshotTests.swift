import Model
import Testing
@testable import Workbench

/// Whole screens after scripted keys, compared with `Snapshots/*.txt`. Each dump ends every row in
/// `|` and writes continuation cells as nothing, so a misplaced half of a wide character shows as
/// a jagged right edge. Regenerate with WORKBENCH_UPDATE_SNAPSHOTS=1 after a deliberate change,
/// and read the diff.
@Suite struct SnapshotTests {
    static let sizes = [(80, 24), (120, 40), (60, 16)]

    func check(_ c: Canvas, _ name: String) {
        #expect(c.isWellFormed, "\(name): a wide character without its continuation cell")
        for y in 0..<c.height {
            #expect(DisplayWidth.of(c.row(y)) == c.width, "\(name): row \(y) is not \(c.width) columns")
        }
        // A plain Bool, so a failure prints the dump (above), not the whole cell array.
        let same = matchesSnapshot(c, name)
        #expect(same, "screen \(name) differs from Snapshots/\(name).txt")
    }

    @Test(arguments: sizes) func startScreen(width: Int, height: Int) throws {
        let f = try AppFixture(todo: true)
        check(f.draw(width: width, height: height), "start-\(width)x\(height)")
    }

    @Test(arguments: sizes) func afterLabellingTwiceAndOneUndo(width: Int, height: Int) throws {
        let f = try AppFixture()
        check(f.press(typed("31u"), width: width, height: height), "label-undo-\(width)x\(height)")
        #expect(try f.store.record(id: "R001")?.label == .correct)
        #expect(try f.store.record(id: "R002")?.label == nil)
    }

    @Test(arguments: sizes) func filterBarOpenWithTypedOrganisations(width: Int, height: Int) throws {
        let f = try AppFixture()
        check(f.press([.char("f")] + typed("如皋，海安") + [.tab, .right], width: width, height: height),
              "filter-\(width)x\(height)")
    }

    @Test func detailScrolledIntoALongAnswerAndHelp() throws {
        let f = try AppFixture()
        check(f.press([.down, .tab, .pageDown, .pageDown], width: 120, height: 40), "detail-scrolled-120x40")
        check(f.press([.char("?")], width: 80, height: 24), "help-80x24")
    }

    /// Issue 16, point 10: `v` gives the answer the screen at 80×24 — the question and 13 lines of
    /// the answer where the detail pane showed 10 lines, 9 of them facts; `3` labels and moves on.
    @Test func readingModeGivesTheAnswerTheScreen() throws {
        let f = try AppFixture()
        let c = f.press([.down, .char("v")], width: 80, height: 24)
        check(c, "reading-80x24")
        let rows = (0..<24).map(c.row)
        let q = try #require(rows.firstIndex { $0.contains("问：海安市城乡居民养老保险") })
        #expect(q <= 7 && rows[q + 2].contains("您好！关于城乡居民养老保险缴费档次"), "\(c.dump())")
        #expect(rows.filter { $0.contains("海安市城乡居民养老保险缴费档次分为每年") }.count >= 6)
        f.press([.char("3")], width: 80, height: 24)
        #expect(try f.store.record(id: "R002")?.label == .correct && f.session.list.reading)
        let back = f.press([.char("v")], width: 80, height: 24)
        #expect(!f.session.list.reading && back.dump().contains("─ 准确率"))
    }

    @Test func resizeRelaysOutAndTooSmallSaysSo() throws {
        let f = try AppFixture()
        f.press(typed("jjj"), width: 120, height: 40)
        check(f.press([.resize], width: 59, height: 16), "too-small-59x16")
        // Back to a usable size: the selection is still on screen.
        let c = f.press([.resize], width: 60, height: 16)
        check(c, "resized-60x16")
        #expect(c.dump().contains("> 12-30 11:00"))
    }

    /// The dashboard's four views, at the two usual sizes and in English at 160 columns.
    @Test(arguments: [(80, 24), (120, 40)]) func dashboardViews(width: Int, height: Int) throws {
        let f = try AppFixture()
        f.press(typed("3"), width: width, height: height)  // one more label, so figures are not all zero
        check(f.press([.char("s")], width: width, height: height), "dashboard-counties-\(width)x\(height)")
        check(f.press([.tab], width: width, height: height), "dashboard-trend-\(width)x\(height)")
        check(f.press([.tab, .enter], width: width, height: height), "dashboard-biz2-\(width)x\(height)")
        check(f.press([.tab], width: width, height: height), "dashboard-hot-\(width)x\(height)")
    }

    @Test func dashboardInEnglishWithAsciiCharts() throws {
        let f = try AppFixture(lang: .en)
        check(f.press([.char("s"), .tab, .char("a")], width: 160, height: 45), "dashboard-trend-ascii-en-160x45")
    }

    /// The knowledge screen: entries, the coverage matrix, one entry, and a record's match.
    @Test(arguments: [(80, 24), (120, 40)]) func knowledgeViews(width: Int, height: Int) throws {
        let (f, _) = try KnowledgeScreenTests().fixture()
        check(f.press([.char("K")], width: width, height: height), "knowledge-entries-\(width)x\(height)")
        check(f.press([.tab, .right], width: width, height: height), "knowledge-coverage-\(width)x\(height)")
        check(f.press([.enter], width: width, height: height), "knowledge-entry-\(width)x\(height)")
        check(f.press([.escape, .escape, .down, .char("M")], width: width, height: height), "knowledge-match-\(width)x\(height)")
    }

    @Test func englishAndBusinessTypePicker() throws {
        let f = try AppFixture(lang: .en)
        check(f.press([.char("b")] + typed("养老/退休"), width: 80, height: 24), "picker-en-80x24")
    }

    @Test func controlCharactersNeverReachTheScreen() throws {
        let f = try AppFixture()
        let c = f.press(typed("jjj"), width: 120, height: 40)
        #expect(c.dump().contains("应当认定为工伤。^G"))
        for y in 0..<c.height {
            #expect(!c.row(y).unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value < 0xA0) })
        }
    }
}
