import Foundation
@testable import Model
import Testing
@testable import Workbench

/// Issue 36 in the app: a copy renamed over the open database is said on the next tick, before
/// a key is lost; label keys are refused with the same line; nothing is shown as saved.
@Suite struct ReplacedFileSessionTests {
    @Test func theAppSaysTheFileWasReplacedAndRefusesLabels() throws {
        let f = try AppFixture(todo: true)
        let s = f.session
        let copy = f.dir.appendingPathComponent("copy.sqlite").path
        try f.store.backup(to: copy)
        #expect(rename(copy, f.store.path) == 0)
        #expect(s.tick())
        let said = try #require(s.ctx.message)
        #expect(said.role == .error && said.text.zh.contains("数据库文件已被替换（另一个文件改名覆盖了它）"))
        #expect(said.text.zh.contains("请退出后重新打开") && said.text.zh.contains("workbench db restore"))
        #expect(said.text.en.contains("replaced by another file renamed over it"))
        #expect(f.draw(width: 120, height: 40).dump().contains("文件已被替换"))
        // Said once, not on every tick.
        s.ctx.message = nil
        _ = s.tick()
        #expect(s.ctx.message == nil)
        // A label key: refused with the reason, nothing queued or saved.
        let first = try #require(s.list.selectedRecord)
        f.press([.char("3")])
        #expect(s.ctx.message?.text.zh.hasPrefix("未保存：数据库文件已被替换") == true, "\(String(describing: s.ctx.message))")
        #expect(s.ctx.writes.pending.isEmpty)
        #expect(try f.store.record(id: first.id)?.label == nil)
    }
}
