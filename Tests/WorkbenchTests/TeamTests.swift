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

        // A ninth reviewer is killed with -9 while it holds records (before the sample is drawn,
        // so none of its records waits for a second label it will never give).
        let victim = Process()
        victim.executableURL = CLI.binary
        victim.arguments = ["team-sim", "--db", cli.db, "--reviewer", "被杀", "--seconds", "60"]
        victim.standardOutput = FileHandle.nullDevice
        victim.standardError = FileHandle.nullDevice
        try victim.run()
        let started = Date()
        let watch = try SQLiteRecordStore(path: cli.db)
        func victimLabels() -> Int {
            (try? watch.dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record WHERE reviewer = '被杀'") }) ?? 0
        }
        while Date().timeIntervalSince(started) < 20, victimLabels() < 5 { usleep(100_000) }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let killedAt = Int64(Date().timeIntervalSince1970)

        // A tenth of them is the blind double-review sample.
        let sampled = try SQLiteRecordStore(path: cli.db).drawSample(RecordFilter(), rate: 0.1, seed: 5, by: "张主任", at: 1)
        #expect(sampled > 400)

        // 8 reviewers as fast as they can for 30 s, then finishing the pairs they can.
        let seconds = 30
        let reviewers = (1...8).map { "审核员\($0)" }
        // All eight at once (DispatchQueue.concurrentPerform would run only as many as there are cores).
        var running: [(String, Process, URL)] = []
        for who in reviewers {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["team-sim", "--db", cli.db, "--reviewer", who, "--seconds", "\(seconds)", "--finish-seconds", "20"]
            let out = cli.dir.appendingPathComponent("\(who).out")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            p.standardOutput = try FileHandle(forWritingTo: out)
            p.standardError = p.standardOutput
            try p.run()
            running.append((who, p, out))
        }
        var lines: [String: String] = [:]
        for (who, p, out) in running {
            p.waitUntilExit()
            lines[who] = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        }

        let store = try SQLiteRecordStore(path: cli.db)
        var saved = 0
        for who in reviewers {
            // "审核员1 saved 120 declined 3 errors 0 …"
            let words = (lines[who] ?? "").split(separator: " ")
            let count = words.firstIndex(of: "saved").flatMap { Int(words[$0 + 1]) }
            let errors = words.firstIndex(of: "errors").flatMap { Int(words[$0 + 1]) }
            #expect(count != nil && errors == 0, "\(who): \(lines[who] ?? "")")
            // No label lost: each one the reviewer saw saved is in the history, under its name (a
            // vote on a sampled record; a label, or the label two equal votes gave a record).
            let rows = try store.dbQueue.read { db in
                try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM label_history WHERE reviewer = ?
                    AND (action = 'vote' OR (action = 'label' AND new_value IS NULL))
                    """, arguments: [who])
            }
            #expect(rows == count, "\(who): history \(rows ?? -1), saved \(count ?? -1)")
            saved += count ?? 0
        }
        #expect(saved > 100, "the team labelled \(saved) records in \(seconds) s")
        // No record labelled by two reviewers outside the sample, and no override (every ask was declined).
        let doubled = try store.dbQueue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT record_id FROM label_history WHERE action = 'label'
                AND record_id NOT IN (SELECT id FROM record WHERE seq IN (SELECT seq FROM double_sample))
                GROUP BY record_id HAVING count(DISTINCT reviewer) > 1)
                """)
        }
        #expect(doubled == 0)
        // In the sample: every record the team began ends with exactly two labels, from two
        // different reviewers, and only votes (or the label their agreement gave).
        let votes = try store.votes()
        let perRecord = Dictionary(grouping: votes, by: \.key)
        #expect(perRecord.count > 50, "pairs completed: \(perRecord.count)")
        for (key, vs) in perRecord {
            #expect(vs.count == 2 && Set(vs.map(\.reviewer)).count == 2, "record \(key): \(vs.map { "\($0.reviewer) \($0.label)" })")
        }
        for (key, vs) in perRecord where vs.count == 2 {
            let r = try #require(try store.records(keys: [key])[key])
            #expect(vs[0].label == vs[1].label ? r.label == vs[0].label : r.label == nil)
        }
        #expect(try store.dbQueue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM label_history WHERE override = 1") } == 0)
        // The killed reviewer's leases outlive it (the team never took those records), then expire: its records are back in the pool.
        let keys = try store.keys(RecordFilter(status: .unlabeled))
        let held = try store.leases(keys, except: "someone", at: killedAt + 1).filter { $0.value.reviewer == "被杀" }.map(\.key)
        #expect(!held.isEmpty)
        let later = killedAt + SQLiteRecordStore.leaseSeconds + 1
        #expect(try store.leases(held, except: "someone", at: later).isEmpty)
        #expect(try store.claim(held, reviewer: "审核员1", at: later) == Set(held))
    }
}

