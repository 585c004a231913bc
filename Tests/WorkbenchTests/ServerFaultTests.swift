import Foundation
import Model
import Testing
@testable import Workbench

/// A PostgreSQL server of the test's own, started by `.ci/postgres.sh` (stopping or restarting the
/// shared test server would cut off the tests running beside this one). nil without
/// `WORKBENCH_TEST_POSTGRES` (no PostgreSQL on this machine); `.ci/run` always sets it.
final class OwnServer {
    let dir: String
    let url: String
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".ci/postgres.sh").path

    init?() throws {
        guard let s = ProcessInfo.processInfo.environment["WORKBENCH_TEST_POSTGRES"], !s.isEmpty else { return nil }
        let out = try Self.run([])
        func value(_ name: String) -> String? {
            out.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }.map { String($0.dropFirst("export \(name)=".count)) }
        }
        guard let dir = value("WB_PG_DIR"), let url = value("WORKBENCH_TEST_POSTGRES") else {
            throw StoreError.cannotOpen("postgres.sh", out)
        }
        self.dir = dir
        self.url = url
    }

    deinit { _ = try? Self.run(["stop", dir]) }

    /// `pause` (stopped, the folder kept), `resume` or `restart`.
    func ctl(_ what: String) throws { _ = try Self.run([what, dir]) }

    /// Runs the script by posix_spawn and waits with waitpid: Foundation's `Process` did not
    /// notice this script's exit (left a zombie, `waitUntilExit` never returned) when it had
    /// started a server through `su`.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("wb-pgctl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ["/bin/bash", script] + arguments
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for a in cargs { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/bash", &actions, nil, &cargs, environ)
        guard rc == 0 else { throw StoreError.cannotOpen("postgres.sh", "posix_spawn \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        // WIFEXITED && WEXITSTATUS == 0
        guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
            throw StoreError.cannotOpen("postgres.sh \(arguments.first ?? "")", "status \(status)")
        }
        return text
    }
}

/// The server restarted or gone for a while in the middle of a session: the screen says it is
/// reconnecting, keys stay queued (⟳), and each is committed exactly once when it is back.
@Suite(.serialized) struct ServerFaultTests {
    func session(_ server: OwnServer) throws -> (PostgresRecordStore, ReviewSession) {
        let store = try PostgresRecordStore(url: server.url)
        try store.importBatch { sink in for r in AppFixture.records { _ = try sink.insert(r) } }
        let s = try ReviewSession(store: store, reference: .bundled, reviewer: "张敏", location: "server",
                                  clock: { AppFixture.now })
        return (store, s)
    }

    func press(_ s: ReviewSession, _ keys: String) {
        for k in keys {
            ReviewScreen.prepare(s, width: 80, height: 24)
            s.perform(s.handle(k == "j" ? .down : .char(k)))
        }
    }

    /// Ticks as the app does between keys until the queue is empty (or `seconds` pass).
    func tickUntilSaved(_ s: ReviewSession, seconds: TimeInterval) {
        let until = Date().addingTimeInterval(seconds)
        while !s.ctx.writes.pending.isEmpty && Date() < until {
            usleep(200_000)
            _ = s.tick()
        }
    }

    func screen(_ s: ReviewSession) -> String {
        ReviewScreen.prepare(s, width: 80, height: 24)
        return ReviewScreen.draw(s, width: 80, height: 24).dump()
    }

