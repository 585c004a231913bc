import Foundation
import GRDB
@testable import Model
import Testing
@testable import Workbench

/// Reviewers sharing one database file, as separate processes running the app's own session
/// (`workbench team-sim`): no record labelled by two of them, no label lost, no error shown, and a
/// killed reviewer's records free again once its leases run out.
@Suite(.serialized) struct TeamTests {
    @Test func eightReviewerProcessesOnOneFileNeverCollide() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        #expect(try cli.run(["demo", "--records", "5000", "--seed", "11", "--csv", cli.dir.appendingPathComponent("t.csv").path]).status == 0)
        #expect(try cli.run(["import", cli.dir.appendingPathComponent("t.csv").path, "--db", cli.db]).status == 0)

        // A ninth reviewer is killed with -9 while it holds records.
        let victim = Process()
        victim.executableURL = CLI.binary
        victim.arguments = ["team-sim", "--db", cli.db, "--reviewer", "被杀", "--seconds", "60"]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()

        let seconds = 8
        let reviewers = (1...8).map { "审核员\($0)" }
        nonisolated(unsafe) var lines: [String: String] = [:]
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: reviewers.count) { n in
            let r = try? cli.run(["team-sim", "--db", cli.db, "--reviewer", reviewers[n], "--seconds", "\(seconds)"])
            lock.lock()
            lines[reviewers[n]] = (r?.out ?? "") + (r?.err ?? "")
            lock.unlock()
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()

        let store = try SQLiteRecordStore(path: cli.db)
        var saved = 0
        for who in reviewers {
            // "审核员1 saved 120 declined 3 errors 0 …"
            let words = (lines[who] ?? "").split(separator: " ")
            let count = words.firstIndex(of: "saved").flatMap { Int(words[$0 + 1]) }
            let errors = words.firstIndex(of: "errors").flatMap { Int(words[$0 + 1]) }
            #expect(count != nil && errors == 0, "\(who): \(lines[who] ?? "")")
            // No label lost: each one the reviewer saw saved is in the history, under its name.
            let rows = try store.dbQueue.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM label_history WHERE reviewer = ? AND action = 'label'", arguments: [who])
            }
            #expect(rows == count, "\(who): history \(rows ?? -1), saved \(count ?? -1)")
            saved += count ?? 0
        }
        #expect(saved > 100, "the team labelled \(saved) records in \(seconds) s")
        // No record labelled by two reviewers, and no override (every ask was declined).
        let doubled = try store.dbQueue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT record_id FROM label_history WHERE action = 'label'
                GROUP BY record_id HAVING count(DISTINCT reviewer) > 1)
                """)
        }
        #expect(doubled == 0)
        #expect(try store.dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM label_history WHERE override = 1") } == 0)
        // The killed reviewer's leases outlive it, then expire: its records are back in the pool.
        let now = Int64(Date().timeIntervalSince1970)
        let keys = try store.keys(RecordFilter(status: .unlabeled))
        let held = try store.leases(keys, except: "someone", at: now).filter { $0.value.reviewer == "被杀" }.map(\.key)
        #expect(!held.isEmpty)
        let later = now + SQLiteRecordStore.leaseSeconds + 1
        #expect(try store.leases(held, except: "someone", at: later).isEmpty)
        #expect(try store.claim(held, reviewer: "审核员1", at: later) == Set(held))
    }
}
