import Foundation
import GRDB
@testable import Model
import Testing

/// The real binary in a real terminal (tmux): keys typed, the screen read back with
/// capture-pane, the database checked afterwards. Waits for what it expects on screen instead of
/// sleeping, and prints the whole screen when something is missing.
@Suite(.serialized) struct TmuxEndToEndTests {
    final class Tmux {
        let socket = "wbtest-\(UUID().uuidString.prefix(8))"
        let session = "wb"

        init() {}

        static var path: String? {
            ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }

        /// Whether tmux is here; records a failure when not (.ci/run installs it).
        static func available() -> Bool {
            guard path == nil else { return true }
            Issue.record("tmux is not installed: .ci/run installs it (apt-get install tmux)")
            return false
        }

        /// Runs a tmux command. Output is read only when asked for: the command that starts the
        /// server must not hand it our pipe, or reading to its end would wait for the server.
        @discardableResult
        func run(_ args: [String], output: Bool = false, wait: Bool = true) throws -> String {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.path!)
            p.arguments = ["-L", socket] + args
            let out = Pipe()
            p.standardOutput = output ? out : FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let data = output ? out.fileHandleForReading.readDataToEndOfFile() : Data()
            if wait { p.waitUntilExit() }
            return String(decoding: data, as: UTF8.self)
        }

        func start(_ command: String, width: Int, height: Int, env: [String: String]) throws {
            var args = ["-u", "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)"]
            for (k, v) in env { args += ["-e", "\(k)=\(v)"] }
            // Not waited for: the tmux server it forks inherits the descriptor Foundation watches
            // for the child's exit, so waiting would last as long as the server.
            try run(args + [command], wait: false)
        }

        func screen() throws -> String { try run(["capture-pane", "-p", "-t", session], output: true) }
        func keys(_ k: String...) throws { try run(["send-keys", "-t", session] + k) }
        /// Polls the screen until it contains `text` (10 s at most).
        func waitFor(_ text: String) throws -> String {
            var last = ""
            for _ in 0..<200 {
                last = try screen()
                if last.contains(text) { return last }
                usleep(50_000)
            }
            Issue.record("screen never showed \(text); it was:\n\(last)")
            return last
        }

        /// The filter bar's status field typed to 未标注, applied.
        /// The app opens on 待办 (the unlabelled records nobody else is on); `T` and back shows the
        /// key works and keeps it.
        func filterUnlabelled() throws {
            _ = try waitFor("筛选: 待办")
            try keys("T")
            _ = try waitFor("筛选: 全部")
            try keys("T")
            _ = try waitFor("筛选: 待办")
        }

