import Foundation
import Testing
@testable import Model

/// Leases and overrides, through the protocols only (`any RecordStore`), so a second store runs
/// the same bodies: `stores` lists every store the tests know how to open.
@Suite struct TeamStoreTests {
    /// Two connections to one fresh database of every store kind (two reviewers' processes).
    static func stores(_ dir: TempDir, records: Int) throws -> [(any RecordStore, any RecordStore)] {
        try StoreKind.all.map { kind in
            let a: any RecordStore = kind == .sqlite ? try SQLiteRecordStore(path: dir.path("team.sqlite"), busyTimeout: 2)
                : try makeStore(dir, kind)
            try a.importBatch { sink in
                for i in 0..<records {
                    _ = try sink.insert(InteractionRecord(id: "t\(i)", askedAt: 1_764_551_733 + Int64(i), org: "如皋市",
                                                          question: "问题\(i)", answer: "回答\(i)"))
                }
            }
            return (a, try a.openAnother())
        }
    }

    @Test func aClaimedRecordIsNobodyElsesUntilItExpires() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (a, b) in try Self.stores(dir, records: 5) {
            let keys = try a.keys(RecordFilter())
            let t: Int64 = 1_000_000
            #expect(try a.claim([keys[0], keys[1]], reviewer: "李娜", at: t) == [keys[0], keys[1]])
            // Another reviewer (another connection) gets only what is free.
            #expect(try b.claim([keys[1], keys[2]], reviewer: "王强", at: t + 1) == [keys[2]])
            let seen = try b.leases(Array(keys), except: "王强", at: t + 2)
            #expect(seen[keys[0]]?.reviewer == "李娜" && seen[keys[1]]?.since == t && seen[keys[2]] == nil)
            // Renewing keeps `since`; a new claim ends the reviewer's other leases.
            #expect(try a.claim([keys[1]], reviewer: "李娜", at: t + 60) == [keys[1]])
            #expect(try a.leases([keys[1]], except: "王强", at: t + 61)[keys[1]]?.since == t)
            #expect(try b.claim([keys[0]], reviewer: "王强", at: t + 61) == [keys[0]])
            // Expired (a killed app renews nothing): anyone's again.
            let later = t + 60 + SQLiteRecordStore.leaseSeconds
            #expect(try b.claim([keys[1]], reviewer: "王强", at: later) == [keys[1]])
            try b.releaseLeases(reviewer: "王强")
            #expect(try a.leases(Array(keys), except: "李娜", at: later).isEmpty)
        }
    }

    @Test func anotherReviewersWorkIsRefusedOrMarkedAsAnOverride() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (a, b) in try Self.stores(dir, records: 3) {
            let keys = try a.keys(RecordFilter())
            let ids = try keys.map { try #require(try a.records(keys: [$0])[$0]?.id) }
            let t: Int64 = 2_000_000
            try a.setLabel(.correct, recordId: ids[0], reviewer: "李娜", at: t, others: .refuse)
            // Their label: refused when asked to, saying whose and what.
            #expect(throws: StoreError.othersWork(ids[0], reviewer: "李娜", label: .correct, holds: false)) {
                try b.setLabel(.misunderstood, recordId: ids[0], reviewer: "王强", at: t + 1, others: .refuse)
            }
            #expect(try a.record(id: ids[0])?.label == .correct)
            // Their lease: the same.
            _ = try a.claim([keys[1]], reviewer: "李娜", at: t)
            #expect(throws: StoreError.othersWork(ids[1], reviewer: "李娜", label: nil, holds: true)) {
                try b.setLabel(.correct, recordId: ids[1], reviewer: "王强", at: t + 1, others: .refuse)
            }
            // Confirmed (or from a command): written, and the history says it was an override.
            try b.setLabel(.misunderstood, recordId: ids[0], reviewer: "王强", at: t + 2, others: .overwrite)
            #expect(try a.history(recordId: ids[0]).map(\.override) == [false, true])
            // One's own label again, or a free record: no override.
            try a.setLabel(.missingKnowledge, recordId: ids[2], reviewer: "李娜", at: t + 3, others: .refuse)
            try a.setLabel(.correct, recordId: ids[2], reviewer: "李娜", at: t + 4, others: .refuse)
            #expect(try a.history(recordId: ids[2]).map(\.override) == [false, false])
            // Once the lease has expired, the record is free again.
            try b.setLabel(.correct, recordId: ids[1], reviewer: "王强", at: t + SQLiteRecordStore.leaseSeconds, others: .refuse)
            #expect(try a.history(recordId: ids[1]).map(\.override) == [false])
        }
    }

    /// Two threads on two connections claim overlapping records as fast as they can: no record is
    /// ever held by both (SQLite's write lock serialises the claims).
    @Test func simultaneousClaimsNeverShareARecord() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (a, b) in try Self.stores(dir, records: 200) {
            let keys = try a.keys(RecordFilter())
            let lock = NSLock()
            nonisolated(unsafe) var got: [String: Set<RecordKey>] = [:]
            let stores = [("李娜", Unchecked(a)), ("王强", Unchecked(b))]
            DispatchQueue.concurrentPerform(iterations: 2) { n in
                let (who, store) = stores[n]
                var mine = Set<RecordKey>()
                for k in keys {
                    // Each claims one record at a time, at one moment, keeping what it won.
                    if let held = try? store.value.claim(Array(mine) + [k], reviewer: who, at: 5_000_000), held.contains(k) {
                        mine.insert(k)
                    }
                }
                lock.lock()
                got[who] = mine
                lock.unlock()
            }
            #expect(got["李娜", default: []].isDisjoint(with: got["王强", default: []]))
            #expect(got["李娜", default: []].count + got["王强", default: []].count == keys.count)
        }
    }
}

struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

@Suite struct DoubleReviewStoreTests {
    @Test(arguments: StoreKind.all) func aSampleIsStratifiedAndReproducible(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        func draw(_ name: String, seed: UInt64) throws -> (Int, Set<RecordKey>) {
            let s = try makeStore(dir, kind, name: name)
            try s.importBatch { sink in
                for i in 0..<400 {
                    // Two organisations over four weeks.
                    _ = try sink.insert(InteractionRecord(id: "d\(i)", askedAt: 1_764_000_000 + Int64(i) * 6000,
                                                          org: i % 2 == 0 ? "如皋市" : "海安市", question: "问\(i)", answer: "答\(i)"))
                }
            }
            let n = try s.drawSample(RecordFilter(), rate: 0.1, seed: seed, by: "张主任", at: 1)
            let keys = try s.keys(RecordFilter())
            return (n, Set(try s.sampleState(keys, reviewer: "x").keys))
        }
        let (n1, a) = try draw("a", seed: 7)
        let (_, b) = try draw("b", seed: 7)
        let (_, c) = try draw("c", seed: 8)
        #expect(n1 == a.count && (36...44).contains(n1))
        #expect(a == b && a != c)
    }

    @Test(arguments: StoreKind.all) func twoBlindVotesAgreeOrWaitForASupervisor(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let s = try makeStore(dir, kind)
        try s.importBatch { sink in
            for i in 0..<4 { _ = try sink.insert(InteractionRecord(id: "v\(i)", askedAt: 1_764_000_000 + Int64(i), org: "如皋市", question: "问", answer: "答")) }
        }
        #expect(try s.drawSample(RecordFilter(), rate: 1, seed: 1, by: "张主任", at: 1) == 4)
        let key = { (id: String) in try #require(try s.key(recordId: id)) }
        // The first vote is the reviewer's own: the record stays unlabelled, and others see only a count.
        try s.setLabel(.correct, recordId: "v0", reviewer: "李娜", at: 10, others: .refuse)
        #expect(try s.record(id: "v0")?.label == nil)
        #expect(try s.sampleState([key("v0")], reviewer: "王强")[key("v0")] == SampleState(votes: 1, mine: nil, disputed: false))
        #expect(try s.sampleState([key("v0")], reviewer: "李娜")[key("v0")]?.mine == .correct)
        // The second, equal: the record is labelled.
        try s.setLabel(.correct, recordId: "v0", reviewer: "王强", at: 11, others: .refuse)
        #expect(try s.record(id: "v0")?.label == .correct)
        // Different: a dispute, oldest first, undecided until a supervisor decides.
        try s.setLabel(.correct, recordId: "v1", reviewer: "李娜", at: 12, others: .refuse)
        try s.setLabel(.misunderstood, recordId: "v1", reviewer: "王强", at: 13, others: .refuse)
        #expect(try s.record(id: "v1")?.label == nil && s.disputeCount() == 1)
        let d = try #require(try s.disputes(limit: 10).first)
        #expect(d.recordId == "v1" && d.votes.map(\.label) == [.correct, .misunderstood])
        // A third reviewer is refused.
        #expect(throws: StoreError.sampleComplete("v1")) {
            try s.setLabel(.correct, recordId: "v1", reviewer: "周婷", at: 14, others: .refuse)
        }
        try s.adjudicate(recordId: "v1", label: .misunderstood, by: "张主任", at: 15)
        #expect(try s.record(id: "v1")?.label == .misunderstood && s.record(id: "v1")?.status == .reviewed)
        #expect(try s.disputeCount() == 0)
        // Both original labels stay in the history.
        #expect(try s.history(recordId: "v1").map(\.action) == [.vote, .vote, .adjudicate])
        // Sent back: both votes withdrawn, a note for them.
        try s.setLabel(.correct, recordId: "v2", reviewer: "李娜", at: 16, others: .refuse)
        try s.setLabel(.outOfScope, recordId: "v2", reviewer: "王强", at: 17, others: .refuse)
        try s.sendBack(recordId: "v2", note: "看政策依据再判", by: "张主任", at: 18)
        #expect(try s.sampleState([key("v2")], reviewer: "李娜")[key("v2")] == SampleState(votes: 0, mine: nil, disputed: false))
        #expect(try s.record(id: "v2")?.note == "看政策依据再判")
        // The agreement pairs come from the votes.
        let pairs = Agreement.votePairs(try s.votes())
        #expect(pairs.map(\.recordId) == ["v0", "v1"])
    }