@Suite struct AgreementCommandTests {
    /// Labels by one reviewer, second reviews by another (some changed): the command's figures
    /// are the table's, in every format.
    @Test func agreementOfLabelsAndSecondReviews() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let store = try SQLiteRecordStore(path: cli.db)
        try store.importBatch { sink in
            for i in 0..<40 {
                _ = try sink.insert(InteractionRecord(id: "a\(i)", askedAt: 1_764_551_733 + Int64(i), org: i % 2 == 0 ? "如皋市" : "海安市",
                                                      question: "问题\(i)", answer: "回答\(i)"))
            }
        }
        var table = Agreement.Table(k: 4)
        for i in 0..<40 {
            let first = Label.allCases[i % 4], second = i % 5 == 0 ? Label.allCases[(i + 1) % 4] : first
            try store.setLabel(first, recordId: "a\(i)", reviewer: "李娜", at: 1)
            try store.markReviewed(recordId: "a\(i)", label: second, reviewer: "王强", at: 2)
            table.add(i % 4, Label.allCases.firstIndex(of: second)!)
        }
        // One's own review is no second opinion: a0 keeps its earlier pair, nothing is added.
        try store.setLabel(.correct, recordId: "a0", reviewer: "王强", at: 3)
        try store.markReviewed(recordId: "a0", label: nil, reviewer: "王强", at: 4)

        let json = try cli.run(["agreement", "--db", cli.db, "--format", "json"])
        #expect(json.status == 0, "\(json.err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(obj["pairs"] as? Int == 40)
        #expect((obj["table"] as? [[Int]]) == table.counts)
        let all = try #require(obj["all"] as? [String: Any])
        let kappa = try #require(Agreement.cohen(table))
        #expect(abs((all["kappa"] as? Double ?? 0) - kappa.value) < 1e-9)
        // Fleiss' κ over the same pairs (two raters an item): as computed from the item counts.
        var items: [[Int]] = []
        for i in 0..<4 {
            for j in 0..<4 {
                var row = [0, 0, 0, 0]
                row[i] += 1
                row[j] += 1
                for _ in 0..<table.counts[i][j] { items.append(row) }
            }
        }
        #expect(abs((obj["fleiss"] as? Double ?? 0) - (Agreement.fleiss(items) ?? 9)) < 1e-9)
        let text = try cli.run(["agreement", "--db", cli.db, "--org", "如皋市"]).out
        #expect(text.contains("配对 20 条") && text.contains("李娜 → 王强"))
        // The reviewers' figures from the same history: 40 labels and 40 second reviews (+ a0's two).
        let rv = try cli.run(["reviewers", "--db", cli.db, "--format", "json"])
        let people = try #require((try JSONSerialization.jsonObject(with: Data(rv.out.utf8)) as? [String: Any])?["reviewers"] as? [[String: Any]])
        #expect(Set(people.compactMap { $0["reviewer"] as? String }) == ["李娜", "王强"])
        #expect(people.first { $0["reviewer"] as? String == "王强" }?["labels"] as? Int == 42)
        #expect(try cli.run(["reviewers", "--db", cli.db, "--from", "2025-02-30"]).status == 1)
        #expect(try cli.run(["report", "--db", cli.db, "--by", "reviewer"]).out.contains("审核员/质量"))
        let md = try cli.run(["agreement", "--db", cli.db, "--format", "markdown"]).out
        // Every Markdown table row has as many cells as its header.
        for block in md.components(separatedBy: "\n\n") where block.hasPrefix("|") {
            let counts = Set(block.split(separator: "\n").map { $0.filter { $0 == "|" }.count })
            #expect(counts.count == 1, "\(block)")
        }
    }
}