    @Test func labelsWaitWhileTheServerIsDownAndAreCommittedOnce() throws {
        guard let server = try OwnServer() else { return }
        let (store, s) = try session(server)
        // Each label key moves on to the next unlabelled record (queued or not).
        let first = try #require(s.selectedRecord?.id)
        press(s, "1")
        #expect(try store.record(id: first)?.label == .missingKnowledge)

        // Another reviewer's screen, idle (it only ticks, as the app does between keys).
        let watcher = try ReviewSession(store: try PostgresRecordStore(url: server.url), reference: .bundled, reviewer: "王强",
                                        location: "server", clock: { AppFixture.now })
        try AppFixture.wholeList(watcher)  // an idle screen on the whole list, holding nothing
        ReviewScreen.prepare(watcher, width: 80, height: 40)

        // Restarted (fast: the sessions' connections are cut off): the next key reconnects.
        try server.ctl("restart")
        let second = try #require(s.selectedRecord?.id)
        let secondKey = try #require(s.list.selectedKey)
        press(s, "3")
        #expect(s.ctx.writes.pending.isEmpty, "\(s.message?.text.zh ?? "")")
        #expect(try store.record(id: second)?.label == .correct)
        // The idle screen, whose connection the restart closed, shows it without a key pressed.
        let seen = Date().addingTimeInterval(5)
        while watcher.list.row(secondKey)?.label != .correct && Date() < seen {
            usleep(250_000)
            if watcher.tick() { ReviewScreen.prepare(watcher, width: 80, height: 40) }
        }
        #expect(watcher.list.row(secondKey)?.label == .correct)

        // Down for a while: two keys stay queued, shown ⟳, never as saved.
        try server.ctl("pause")
        let third = try #require(s.selectedRecord?.id)
        press(s, "2")
        let fourth = try #require(s.selectedRecord?.id)
        let fourthWasToDo = s.selectedRecord?.label == nil && s.list.leases.isEmpty
        press(s, "4")
        #expect(Set([first, second, third, fourth]).count == 4, "\([first, second, third, fourth])")
        // Queued keys moved on to records still to do, as they would online.
        #expect(fourthWasToDo)
        #expect(s.ctx.writes.pending.count == 2)
        #expect(s.reconnecting)
        let down = screen(s)
        #expect(down.contains("⟳ 正在重连") && down.contains("2 项未保存"), "\(down)")
        #expect(down.contains("⟳"))
        #expect(!down.contains("已保存"))
        // The idle tick keeps trying without holding the screen up.
        let t0 = Date()
        _ = s.tick()
        #expect(Date().timeIntervalSince(t0) < 2)
        #expect(s.ctx.writes.pending.count == 2)

        try server.ctl("resume")
        tickUntilSaved(s, seconds: 10)
        #expect(s.ctx.writes.pending.isEmpty)
        #expect(!s.reconnecting)
        #expect(s.message?.text.zh.contains("已重新连上服务器") == true, "\(s.message?.text.zh ?? "") \(fourth) \(s.stack.map { "\(type(of: $0))" })")
        #expect(try store.record(id: third)?.label == .misunderstood)
        #expect(try store.record(id: fourth)?.label == .outOfScope)
        // Exactly one history row per key, none lost, none twice.
        for (id, n) in [(first, 1), (second, 1), (third, 1), (fourth, 1)] {
            #expect(try store.history(recordId: id).filter { $0.reviewer == "张敏" }.count == n, "\(id) \((try? store.history(recordId: id)) ?? [])")
        }
        // The rows on screen are the committed ones.
        #expect(s.list.row(try #require(try store.key(recordId: fourth)))?.label == .outOfScope)
        // And undo still goes back a step.
        press(s, "u")
        #expect(try store.record(id: fourth)?.label == nil)
    }

