import Foundation
@testable import Model
import Testing
@testable import Workbench

/// What a reviewer or supervisor meets on the first day (issue 16).
@Suite(.serialized) struct FirstDayTests {
    /// Every Markdown table of `report` parses: the same number of cells on every row, and the
    /// separator row is made of alignment cells only.
    @Test func everyMarkdownTableHasOneShape() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "400", "--db", cli.db, "--end", "2025-12-31 18:00"])
        for by in ["org", "biz1", "biz2", "week", "reviewer"] {
            let md = try cli.run(["report", "--db", cli.db, "--by", by, "--format", "markdown"]).out
            var tables = 0
            for block in md.components(separatedBy: "\n\n") {
                let lines = block.split(separator: "\n").filter { $0.hasPrefix("|") }
                guard lines.count >= 2 else { continue }
                tables += 1
                func cells(_ l: Substring) -> [String] {
                    // Split at unescaped bars.
                    var out: [String] = [], cur = "", escaped = false
                    for ch in l.dropFirst().dropLast() {
                        if ch == "|", !escaped { out.append(cur); cur = "" } else { cur.append(ch) }
                        escaped = ch == "\\"
                    }
                    return out + [cur]
                }
                let widths = Set(lines.map { cells($0).count })
                #expect(widths.count == 1, "--by \(by): rows of different widths:\n\(block)")
                #expect(cells(lines[1]).allSatisfy { ["---", "---:", ":---", ":---:"].contains($0.trimmingCharacters(in: .whitespaces)) },
                        "--by \(by): separator \(lines[1])")
            }
            #expect(tables >= 1, "--by \(by): no table")
        }
    }
}

extension FirstDayTests {
    /// A command that reads says there is no database (and how to make one) instead of creating an
    /// empty one; `--demo` works for every command; a report names the database it read.
    @Test func readingCommandsNeedADatabaseAndDemoWorksEverywhere() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let missing = cli.dir.appendingPathComponent("nothing-here.sqlite").path
        for args in [["report"], ["list"], ["export", "-o", cli.dir.appendingPathComponent("x.csv").path, "--format", "csv"],
                     ["kb", "list"], ["agreement"], ["reviewers"]] {
            let r = try cli.run(args + ["--db", missing])
            #expect(r.status == 1 && r.err.contains("没有数据库") && r.err.contains("--demo"), "\(args): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1 && !r.err.contains("Fatal"))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        let demo = try cli.run(["list", "--demo", "--limit", "3", "--format", "jsonl"])
        #expect(demo.status == 0 && demo.out.split(separator: "\n").count == 3, "\(demo.err)")
        let report = try cli.run(["report", "--demo"])
        #expect(report.out.contains("数据库：") && report.out.contains("demo.sqlite"))
    }
}

extension FirstDayTests {
    /// After a filter change that drops the selected record, the list starts at its top (an old
    /// index would hide the rows above, since advancing only goes down).
    @Test func aNewListStartsAtTheTop() throws {
        let f = try AppFixture()
        let s = f.session
        s.select(3)  // R004, labelled
        f.press([.char("f"), .tab, .tab] + typed("未标注") + [.enter])
        #expect(s.keys.count == 5 && s.selection == 0 && s.selectedRecord?.id == "R001")
        // A record still listed keeps the selection.
        f.press([.char("f"), .tab, .tab, .ctrl("u"), .enter])  // status back to any
        s.select(1)  // R002, 海安市
        f.press([.char("f")] + typed("海安") + [.enter])
        #expect(s.keys.count == 1 && s.selectedRecord?.id == "R002")
    }
}