    /// Pairs waiting for a second label: not the first voter's, not one someone else holds,
    /// oldest first label first, gone once complete.
    @Test func pairsWaitingForASecondLabel() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        for (s, other) in try TeamStoreTests.stores(dir, records: 6) {
            #expect(try s.drawSample(RecordFilter(), rate: 1, seed: 1, by: "张主任", at: 1) == 6)
            let key = { (id: String) in try #require(try s.key(recordId: id)) }
            #expect(try s.awaitingSecondVote(reviewer: "王强", at: 100, limit: 10).isEmpty)
            try s.setLabel(.correct, recordId: "t3", reviewer: "李娜", at: 10, others: .refuse)
            try s.setLabel(.correct, recordId: "t1", reviewer: "李娜", at: 11, others: .refuse)
            try s.setLabel(.missingKnowledge, recordId: "t5", reviewer: "周婷", at: 12, others: .refuse)
            #expect(try s.awaitingSecondVote(reviewer: "王强", at: 100, limit: 10) == [key("t3"), key("t1"), key("t5")])
            #expect(try s.awaitingSecondVote(reviewer: "王强", at: 100, limit: 2) == [key("t3"), key("t1")])
            // Never the first voter's own; held by another reviewer, theirs until the lease ends.
            #expect(try s.awaitingSecondVote(reviewer: "李娜", at: 100, limit: 10) == [key("t5")])
            #expect(try other.claim([key("t1")], reviewer: "周婷", at: 100) == [key("t1")])
            #expect(try s.awaitingSecondVote(reviewer: "王强", at: 101, limit: 10) == [key("t3"), key("t5")])
            #expect(try s.awaitingSecondVote(reviewer: "周婷", at: 101, limit: 10) == [key("t3"), key("t1")])
            #expect(try s.awaitingSecondVote(reviewer: "王强", at: 100 + SQLiteRecordStore.leaseSeconds, limit: 10).count == 3)
            // Complete (agreeing or not): no longer waiting.
            try s.setLabel(.correct, recordId: "t3", reviewer: "王强", at: 13, others: .refuse)
            try s.setLabel(.misunderstood, recordId: "t5", reviewer: "王强", at: 14, others: .refuse)
            #expect(try s.awaitingSecondVote(reviewer: "赵六", at: 101, limit: 10) == [])
            #expect(try s.awaitingSecondVote(reviewer: "赵六", at: 300, limit: 10) == [key("t1")])
        }
    }
}