    /// A key queued in an outage on a record another reviewer labelled meanwhile: when the server
    /// is back it asks, as it would have at once, on that record, and the question stays on screen
    /// while label keys come (they are never taken as "no").
    @Test func aQueuedLabelOnAnothersWorkAsksWhenTheServerIsBack() throws {
        guard let server = try OwnServer() else { return }
        let (store, s) = try session(server)
        ReviewScreen.prepare(s, width: 80, height: 24)
        let mine = try #require(s.selectedRecord)
        #expect(mine.label == nil)
        // 王强 labels it behind this screen's back (this screen has not synced since).
        let other = try PostgresRecordStore(url: server.url)
        try other.setLabel(.correct, recordId: mine.id, reviewer: "王强", at: AppFixture.now, others: .overwrite)
        try server.ctl("pause")
        var resumed = false
        defer { if !resumed { try? server.ctl("resume") } }
        press(s, "1")
        #expect(s.ctx.writes.pending.count == 1)
        // Queued keys move on as online: the selection is on the next record still to do.
        let next = try #require(s.selectedRecord)
        #expect(next.id != mine.id && next.label == nil)
        try server.ctl("resume")
        resumed = true
        tickUntilSaved(s, seconds: 10)
        #expect(s.ctx.writes.pending.isEmpty)
        #expect(s.top is ConfirmOverlay)
        // The selection went back to the record asked about; the question is on screen.
        #expect(s.selectedRecord?.id == mine.id)
        #expect(screen(s).contains("按 y"), "\(screen(s))")
        // A label key now is not a "no": the question stays, and says so.
        press(s, "2")
        #expect(s.top is ConfirmOverlay)
        #expect(screen(s).contains("先回答"), "\(screen(s))")
        #expect(try store.record(id: mine.id)?.label == .correct)
        press(s, "y")
        #expect(!(s.top is ConfirmOverlay))
        #expect(try store.record(id: mine.id)?.label == .missingKnowledge)
        #expect(try store.history(recordId: mine.id).last?.override == true)
    }

    /// A server that stops answering without closing (its processes stopped: what a frozen host
    /// or a network dropping packets looks like): a key holds the screen at most the session's
    /// deadline, ticks do not wait at all, and the write is committed once when it answers again.
    @Test func aServerThatStopsAnsweringHoldsTheScreenAtMostItsDeadline() throws {
        guard let server = try OwnServer() else { return }
        let store = try PostgresRecordStore(url: server.url, deadline: 1)
        try store.importBatch { sink in for r in AppFixture.records { _ = try sink.insert(r) } }
        let s = try ReviewSession(store: store, reference: .bundled, reviewer: "张敏", location: "server", clock: { AppFixture.now })
        press(s, "1")
        #expect(s.ctx.writes.pending.isEmpty)
        let id = try #require(s.selectedRecord?.id)
        try server.ctl("freeze")
        var thawed = false
        defer { if !thawed { try? server.ctl("thaw") } }
        let t0 = Date()
        press(s, "3")
        #expect(Date().timeIntervalSince(t0) < 4, "\(Date().timeIntervalSince(t0)) s")
        #expect(s.ctx.writes.pending.count == 1)
        #expect(screen(s).contains("⟳ 正在重连"), "\(screen(s))")
        for _ in 0..<4 {
            let t = Date()
            _ = s.tick()
            #expect(Date().timeIntervalSince(t) < 0.5, "tick \(Date().timeIntervalSince(t)) s")
            usleep(300_000)
        }
        #expect(s.ctx.writes.pending.count == 1)
        try server.ctl("thaw")
        thawed = true
        tickUntilSaved(s, seconds: 15)
        #expect(s.ctx.writes.pending.isEmpty)
        #expect(try store.record(id: id)?.label == .correct)
        #expect(try store.history(recordId: id).filter { $0.reviewer == "张敏" }.count == 1)
    }

    /// The connection lost after the server committed but before its reply came: the write is
    /// tried again, finds its label in place, and counts as saved (one history row, undo works).
    @Test func aCommitWhoseReplyWasLostIsSavedOnce() throws {
        guard let server = try OwnServer() else { return }
        let (store, s) = try session(server)
        let id = try #require(s.selectedRecord?.id)
        store.dropConnectionAfterNextCommit()
        press(s, "3")
        #expect(try store.history(recordId: id).count == 1)
        #expect(s.ctx.writes.pending.isEmpty, "\(s.message?.text.zh ?? "")")
        #expect(s.message?.text.zh.contains("已保存") == true, "\(s.message?.text.zh ?? "")")
        #expect(s.list.row(try #require(try store.key(recordId: id)))?.label == .correct)
        press(s, "u")
        #expect(try store.record(id: id)?.label == nil)
        #expect(try store.history(recordId: id).count == 2)
    }
}