@Suite struct DoubleReviewSessionTests {
    /// After a label, a pair waiting for its second label comes before the list's next record.
    @Test func aWaitingPairComesNext() throws {
        let f = try AppFixture()
        let a = f.session
        // Another process draws the sample and gives R003 its first label.
        let other = try SQLiteRecordStore(path: f.store.path)
        #expect(try other.drawSample(RecordFilter(), rate: 1, seed: 3, by: "张主任", at: AppFixture.now) == 5)
        try other.setLabel(.missingKnowledge, recordId: "R003", reviewer: "王强", at: AppFixture.now, others: .refuse)
        _ = a.tick()
        #expect(a.selectedRecord?.id == "R001")
        f.press(typed("3"))
        #expect(a.selectedRecord?.id == "R003")
        #expect(f.draw(width: 120, height: 40).dump().contains("双评样本（盲评）：已有 1/2 人标注"))
        // Its second label completes the pair; the list goes on from where the reviewer was.
        f.press(typed("1"))
        #expect(try f.store.sampleState([try #require(try f.store.key(recordId: "R003"))], reviewer: "张敏").first?.value.votes == 2)
        #expect(a.selectedRecord?.id == "R002")
    }

    /// Two reviewers label the sample blind; agreeing labels label the record, differing ones wait
    /// (待仲裁, left out of the accuracy) until a supervisor decides in the queue.
    @Test func blindVotesAgreementDisputeAndAdjudication() throws {
        let f = try AppFixture()
        let a = f.session
        #expect(try f.store.drawSample(RecordFilter(), rate: 1, seed: 3, by: "张主任", at: AppFixture.now) == 5)
        // 张敏 labels R001 and R002: their own votes; the records stay unlabelled for everyone.
        f.press(typed("3"))
        #expect(a.message?.text.zh.hasPrefix("已保存你的双评标注") == true)
        f.press(typed("1"))
        #expect(try f.store.record(id: "R001")?.label == nil)
        #expect(try f.store.record(id: "R002")?.label == nil)
        a.list.releaseLeases()  // 张敏 moves on
        // 王强 opens on 待办: the pairs waiting for his label first; he sees only that one label
        // is in, never which.
        let b = try ReviewSession(store: try SQLiteRecordStore(path: f.store.path, busyTimeout: 0.2), reference: .bundled,
                                  reviewer: "王强", clock: { AppFixture.now })
        #expect(b.selectedRecord?.id == "R001")
        ReviewScreen.prepare(b, width: 120, height: 40)
        let screen = ReviewScreen.draw(b, width: 120, height: 40).dump()
        #expect(screen.contains("双评1/2") && screen.contains("双评样本（盲评）：已有 1/2 人标注"))
        // The detail (R001 selected) shows no label: 张敏's ✓ stays hidden.
        #expect(screen.contains(" · 未标注 "))
        // The same label: R001 is labelled. A different one: R002 waits for a supervisor.
        b.perform(b.handle(.char("3")))
        #expect(try f.store.record(id: "R001")?.label == .correct)
        b.perform(b.handle(.char("2")))
        #expect(try f.store.record(id: "R002")?.label == nil)
        #expect(try f.store.disputeCount() == 1)
        _ = a.tick()
        #expect(a.ctx.disputes == 1)
        #expect(f.draw(width: 120, height: 40).dump().contains("待仲裁 1 条"))
        #expect(a.total == (try f.store.tallies(a.statsFilter, rules: a.rules).total))
        // Only a supervisor opens the queue.
        f.press([.char("A")])
        #expect(a.mode == .list && a.message?.text.zh.contains("主管") == true)
        var team = ReferenceData.bundled
        team.team = Team(supervisors: ["张主任"])
        let boss = try ReviewSession(store: try SQLiteRecordStore(path: f.store.path), reference: team, reviewer: "张主任",
                                     clock: { AppFixture.now })
        boss.perform(boss.handle(.char("A")))
        #expect(boss.mode == .adjudication)
        ReviewScreen.prepare(boss, width: 80, height: 24)
        let queue = ReviewScreen.draw(boss, width: 80, height: 24).dump()
        #expect(queue.contains("张敏 ∅") && queue.contains("王强 ✗"), "\(queue)")
        // The record's text scrolls at 80×24 (Tab gives it the keys): R002's long answer to its end.
        boss.perform(boss.handle(.tab))
        for _ in 0..<3 { boss.perform(boss.handle(.pageDown)) }
        ReviewScreen.prepare(boss, width: 80, height: 24)
        let scrolled = ReviewScreen.draw(boss, width: 80, height: 24).dump()
        #expect(scrolled.contains("行 ") && !scrolled.contains("行 1-") && scrolled.contains("缴费档次分为"), "\(scrolled)")
        boss.perform(boss.handle(.tab))
        boss.perform(boss.handle(.char("2")))
        let r2 = try #require(try f.store.record(id: "R002"))
        #expect(r2.label == .misunderstood && r2.status == .reviewed && r2.reviewedBy == "张主任")
        #expect(try f.store.history(recordId: "R002").map(\.action) == [.vote, .vote, .adjudicate])
        #expect(try f.store.disputeCount() == 0)
        _ = a.tick()
        #expect(a.ctx.disputes == 0)
        #expect(a.total == (try f.store.tallies(a.statsFilter, rules: a.rules).total))
    }
}

