import Foundation
import Model

/// Loads the statistics index on its own thread and connection (1.3 s at 1,000,000 records), so
/// the dashboard opens at once and says it is counting. The history position is read before the
/// rows: changes made meanwhile are replayed afterwards (replaying one already seen changes nothing).
final class IndexLoader: @unchecked Sendable {
    typealias Loaded = (index: StatisticsIndex, historySeq: Int64)
    private let lock = NSLock()
    private var result: Result<Loaded, Error>?
    /// Used by the loading thread alone.
    private let store: any RecordStore

    init(store: any RecordStore, rules: HitRules) {
        self.store = store
        let t = Thread { [self] in
            let r = Result { try Self.loadHere(store: self.store, rules: rules) }
            lock.lock()
            result = r
            lock.unlock()
        }
        t.start()
    }

    static func loadHere(store: any RecordStore, rules: HitRules) throws -> Loaded {
        let seq = try store.lastHistorySeq()
        let index = StatisticsIndex(rules: rules)
        try index.load(from: store)
        return (index, seq)
    }

    /// The result, once it is there.
    func take() -> Result<Loaded, Error>? {
        lock.lock()
        defer { lock.unlock() }
        return result
    }
}
