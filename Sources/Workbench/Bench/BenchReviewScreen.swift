import Foundation
import Model

/// `workbench bench`, part 5: the review screen's own costs at full size — opening (every key of
/// the list plus the statistics), a refilter as the filter bar is typed into, one label key
/// (commit, figures moved, next unlabelled found) and one frame drawn into the canvas.
enum BenchReviewScreen {
    /// The app opening as it does: the list at once (ms), its first frame at 160×45 (ms), then —
    /// as the app's loop does, ticking — the figures (ms later: the statistics index, loaded on
    /// another connection; every later filter is counted from it).
    static func openApp(_ store: some RecordStore & KnowledgeStore, reference: ReferenceData) throws
        -> (app: ReviewSession, listed: Double, drawn: Double, counted: Double)
    {
        var app: ReviewSession!
        let listed = try BenchTiming.ms { app = try ReviewSession(store: store, reference: reference, reviewer: "bench", backgroundStatistics: true) }
        let drawn = BenchTiming.ms {
            ReviewScreen.prepare(app, width: 160, height: 45)
            _ = ReviewScreen.draw(app, width: 160, height: 45)
        }
        let counted = BenchTiming.ms { while app.statisticsPending { _ = app.tick(); usleep(2000) } }
        return (app, listed, drawn, counted)
    }

    static func run(storePath: String, reference: ReferenceData, end: Int64) throws {
        func ms(_ body: () throws -> Void) rethrows -> Double { try BenchTiming.ms(body) }
        let p = BenchTiming.p
        let store = try SQLiteRecordStore(path: storePath)
        // As the app opens: the list at once, the figures counted on a second connection.
        do {
            let (app, listed, _, counted) = try openApp(store, reference: reference)
            print(String(format: "review screen: app open on %d records: list %.0f ms, figures %.0f ms later (index loaded on another thread)",
                         app.keys.count, listed, counted))
        }
        var session: ReviewSession!
        let open = try ms { session = try ReviewSession(store: store, reference: reference, reviewer: "bench") }
        print(String(format: "review screen: open on %d records (list keys + statistics) %.0f ms", session.keys.count, open))

        let lastDay = ShanghaiTime.startOfDay(end)
        let orgs = reference.organisations.names
        let shapes: [(String, RecordFilter)] = [
            ("all", RecordFilter()),
            ("one org", RecordFilter(orgs: [orgs[5]])),
            ("one org, 7 days, 未标注", RecordFilter(orgs: [orgs[5]], fromDay: lastDay - 6 * 86400, toDay: lastDay, status: .unlabeled)),
            ("biz1 + 30 days", RecordFilter(fromDay: lastDay - 29 * 86400, toDay: lastDay, biz1: "养老保险")),
        ]
        for (name, f) in shapes {
            var keys: [Double] = [], stats: [Double] = []
            for _ in 0..<3 {
                keys.append(try ms { _ = try store.keys(f) })
                stats.append(try ms { _ = try store.tallies(f, rules: session.rules) })
            }
            print(String(format: "review screen: refilter %-26@ list keys %6.1f ms + statistics %6.1f ms (median of 3)",
                         name as NSString, p(keys, 0.5), p(stats, 0.5)))
        }
        // The same filters counted from the statistics index, as the app does.
        for (name, f) in shapes {
            var g = f
            g.status = nil
            g.label = nil
            let times = (0..<3).map { _ in
                ms { _ = Dashboard(index: session.ctx.live.index!, query: DashboardQuery(filter: g, top: 0)).byOrg() }
            }
            print(String(format: "review screen: refilter %-26@ statistics from the index %5.1f ms (median of 3)",
                         name as NSString, p(times, 0.5)))
        }

        // Label keys on the list of unlabelled records, as a reviewer works through it.
        session.perform(session.handle(.char("f")))
        for k in "\t\t未标注" { session.perform(session.handle(k == "\t" ? .tab : .char(k))) }
        session.perform(session.handle(.enter))
        var presses: [Double] = []
        var frames: [Double] = []
        for i in 0..<300 {
            ReviewScreen.prepare(session, width: 120, height: 40)
            let key = Key.char(Label.allCases[i % 4].key)
            presses.append(ms { session.perform(session.handle(key)) })
            frames.append(ms { ReviewScreen.prepare(session, width: 120, height: 40); _ = ReviewScreen.draw(session, width: 120, height: 40) })
        }
        print(String(format: "review screen: label key (commit + history + figures moved + next unlabelled) p50 %.2f ms, p99 %.2f ms over %d",
                     p(presses, 0.5), p(presses, 0.99), presses.count))
        print(String(format: "review screen: frame 120×40 into the canvas p50 %.2f ms, p99 %.2f ms", p(frames, 0.5), p(frames, 0.99)))
        // Another reviewer (another connection) labels; this screen picks it up on its next tick.
        let other = try SQLiteRecordStore(path: storePath)
        var syncs: [Double] = []
        let counts = session.fullCounts
        for round in 0..<20 {
            let ids = try other.page(RecordFilter(status: .unlabeled), after: nil, limit: 5).records.map(\.id)
            for (i, id) in ids.enumerated() {
                try other.setLabel(Label.allCases[(round + i) % 4], recordId: id, reviewer: "other", at: nowEpoch())
            }
            syncs.append(ms { _ = session.tick() })
        }
        print(String(format: "review screen: another reviewer's 5 labels picked up (rows + figures from the history) p50 %.2f ms, p99 %.2f ms; full counts: %d",
                     p(syncs, 0.5), p(syncs, 0.99), session.fullCounts - counts))
        let fresh = try store.tallies(session.statsFilter, rules: session.rules).total
        print("review screen: live figures after 300 own and 100 other labels equal a full recount: \(fresh == session.total ? "yes" : "NO")")
    }
}
