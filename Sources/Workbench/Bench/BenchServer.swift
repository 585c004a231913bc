import Foundation
import Model

/// `workbench bench --only server --server postgres://…`: the team server's figures against the
/// issue's targets, on new databases it creates on that server (the URL's role must be allowed
/// to create databases): the import beside SQLite's in the same run, the app opening, the
/// statistics index loaded from the server, eight reviewer processes labelling at once (label key
/// and claim p99, from `team-sim`), another reviewer's label on a screen after its commit, and
/// `db copy` of the SQLite file.
enum BenchServer {
    static func run(_ bench: BenchCommand, server base: String, csv: String, sqlitePath: String, reference: ReferenceData, end: Int64) throws {
        func fresh(_ tag: String) throws -> String {
            let name = "wb_bench_\(tag)_\(getpid())"
            try PostgresAdmin.createDatabase(name, server: base)
            var c = URLComponents(string: base)!
            c.path = "/" + name
            return c.string!
        }

        // 1. Import: SQLite and the server, the same file, one after the other in this run.
        let fm = FileManager.default
        for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: sqlitePath + suffix) }
        let (sqliteSeconds, _, sqliteOut) = try bench.runChild(["import", csv, "--db", sqlitePath])
        let url = try fresh("import")
        let (serverSeconds, serverRSS, serverOut) = try bench.runChild(["import", csv, "--db", url])
        for line in (sqliteOut + "\n" + serverOut).split(separator: "\n") { print("  " + line) }
        // Each `import` command to its end: SQLite's includes building its text index afterwards,
        // the server's keeps its trigram indexes as it inserts.
        print(String(format: "server import: %d rows in %.1f s (peak RSS %.0f MB) vs SQLite %.1f s in the same run, text indexes included: %.2f× (target ≤ 2×)",
                     bench.records, serverSeconds, Double(serverRSS) / 1024, sqliteSeconds, serverSeconds / sqliteSeconds))

        // 2. The app opening on the server, the statistics index, filtered pages.
        try read(url: url, reference: reference, end: end, queries: bench.queries)
        try team(url: url, reference: reference)

        // 4. db copy of the SQLite file to a new server database.
        let target = try fresh("copy")
        _ = try bench.runChild(["db", "init", "--db", target])
        let (copySeconds, _, copyOut) = try bench.runChild(["db", "copy", sqlitePath, target])
        let ok = copyOut.contains("逐表核对一致")
        print(String(format: "server db copy: %d records in %.1f s, check %@", bench.records, copySeconds, ok ? "passed" : "FAILED"))
        for tag in ["import", "copy"] { try? PostgresAdmin.dropDatabase("wb_bench_\(tag)_\(getpid())", server: base) }
    }

    /// Opening the app on a server database, its statistics index, and filtered pages of 50 (the
    /// shapes `bench` uses on SQLite, each filter twice: cold, then warm).
    static func read(url: String, reference: ReferenceData, end: Int64, queries: Int) throws {
        let p = BenchTiming.p
        let store = try openDatabase(path: url)
        let (app, listed, drawn, counted) = try BenchReviewScreen.openApp(store, reference: reference)
        print(String(format: "server app open on %d records: list %.0f ms + first frame %.0f ms (target ≤ 500 ms); statistics index %.2f s later (target ≤ 3 s)",
                     app.keys.count, listed, drawn, counted / 1000))
        let keyTimes = try (0..<3).map { _ in try BenchTiming.ms { _ = try store.keys(RecordFilter()) } }
        print(String(format: "server: the list's keys alone (every record, in order) %@ ms",
                     keyTimes.map { String(format: "%.0f", $0) }.joined(separator: " / ")))
        // The filters' periods end where the data ends (a log exported today, or the bench's file).
        let end = try store.page(RecordFilter(), after: nil, limit: 1).records.first?.askedAt ?? end
        var rng = SeededRandom(seed: 7)
        var all: [[Double]] = [[], []]
        for (name, make) in BenchCommand.pageShapes(reference: reference, end: end) {
            let passes = try BenchCommand.pagePasses(store, (0..<min(queries, 50)).map { _ in make(&rng) })
            all[0] += passes[0]
            all[1] += passes[1]
            print(String(format: "server page (50 rows) %-24@ cold p50 %6.2f p99 %6.2f ms | warm p50 %6.2f p99 %6.2f ms",
                         name as NSString, p(passes[0], 0.5), p(passes[0], 0.99), p(passes[1], 0.5), p(passes[1], 0.99)))
        }
        print(String(format: "server page, all shapes: cold p50 %.2f ms, p99 %.2f ms | warm p50 %.2f ms, p99 %.2f ms",
                     p(all[0], 0.5), p(all[0], 0.99), p(all[1], 0.5), p(all[1], 0.99)))
    }

    /// Eight reviewers labelling at once on the server database, with this process watching.
    static func team(url: String, reference: ReferenceData) throws {
        let p = BenchTiming.p
        // 3. Eight reviewers labelling at 4 keys a second each, in their own processes, while this
        // process watches as a ninth screen: each of its own labels (one a second) timed from its
        // commit until another session's list shows it, that session ticking every 250 ms as the
        // app does (the wait for the tick included).
        let children: [Process] = try (1...8).map { i in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            p.arguments = ["team-sim", "--db", url, "--reviewer", "审核员\(i)", "--seconds", "30", "--pace-ms", "250"]
            p.standardOutput = Pipe()
            try p.run()
            return p
        }
        // The watcher looks at the end of the list (the simulated reviewers start at its top);
        // this process labels those records straight through the store: the commit's own time.
        let writer = try openDatabase(path: url)
        let watcher = try ReviewSession(store: try openDatabase(path: url), reference: reference, reviewer: "观察员")
        // Unlabelled records from the end of the list upwards (a database a bench used before
        // has its last ones labelled), each shown on the watcher's screen when it is labelled.
        var targets: [(key: RecordKey, id: String, index: Int)] = []
        var at = watcher.keys.count - 1
        while targets.count < 60 && at >= 0 {
            watcher.list.select(at)
            ReviewScreen.prepare(watcher, width: 160, height: 120)
            for i in stride(from: at, through: max(0, at - 90), by: -1) where targets.count < 60 {
                if let r = watcher.list.row(watcher.keys[i]), r.label == nil { targets.append((watcher.keys[i], r.id, i)) }
            }
            at -= 91
        }
        var shown: [Double] = [], commits: [Double] = []
        var rng = SystemRandomNumberGenerator()
        for (key, id, index) in targets {
            watcher.list.select(index)
            ReviewScreen.prepare(watcher, width: 160, height: 120)
            let t0 = Date()
            _ = try writer.setLabel(.correct, recordId: id, reviewer: "观察员甲", at: Int64(t0.timeIntervalSince1970), others: .overwrite)
            let committed = Date()
            commits.append(committed.timeIntervalSince(t0) * 1000)
            // The watcher's next tick comes somewhere in its 250 ms.
            var next = committed.addingTimeInterval(Double.random(in: 0..<0.25, using: &rng))
            while true {
                let wait = next.timeIntervalSinceNow
                if wait > 0 { usleep(UInt32(wait * 1e6)) }
                if watcher.tick() { ReviewScreen.prepare(watcher, width: 160, height: 120) }
                if watcher.list.row(key)?.label == .correct { break }
                next = next.addingTimeInterval(0.25)
                if Date().timeIntervalSince(committed) > 5 { break }
            }
            shown.append(Date().timeIntervalSince(committed) * 1000)
            usleep(UInt32.random(in: 200_000...400_000, using: &rng))
        }
        var lines: [String] = []
        for c in children {
            let out = (c.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
            c.waitUntilExit()
            lines.append(String(decoding: out, as: UTF8.self).trimmed)
        }
        for l in lines { print("server team-sim: " + l) }
        func figure(_ name: String, _ line: String) -> Double? {
            let parts = line.split(separator: " ")
            guard let i = parts.firstIndex(of: Substring(name)), i + 4 < parts.count else { return nil }
            return Double(parts[i + 4])
        }
        let keyP99 = lines.compactMap { figure("key", $0) }, claimP99 = lines.compactMap { figure("claim", $0) }
        print(String(format: "server, 8 reviewers at 4 keys/s: label key p99 worst %.1f ms, median %.1f ms (commit + figures + next; target ≤ 10 ms); claim p99 worst %.1f ms, median %.1f ms (target ≤ 10 ms)",
                     keyP99.max() ?? 0, p(keyP99, 0.5), claimP99.max() ?? 0, p(claimP99, 0.5)))
        // The first commit on a new connection pays for the session's first plans and catalog
        // reads (a reviewer's first label after opening the app): said apart.
        let steady = Array(commits.dropFirst())
        print(String(format: "server, label commit (with its history row) while 8 reviewers label: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d; the first on its connection %.1f ms (target p99 ≤ 10 ms)",
                     p(steady, 0.5), p(steady, 0.99), steady.max() ?? 0, steady.count, commits.first ?? 0))
        print(String(format: "server, another reviewer's label on screen after its commit (tick 250 ms included): p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d (target p99 ≤ 500 ms)",
                     p(shown, 0.5), p(shown, 0.99), shown.max() ?? 0, shown.count))

    }
}