        /// `K`, then `Enter` on the first entry: its id, read off the screen.
        func openFirstKnowledgeEntry() throws -> String? {
            try keys("K")
            _ = try waitFor("区域差异知识库")
            try keys("Enter")
            let opened = try waitFor("版本历史")
            return opened.split(separator: "\n").compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("KB-") }.map(String.init)
            }.first
        }

        func kill() {
            // The server and the programs in its panes inherit this process's blocked signals
            // (the test threads block nearly all), so kill-server's SIGHUP did not end them: a
            // server and an app were left running after every test. SIGKILL cannot be blocked.
            let panes = (try? run(["list-panes", "-a", "-F", "#{pane_pid}"], output: true)) ?? ""
            let server = (try? run(["display-message", "-p", "-t", session, "#{pid}"], output: true)) ?? ""
            _ = try? run(["kill-server"])
            for pid in (panes + "\n" + server).split(whereSeparator: \.isNewline).compactMap({ pid_t($0.trimmingCharacters(in: .whitespaces)) })
            where pid > 1 {
                _ = Glibc.kill(-pid, SIGKILL)  // a pane's process group: its shell and the app
                _ = Glibc.kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: "/tmp/tmux-\(getuid())/\(socket)")
        }
    }

    @Test func labelUndoFilterAndQuitInARealTerminal() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "300", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let first = try cli.run(["list", "--db", cli.db, "--format", "jsonl", "--limit", "2", "--status", "未标注"]).out
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let id0 = first[0]["id"] as! String, id1 = first[1]["id"] as! String

        let tmux = Tmux()
        defer { tmux.kill() }
        // LANG=C on purpose: the app must switch to C.UTF-8 by itself (platform.md).
        try tmux.start("\(CLI.binary.path) --db \(cli.db) --reviewer 测试员; sleep 5", width: 100, height: 30,
                       env: ["LANG": "C", "LC_ALL": "", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"])
        var screen = try tmux.waitFor("审核员 测试员")
        #expect(screen.contains("准确率"))
        // Every line fits 100 columns by display width: wide characters are aligned.
        for line in screen.split(separator: "\n") { #expect(DisplayWidth.of(line) <= 100, "too wide: \(line)") }

        // The filter bar: status 未标注, typed.
        try tmux.filterUnlabelled()

        try tmux.keys("3")
        _ = try tmux.waitFor("已保存：✓ 回答正确")
        try tmux.keys("1")
        _ = try tmux.waitFor("已保存：∅ 业务缺失")
        try tmux.keys("u")
        _ = try tmux.waitFor("已撤销")
        // Typed organisation: short name resolved.
        try tmux.keys("f")
        try tmux.keys("如皋")
        _ = try tmux.waitFor("= 如皋市")
        try tmux.keys("Enter")
        _ = try tmux.waitFor("筛选: 待办 · 如皋市")
        // The dashboard shares the organisation (not the status), and comes back with Esc.
        try tmux.keys("s")
        screen = try tmux.waitFor("统计看板")
        #expect(screen.contains("筛选: 如皋市") && screen.contains("状态/标注/文本条件不用于看板"))
        try tmux.keys("Tab")
        screen = try tmux.waitFor("有效问题量")
        for line in screen.split(separator: "\n") { #expect(DisplayWidth.of(line) <= 100, "too wide: \(line)") }
        try tmux.keys("Escape")
        _ = try tmux.waitFor("焦点：列表")
        try tmux.keys("q")
        // The terminal is restored (the app's screen is gone) and the session's summary printed.
        screen = try tmux.waitFor("本次标注/复核")
        #expect(!screen.contains("审核员 测试员"), "the app's screen stayed after quitting:\n\(screen)")

        let store = try SQLiteRecordStore(path: cli.db)
        #expect(try store.record(id: id0)?.label == .correct)
        #expect(try store.record(id: id0)?.reviewer == "测试员")
        // The second label was undone.
        #expect(try store.record(id: id1)?.label == nil)
        #expect(try store.history(recordId: id1).map(\.action) == [.label, .undo])
    }

    @Test func killNineAfterSavedLosesNothingShownAsSaved() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "100", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("\(CLI.binary.path) --db \(cli.db) --reviewer 测试员 --no-color; sleep 5", width: 100, height: 30,
                       env: ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm"])
        _ = try tmux.waitFor("审核员 测试员")
        try tmux.filterUnlabelled()
        for key in ["4", "2", "3"] { try tmux.keys(key) }
        _ = try tmux.waitFor("已保存：✓ 回答正确")
        // kill -9: no handler runs, nothing is flushed; only what was committed survives.
        let kill = Process()
        kill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        kill.arguments = ["-9", "-f", "--", "--db \(cli.db) --reviewer"]
        try kill.run()
        kill.waitUntilExit()
        let store = try SQLiteRecordStore(path: cli.db)
        let mine = try store.page(RecordFilter(), after: nil, limit: 200).records.filter { $0.reviewer == "测试员" }
        #expect(mine.count == 3)
        #expect(Set(mine.compactMap(\.label)) == [.outOfScope, .misunderstood, .correct])
        #expect(try store.history(recordId: mine[0].id).last?.reviewer == "测试员")
    }

    /// The editor gets the real terminal and the app comes back: an edit in $EDITOR (a script
    /// here) is saved as version 2, and the screen is whole again afterwards.
    @Test func knowledgeEntryEditedInTheEditorFromARealTerminal() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "100", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let script = cli.file("editor.sh", "#!/bin/sh\nsed -i 's/一般 5 个工作日内办结/一般 3 个工作日内办结/' \"$1\"\n")
        chmod(script, 0o755)
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("\(CLI.binary.path) --db \(cli.db) --reviewer 测试员; sleep 5", width: 100, height: 30,
                       env: ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color", "EDITOR": script])
        _ = try tmux.waitFor("审核员 测试员")
        let id = try #require(try tmux.openFirstKnowledgeEntry())
        try tmux.keys("e")
        let screen = try tmux.waitFor("版本 2 · 编辑 · 测试员")
        #expect(screen.contains("已保存 \(id) 版本 2") && screen.contains("一般 3 个工作日内办结"))
        for line in screen.split(separator: "\n") { #expect(DisplayWidth.of(line) <= 100, "too wide: \(line)") }
        try tmux.keys("q")
        let store = try SQLiteRecordStore(path: cli.db)
        #expect(try store.knowledgeHistory(id: id).count == 2)
    }

    /// With no $EDITOR the app runs a real `vi`: it gets the terminal (it is in the foreground
    /// process group), the edit typed in it is saved, and the app comes back whole.
    @Test func aRealViEditsAKnowledgeEntry() throws {
        guard Tmux.available() else { return }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/vi") else {
            Issue.record("vi is not installed: .ci/run installs it (apt-get install vim-tiny)")
            return
        }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "100", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("unset EDITOR VISUAL; \(CLI.binary.path) --db \(cli.db) --reviewer 测试员; sleep 5", width: 100, height: 30,
                       env: ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"])
        _ = try tmux.waitFor("审核员 测试员")
        let id = try #require(try tmux.openFirstKnowledgeEntry())
        try tmux.keys("e")
        _ = try tmux.waitFor("字段名不要改")
        try tmux.keys(":%s/^政策依据: .*/政策依据: vi 写的依据/", "Enter")
        try tmux.keys(":wq", "Enter")
        let screen = try tmux.waitFor("已保存 \(id) 版本 2")
        #expect(screen.contains("政策依据：vi 写的依据") && screen.contains("区域差异知识库"))
        try tmux.keys("q")
        #expect(try SQLiteRecordStore(path: cli.db).knowledgeHistory(id: id).count == 2)
    }

    /// Two reviewers in two terminals on one file, one label every 3 s each, offset by 1.5 s (the
    /// trial that overwrote every label before leases): nobody overwrites anybody without `y`.
    @Test func twoReviewersInTwoTerminalsNeverOverwriteSilently() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "300", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let a = Tmux(), b = Tmux()
        defer { a.kill(); b.kill() }
        let env = ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"]
        try a.start("\(CLI.binary.path) --db \(cli.db) --reviewer 李娜; sleep 5", width: 80, height: 24, env: env)
        try b.start("\(CLI.binary.path) --db \(cli.db) --reviewer 王强; sleep 5", width: 80, height: 24, env: env)
        _ = try a.waitFor("审核员 李娜")
        _ = try b.waitFor("审核员 王强")
        try a.filterUnlabelled()
        try b.filterUnlabelled()
        var asked = 0
        for _ in 0..<6 {
            try a.keys("3")
            usleep(1_500_000)
            try b.keys("2")
            usleep(1_500_000)
            // Asked before replacing the other's work: decline.
            for t in [a, b] where try t.screen().contains("按 y") {
                asked += 1
                try t.keys("n")
            }
        }
        try a.keys("q")
        try b.keys("q")
        _ = try a.waitFor("均已保存")
        let store = try SQLiteRecordStore(path: cli.db)
        let rows = try store.dbQueue.read { db in
            try Row.fetchAll(db, sql: "SELECT record_id, reviewer, override FROM label_history WHERE action = 'label' AND reviewer IN ('李娜', '王强')")
        }
        let byReviewer = Dictionary(grouping: rows, by: { (r: Row) -> String in r["reviewer"] })
        #expect((byReviewer["李娜"]?.count ?? 0) >= 5 && (byReviewer["王强"]?.count ?? 0) >= 4, "\(rows.count) labels, asked \(asked)")
        #expect(rows.allSatisfy { (r: Row) in (r["override"] as Int) == 0 })
        let doubled = Dictionary(grouping: rows, by: { (r: Row) -> String in r["record_id"] }).values
            .filter { Set($0.map { (r: Row) -> String in r["reviewer"] }).count > 1 }
        #expect(doubled.isEmpty)
    }
    /// Issue 32, done when: two new reviewers start at the same moment at 80×24 and press ten label
    /// keys each right away; twenty records are labelled, ten in each name, nothing is asked, and
    /// every screen on the way shows the selected answer.
    @Test func tenLabelKeysRightAfterOpeningAreTenLabelsEach() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        try cli.run(["demo", "--records", "300", "--db", cli.db, "--end", "2025-12-31 18:00"])
        let a = Tmux(), b = Tmux()
        defer { a.kill(); b.kill() }
        let env = ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"]
        try a.start("\(CLI.binary.path) --db \(cli.db) --reviewer 新人甲; sleep 5", width: 80, height: 24, env: env)
        try b.start("\(CLI.binary.path) --db \(cli.db) --reviewer 新人乙; sleep 5", width: 80, height: 24, env: env)
        _ = try a.waitFor("问答结果")
        _ = try b.waitFor("问答结果")
        for k in "1234312341" {
            try a.keys(String(k))
            try b.keys(String(k))
            usleep(250_000)
            for t in [a, b] {
                let screen = try t.screen()
                #expect(screen.contains("问：") && screen.contains("── 问答结果"), "\(screen)")
                #expect(!screen.contains("按 y"), "asked:\n\(screen)")
            }
        }
        try a.keys("q")
        try b.keys("q")
        _ = try a.waitFor("均已保存")
        _ = try b.waitFor("均已保存")
        let store = try SQLiteRecordStore(path: cli.db)
        for name in ["新人甲", "新人乙"] {
            let n = try store.dbQueue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE reviewer = ? AND label IS NOT NULL", arguments: [name]) ?? 0
            }
            #expect(n == 10, "\(name): \(n)")
        }
    }

    /// Issue 15, case 8: emoji ZWJ sequences, flags, stacked combining marks, C1 controls and a
    /// bidi override in the list. Every row keeps the statistics pane whole to its right: nothing
    /// of the list's text (a fragment such as `009C`, `<U`, an emoji) is drawn past the divider.
    @Test func wideAndCombiningTextStaysInItsColumn() throws {
        guard Tmux.available() else { return }
        let cli = CLI()
        defer { cli.cleanup() }
        let hostile = ["家庭👨‍👩‍👧成员参保怎么办👨‍👩‍👧‍👦", "Z\u{334}\u{321}\u{322}\u{31B}\u{317}\u{318}\u{319}\u{31C}\u{31D}\u{31E}\u{300}\u{301}\u{302} 组合符号堆叠",
                       "国旗🇨🇳表情❤️和\u{9C}控制\u{85}符", "右到左\u{202E}覆盖文本abc\u{202C}结束", "普通问题社保卡怎么补办"]
        var csv = "记录ID,提问时间,组织机构,用户问题,问答结果\n"
        for i in 0..<15 { csv += "\(i + 1),2025-12-01 09:\(String(format: "%02d", i)):00,海门市,\"\(hostile[i % 5])\",\"答\(hostile[i % 5])\"\n" }
        #expect(try cli.run(["import", cli.file("wide.csv", csv), "--db", cli.db]).status == 0)
        let tmux = Tmux()
        defer { tmux.kill() }
        try tmux.start("\(CLI.binary.path) --db \(cli.db) --reviewer 测试员; sleep 5", width: 160, height: 45,
                       env: ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"])
        _ = try tmux.waitFor("闲聊 0")
        usleep(300_000)  // the whole frame written
        let screen = try tmux.screen()
        let rows = screen.split(separator: "\n").filter { $0.hasPrefix("  12-01 09:") || $0.hasPrefix("> 12-01 09:") }
        #expect(rows.count == 15, "\(rows.count) rows")
        for row in rows {
            let right = row.components(separatedBy: "│").last ?? ""
            let leaked = ["009C", "0085", "<U", "U+", "👨", "🇨", "组合", "覆盖", "社保卡", "\u{301}"].filter { right.contains($0) }
            #expect(leaked.isEmpty, "past the divider: \(leaked) in \(VisibleText.escapeControls(String(row)).unicodeScalars.map { $0.value == 0x202E || $0.value == 0x202C ? "<bidi>" : String($0) }.joined())")
            #expect(row.filter { $0 == "│" }.count == 1, "\(row)")
        }
        // At 80×24 a ZWJ sequence drawn whole left its joiner at the start of the next line.
        // A reviewer's name with escape sequences (from an imported 标注人 column or --reviewer).
        #expect(try cli.run(["label", "11", "3", "--reviewer", "李\u{1B}]0;x\u{07}娜\u{9C}", "--db", cli.db]).status == 0)
        let narrow = Tmux()
        defer { narrow.kill() }
        try narrow.start("\(CLI.binary.path) --db \(cli.db) --reviewer 测试员; sleep 5", width: 80, height: 24,
                         env: ["LANG": "C.UTF-8", "XDG_DATA_HOME": cli.dir.path, "TERM": "xterm-256color"])
        _ = try narrow.waitFor("准确率")
        // The whole list (record 11 is labelled, so not in 待办).
        try narrow.keys("T")
        _ = try narrow.waitFor("筛选: 全部")
        try narrow.keys("j", "j", "j", "j")
        usleep(300_000)
        let small = try narrow.screen()
        #expect(!small.unicodeScalars.contains { $0.value == 0x200D }, "a joiner drawn")
        #expect(small.contains("李^[]0;x^G娜<U+009C>"), "the reviewer's name not shown as escapes")
        #expect(small.split(separator: "\n").contains { $0.hasPrefix(" 详情") }, "the detail's title moved")
        // tmux draws ❤️ one column wide and our blank second column beside it; DisplayWidth
        // counts the pair as two (U+FE0F), so the selector is left out of the measure.
        for line in small.split(separator: "\n") {
            #expect(DisplayWidth.of(line.replacingOccurrences(of: "\u{FE0F}", with: "")) <= 80, "\(line)")
        }
        // The pane beside the rows is drawn whole: its lines, in order.
        for title in ["准确率", "全口径", "命中率", "各机构准确率", "标注分布", "业务缺失", "回答正确", "未标注 15"] {
            #expect(rows.contains { $0.contains("│ " + title) || $0.contains("│ ∅ " + title) || $0.contains("│ ✓ " + title) }, "\(title) missing")
        }
    }
}
