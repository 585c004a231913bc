import Foundation
import Model

/// `workbench bench --only memory`: the app's resident memory on the imported database, step by
/// step as a reviewer opens it (issue 36: ≤ 64 MB at 1,000,000 records, figures loaded). It runs
/// in a child process of its own, so nothing the bench did before counts, and opens the session
/// as the app does (the list at once, the statistics index on another thread and connection).
enum BenchMemory {
    static let childVariable = "WORKBENCH_BENCH_MEMORY_CHILD"

    static func run(storePath: String, reference: ReferenceData, records: Int, dir: String) throws {
        guard FileManager.default.fileExists(atPath: storePath) else {
            print("memory: 跳过：还没有导入的数据库 \(storePath)（先运行 import：--only import,memory）(skipped: nothing imported yet)")
            return
        }
        if ProcessInfo.processInfo.environment[childVariable] != nil {
            try steps(storePath: storePath, reference: reference)
            return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        p.arguments = ["bench", "--records", "\(records)", "--dir", dir, "--only", "memory"]
        var env = ProcessInfo.processInfo.environment
        env[childVariable] = "1"
        p.environment = env
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        for line in String(decoding: out, as: UTF8.self).split(separator: "\n") where line.hasPrefix("memory: ") {
            print(line)
        }
        guard p.terminationStatus == 0 else { throw UserError("bench: the memory child failed (status \(p.terminationStatus))") }
    }

    /// VmRSS and VmHWM of this process, in MB.
    static func resident() -> (rss: Double, peak: Double) {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        var rss = 0.0, peak = 0.0
        for line in s.split(separator: "\n") {
            let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
            if line.hasPrefix("VmRSS:") { rss = kb / 1024 }
            if line.hasPrefix("VmHWM:") { peak = kb / 1024 }
        }
        return (rss, peak)
    }

    static func say(_ step: String) {
        let r = resident()
        print(String(format: "memory: %-44@ RSS %5.1f MB (peak %5.1f MB; SQLite's heap %4.1f MB)", step as NSString, r.rss, r.peak,
                     Double(SQLiteRecordStore.heapInUse) / 1_048_576))
    }

    static func steps(storePath: String, reference: ReferenceData) throws {
        say("start (the bench process, nothing open)")
        // As `workbench --db`: a 0.3 s busy timeout, the session with its background work.
        var store: SQLiteRecordStore! = try SQLiteRecordStore(path: storePath, busyTimeout: 0.3)
        var session: ReviewSession! = try ReviewSession(store: store, reference: reference, reviewer: "甲", backgroundStatistics: true)
        ReviewScreen.prepare(session, width: 160, height: 45)
        _ = ReviewScreen.draw(session, width: 160, height: 45)
        say("open: \(grouped(session.keys.count)) keys listed, first frame")
        let t0 = Date()
        while session.statisticsPending { _ = session.tick(); usleep(2000) }
        ReviewScreen.prepare(session, width: 160, height: 45)
        _ = ReviewScreen.draw(session, width: 160, height: 45)
        say(String(format: "figures loaded (%.1f s later)", Date().timeIntervalSince(t0)))
        // The idle ticks that follow (the integrity check on its own connection finishes).
        for _ in 0..<20 { _ = session.tick(); usleep(50_000) }
        say("a second of idle ticks")
        for c in "12j34j1234" {
            ReviewScreen.prepare(session, width: 160, height: 45)
            session.perform(session.handle(.char(c)))
            ReviewScreen.prepare(session, width: 160, height: 45)
            _ = ReviewScreen.draw(session, width: 160, height: 45)
        }
        say("10 keys (1 2 j 3 4 j 1 2 3 4), each drawn")
        // A reviewer reading down the list: 200 pages of 43 rows, each fetched and drawn.
        for _ in 0..<200 {
            session.perform(session.handle(.pageDown))
            ReviewScreen.prepare(session, width: 160, height: 45)
            _ = ReviewScreen.draw(session, width: 160, height: 45)
        }
        say("200 pages down (\(grouped(session.selection)) rows passed)")
        // The dashboard over the same filter: its TOP10 needs the hot-question columns, read the
        // first time (here on their own, to time them).
        let read = try BenchTiming.ms { try session.ctx.live.index?.loadTopics(from: store) }
        say(String(format: "hot-question columns read (%.0f ms)", read))
        let opened = BenchTiming.ms {
            session.perform(session.handle(.char("s")))
            ReviewScreen.prepare(session, width: 160, height: 45)
            _ = ReviewScreen.draw(session, width: 160, height: 45)
        }
        say(String(format: "dashboard open (%.0f ms)", opened))
        session.pop()
        ReviewScreen.prepare(session, width: 160, height: 45)
        _ = ReviewScreen.draw(session, width: 160, height: 45)
        say("dashboard closed, back on the list")
        // What a knowledge base of 10,000 entries adds: the review detail reads its entries by
        // bot id and topic (for the bot's 命中知识 id); `M` and the knowledge screen also index
        // their questions.
        do {
            let today = ShanghaiTime.startOfDay(nowEpoch())
            let links = KnowledgeMatcher(
                entries: DemoKnowledge.scaled(count: 10_000, reference: reference, today: today).map(\.withoutTexts),
                organisations: reference.organisations, synonyms: reference.synonyms, indexed: false)
            HeapTrim.now()
            say("10,000 knowledge entries, as the review reads them")
            let full = KnowledgeMatcher(entries: DemoKnowledge.scaled(count: 10_000, reference: reference, today: today),
                                        organisations: reference.organisations, synonyms: reference.synonyms)
            say("and, as for M, with texts and indexed (\(full.documentCount) questions)")
            withExtendedLifetime((links, full)) {}
        }
        HeapTrim.now()
        say("knowledge base let go")
        if let index = session.ctx.live.index {
            print(String(format: "memory: the statistics index holds %.1f MB for %@ records; the list's keys %.1f MB",
                         Double(index.footprint) / 1_048_576, grouped(index.count) as NSString,
                         Double(session.list.keys.footprint) / 1_048_576))
        }
        HeapTrim.now()
        say("after malloc_trim(0) (what the heap held free)")
        session = nil
        HeapTrim.now()
        say("session closed, malloc_trim(0)")
        store = nil
        HeapTrim.now()
        say("store closed too, malloc_trim(0)")
    }

}