/// Supervisors' dashboards and reports on a read replica (a streaming standby of the test's own
/// server): it opens read-only, refuses labels with the reason, and what reviewers label on the
/// primary reaches its screens by polling (a standby cannot LISTEN).
@Suite(.serialized) struct ReplicaTests {
    @Test func aReplicaServesDashboardsAndReportsReadOnly() throws {
        guard let server = try OwnServer() else { return }
        let primary = try PostgresRecordStore(url: server.url)
        try primary.importBatch { sink in for r in AppFixture.records { _ = try sink.insert(r) } }
        let out = try OwnServer.run(["replica", server.dir])
        let url = try #require(out.split(separator: "\n").first { $0.hasPrefix("export WB_PG_REPLICA=") }
            .map { String($0.dropFirst("export WB_PG_REPLICA=".count)) })
        // The standby has replayed the import (it may take a moment).
        let replica = try openDatabase(path: url)
        let deadline = Date().addingTimeInterval(10)
        while try replica.totalCount() < AppFixture.records.count && Date() < deadline { usleep(100_000) }
        #expect(try replica.totalCount() == AppFixture.records.count)
        #expect(replica.readOnly != nil)
        let id = try #require(try primary.page(RecordFilter(status: .unlabeled), after: nil, limit: 1).records.first?.id)
        #expect(throws: StoreError.self) { try replica.setLabel(.correct, recordId: id, reviewer: "李娜", at: 1) }

        // The app on the replica: 只读 in the header, a label key refused with the reason.
        let s = try ReviewSession(store: replica, reference: .bundled, reviewer: "张主任", location: "replica",
                                  clock: { AppFixture.now })
        ReviewScreen.prepare(s, width: 80, height: 24)
        var screen = ReviewScreen.draw(s, width: 80, height: 24).dump()
        #expect(screen.contains("只读"), "\(screen)")
        let key = try #require(s.list.selectedKey)
        let selected = try #require(s.selectedRecord?.id)
        s.perform(s.handle(.char("3")))
        #expect(try primary.record(id: selected)?.label == s.list.row(key)?.label)

        // A reviewer labels on the primary: the replica's screen shows it within a few ticks.
        let counter = try replica.changeCounter()
        try primary.setLabel(.outOfScope, recordId: selected, reviewer: "王强", at: AppFixture.now)
        let until = Date().addingTimeInterval(5)
        while s.list.row(key)?.label != .outOfScope && Date() < until {
            usleep(250_000)
            if s.tick() { ReviewScreen.prepare(s, width: 80, height: 24) }
        }
        #expect(s.list.row(key)?.label == .outOfScope)
        #expect(try replica.changeCounter() != counter)
        screen = ReviewScreen.draw(s, width: 80, height: 24).dump()
        #expect(screen.contains("只读"))

        // `report` on the replica: the same figures as on the primary.
        let cli = CLI()
        defer { cli.cleanup() }
        let onReplica = try cli.run(["report", "--db", url, "--format", "json"])
        let onPrimary = try cli.run(["report", "--db", server.url, "--format", "json"])
        #expect(onReplica.status == 0, "\(onReplica.err)")
        // Apart from where the figures come from and when they were made.
        func figures(_ s: String) -> String {
            s.split(separator: "\n").filter { !$0.contains("postgres://") && !$0.contains("\"generatedAt\"") }.joined(separator: "\n")
        }
        let a = figures(onReplica.out).split(separator: "\n"), b = figures(onPrimary.out).split(separator: "\n")
        #expect(a == b, "\(zip(a, b).filter { $0 != $1 }.prefix(5))")
    }
}
