import Foundation
import Model

/// Counts a filter's statistics on its own thread and connection, so opening or refiltering a
/// million records shows the list at once (a full count took 1.6 s) and the figures when ready.
/// Each request has a number; only the newest request's result is ever handed back.
final class StatisticsWorker: @unchecked Sendable {
    typealias Snapshot = (tallies: [String: Tally], historySeq: Int64, lastKey: RecordKey)

    private let store: any RecordStore
    private let rules: HitRules
    private let lock = NSLock()
    private var requested = 0
    private var result: (Int, Result<Snapshot, Error>)?

    init(store: any RecordStore, rules: HitRules) {
        self.store = store
        self.rules = rules
    }

    func request(_ filter: RecordFilter) {
        lock.lock()
        requested += 1
        let number = requested
        lock.unlock()
        let t = Thread { [self] in
            let r = Result { try store.talliesSnapshot(filter, rules: rules) }
            lock.lock()
            // A newer request may have finished first: keep only the newest.
            if number == requested { result = (number, r) }
            lock.unlock()
        }
        t.start()
    }

    /// Forgets any running request: its result will not be handed back.
    func cancel() {
        lock.lock()
        requested += 1
        lock.unlock()
    }

    /// The newest request's result, once, when it is done.
    func take() -> Result<Snapshot, Error>? {
        lock.lock()
        defer { lock.unlock() }
        guard let (number, r) = result, number == requested else { return nil }
        result = nil
        return r
    }
}