@Suite struct AssignmentTests {
    @Test func sharesSplitTheWorkAndTheAppOpensOnMyTasks() throws {
        let f = try AppFixture()
        // The five unlabelled records, 2:1 between 张敏 and 王强, interleaved in list order.
        let counts = try f.store.assign(RecordFilter(status: .unlabeled), to: [("张敏", 2), ("王强", 1)], by: "张主任", at: AppFixture.now)
        #expect(counts == ["张敏": 3, "王强": 2])
        #expect(counts["张敏"] == 3)
        let mine = try f.store.keys(RecordFilter(assignee: "张敏"))
        let theirs = try f.store.keys(RecordFilter(assignee: "王强"))
        #expect(mine.count == 3 && Set(mine).isDisjoint(with: theirs))
        // 张敏's app opens on them, says how many are left, and T shows everything.
        let s = try ReviewSession(store: f.store, reference: .bundled, reviewer: "张敏", location: "fixture.sqlite", clock: { AppFixture.now })
        #expect(s.filter.assignee == "张敏" && s.keys == mine)
        ReviewScreen.prepare(s, width: 120, height: 40)
        let screen = ReviewScreen.draw(s, width: 120, height: 40).dump()
        #expect(screen.contains("待办（分配给你的）") && screen.contains("任务剩余 3 条"))
        #expect(s.total == (try f.store.tallies(s.statsFilter, rules: s.rules).total))
        s.perform(s.handle(.char("T")))
        #expect(s.filter.assignee == nil && s.keys.count == 8)
        // Assigned again: a record goes to its new reviewer.
        try f.store.assign(RecordFilter(status: .unlabeled), to: [("王强", 1)], by: "张主任", at: AppFixture.now)
        #expect(try f.store.assignments()["王强"]?.assigned == 5)
        #expect(try f.store.keys(RecordFilter(assignee: "张敏")).isEmpty)
    }
}

@Suite struct SupervisorInTheAppTests {
    /// A supervisor splits the list's filter from the app (P) and reads the reviewers' figures on
    /// the dashboard (w); a reviewer is told why P is not theirs.
    @Test func assignFromTheAppAndTheReviewersView() throws {
        let f = try AppFixture()
        f.press(typed("31"))  // 张敏 labels two records
        f.press([.char("P")])
        #expect(f.session.mode == .list && f.session.message?.text.zh.contains("主管") == true)
        var reference = ReferenceData.bundled
        reference.team = Team(supervisors: ["张主任"])
        let boss = try ReviewSession(store: f.store, reference: reference, reviewer: "张主任", clock: { AppFixture.now })
        boss.perform(boss.handle(.char("T")))  // the whole list (the app opens on 待办)
        for k in [.char("P")] + typed("李娜:1 王强") + [.enter] as [Key] { boss.perform(boss.handle(k)) }
        #expect(boss.message?.text.zh.hasPrefix("已分配 8 条") == true, "\(String(describing: boss.message))")
        #expect(try f.store.assignments()["李娜"]?.assigned == 4)
        for k in [.char("P")] + typed("李娜:x") + [.enter] as [Key] { boss.perform(boss.handle(k)) }
        #expect(boss.mode == .prompt && boss.message?.role == .error)
        boss.perform(boss.handle(.escape))
        boss.perform(boss.handle(.char("s")))
        boss.perform(boss.handle(.char("w")))
        #expect(boss.dashboard?.view == .reviewers && boss.dashboard?.reviewers?.rows.first?.reviewer == "张敏")
        ReviewScreen.prepare(boss, width: 80, height: 24)
        let screen = ReviewScreen.draw(boss, width: 80, height: 24).dump()
        #expect(screen.contains("审核员/质量") && screen.contains("张敏"))
        boss.perform(boss.handle(.char("w")))
        #expect(boss.dashboard?.view == .counties)
    }
}
