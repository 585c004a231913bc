import Foundation
import Model

/// Builds the text index in the background when the app opens a database whose index is not
/// complete (an import stopped during its indexing, a database from before the index): short
/// batches on its own connection, so other reviewers' writes wait at most one batch (~70 ms);
/// searches are right meanwhile, only slower. Stops when the app quits.
final class TextIndexBuilder: @unchecked Sendable {
    /// Records per write transaction: ~67 µs each (bench), so about 70 ms of the write lock.
    static let batch = 1000
    private let lock = NSLock()
    private var progress: TextIndexProgress
    private var stopped = false
    private var failure: Error?

    /// Starts building when the index is not complete; nil when there is nothing to do.
    static func startIfNeeded(_ store: any RecordStore) throws -> TextIndexBuilder? {
        let p = try store.textIndexProgress()
        guard !p.isComplete else { return nil }
        let b = TextIndexBuilder(p)
        let other = Unchecked(try store.openAnother())
        let t = Thread { [b] in b.run(other.value) }
        t.start()
        return b
    }

    private init(_ p: TextIndexProgress) { progress = p }

    private func run(_ store: any RecordStore) {
        while true {
            lock.lock()
            let stop = stopped
            lock.unlock()
            if stop { return }
            do {
                let p = try store.buildTextIndex(limit: Self.batch)
                lock.lock()
                progress = p
                lock.unlock()
                if p.isComplete { return }
            } catch StoreError.busy {
                usleep(200_000)  // an import holds the file: try again shortly
            } catch {
                lock.lock()
                failure = error
                lock.unlock()
                return
            }
            // Leave the write lock free between batches for reviewers' labels.
            usleep(5_000)
        }
    }

    /// Where the build stands, and the error that stopped it, if one did.
    var state: (progress: TextIndexProgress, failure: Error?) {
        lock.lock()
        defer { lock.unlock() }
        return (progress, failure)
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }
}
