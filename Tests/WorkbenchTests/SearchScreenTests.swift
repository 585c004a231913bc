import Foundation
import Model
import Testing
@testable import Workbench

@Suite struct SearchScreenTests {
    func typed(_ s: String) -> [Key] { s.map { Key.char($0) } }

    /// Issue 16, point 12: `/` is live — the list follows each key; Esc puts the filter back.
    @Test func slashSearchesAsYouTypeAndEscRestores() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("/")))
        for k in typed("养老") { s.perform(s.handle(k)) }
        #expect(s.mode == .prompt && s.filter.text == "养老")
        #expect(s.keys.count == 2)
        s.perform(s.handle(.escape))
        #expect(s.filter.text == nil)
        #expect(s.keys.count == 8)
    }

    /// The query language from `/`, and the words marked (their own role) in the list's question
    /// column and in the detail's question and answer.
    @Test func searchLanguageAndHighlights() throws {
        let f = try AppFixture()
        let s = f.session
        s.perform(s.handle(.char("/")))
        for k in typed("养老 -12333") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        // R001 has 养老 but also 12333 in its answer; R002 has 养老 and no 12333.
        #expect(s.keys.count == 1)
        let c = f.draw(width: 120, height: 40)
        #expect(s.list.row(s.keys[0])?.id == "R002")
        var marked: [String] = []
        for y in 0..<c.height {
            var run = ""
            for x in 0..<c.width where c[x, y].role == .match && !c[x, y].isContinuation {
                run.append(c[x, y].character)
            }
            if !run.isEmpty { marked.append(run) }
        }
        // The list row (selected) and detail lines: only 养老, never the excluded word.
        #expect(marked.count >= 3)
        #expect(marked.allSatisfy { $0.count % 2 == 0 && Set($0) == ["养", "老"] })

        // 答: marks the answer only; the question line of the detail has no mark.
        s.perform(s.handle(.char("/")))
        s.perform(s.handle(.ctrl("u")))
        for k in typed("答:12333") { s.perform(s.handle(k)) }
        s.perform(s.handle(.enter))
        let d = f.draw(width: 120, height: 40)
        #expect(Set(s.keys.compactMap { s.list.row($0)?.id }) == ["R001", "R003"])
        let rows = (0..<d.height).map { y in (0..<d.width).filter { d[$0, y].role == .match }.count }
        #expect(rows.reduce(0, +) > 0)
        // No mark in the list (the question column): 12333 is asked of the answer.
        let listRows = (0..<d.height).filter { d.row($0).contains("被公司辞退") || d.row($0).contains("打零工") }
        #expect(listRows.allSatisfy { rows[$0] == 0 })
    }
}
