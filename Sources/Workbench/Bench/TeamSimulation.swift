import ArgumentParser
import Foundation
import Model

/// `workbench team-sim` (hidden): one reviewer labelling as fast as it can through the app's own
/// session (the unlabelled list, next-unlabelled with leases, the confirm on others' work, which
/// it always declines), for the team test and the claim benchmark. Prints one line of figures.
/// When its time is up it stops taking new records and, like a reviewer finishing a shift, only
/// gives the second labels that sampled records still wait for (up to `--finish-seconds`), so no
/// pair is left half done.
struct TeamSimulationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "team-sim", abstract: "模拟一名审核员连续标注 (one simulated reviewer; for tests and bench).",
        shouldDisplay: false)

    @OptionGroup var store: StoreOptions
    @Option var reviewer: String
    @Option var seconds: Double = 10
    /// Milliseconds between keys (0: as fast as it can).
    @Option(name: .customLong("pace-ms")) var paceMs: Int = 0
    @Option(name: .customLong("finish-seconds")) var finishSeconds: Double = 0

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore(busyTimeout: 0.3)
            let session = try ReviewSession(store: db, reference: try store.reference(), reviewer: reviewer)
            session.perform(session.handle(.char("f")))
            for k in "\t\t未标注" { session.perform(session.handle(k == "\t" ? .tab : .char(k))) }
            session.perform(session.handle(.enter))
            var keyTimes: [Double] = [], claimTimes: [Double] = []
            var declined = 0, busyShown = 0, i = 0
            let end = Date().addingTimeInterval(seconds), finish = end.addingTimeInterval(finishSeconds)
            var idleSince: Date?
            while !session.keys.isEmpty {
                if Date() >= end {
                    // Finishing: only the second labels of pairs; leave when none has come for a while.
                    guard Date() < finish else { break }
                    if !session.pending.isEmpty {
                        session.persist()
                        usleep(10_000)
                        continue
                    }
                    let index = session.list.selection
                    if !session.list.goToSecondVote(from: index) {
                        // What this reviewer holds goes back, so pairs it first labelled reach others
                        // (on every idle turn: the tick below claims the selected record again).
                        session.list.releaseLeases()
                        if Date().timeIntervalSince(idleSince ?? Date()) > 1.5 { break }
                        idleSince = idleSince ?? Date()
                        usleep(50_000)
                        _ = session.tick()
                        continue
                    }
                    idleSince = nil
                }
                ReviewScreen.prepare(session, width: 100, height: 30)
                let key = Key.char(Label.allCases[i % 4].key)
                i += 1
                keyTimes.append(BenchTiming.ms { session.perform(session.handle(key)) })
                if let c = session.top as? ConfirmOverlay {
                    declined += 1
                    if ProcessInfo.processInfo.environment["WB_SIM_DEBUG"] != nil { printErr("declined: \(c.question.zh)") }
                    session.perform(session.handle(.char("n")))
                }
                if let m = session.message, m.role == .error {
                    busyShown += 1
                    if ProcessInfo.processInfo.environment["WB_SIM_DEBUG"] != nil { printErr("error: \(m.text.zh)") }
                }
                if let k = session.list.selectedKey {
                    claimTimes.append(BenchTiming.ms { _ = session.list.claim([k]) })
                }
                // As the app's idle tick would: others' labels, retries.
                if i % 20 == 0 || paceMs > 0 { _ = session.tick() }
                if paceMs > 0 { usleep(UInt32(paceMs) * 1000) }
                if session.list.selectedKey.flatMap(session.list.row)?.status != .unlabeled {
                    // The end of the list: query it again for what is left.
                    if session.list.selection >= session.keys.count - 1 { try session.refilter() }
                }
            }
            while !session.pending.isEmpty { session.persist(); usleep(10_000) }
            session.list.releaseLeases()
            let p = BenchTiming.p
            print(String(format: "%@ saved %d declined %d errors %d key p50 %.2f p99 %.2f claim p50 %.2f p99 %.2f",
                         reviewer, session.ctx.writes.labelsThisSession, declined, busyShown,
                         p(keyTimes, 0.5), p(keyTimes, 0.99), p(claimTimes, 0.5), p(claimTimes, 0.99)))
        }
    }
}
