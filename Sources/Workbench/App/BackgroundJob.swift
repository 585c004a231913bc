import Foundation

/// Work on its own thread whose newest result is picked up by the loop's next tick (the
/// statistics index load, 1.3 s at 1,000,000 records; a text search's keys for the figures).
/// Only the newest request's result is ever handed back.
final class BackgroundJob<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var requested = 0
    private var result: (Int, Result<Value, Error>)?
    private var active = false

    /// A request was made whose result has not been taken.
    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return active
    }

    /// Starts `work` on a new thread. Whatever it uses must not be used by this thread meanwhile
    /// (a store: its own connection, `openAnother`).
    func start(_ work: @escaping () throws -> Value) {
        lock.lock()
        requested += 1
        active = true
        let number = requested
        lock.unlock()
        let box = WorkBox(work)
        let t = Thread { [self] in
            let r = Result { try box.work!() }
            // What the work holds (its own connection, with SQLite's page cache) goes now: the
            // finished thread's closure was found still held, a connection with it (issue 36).
            box.work = nil
            lock.lock()
            if number == requested { result = (number, r) }
            lock.unlock()
        }
        t.start()
    }

    /// The work, let go of once it has run.
    private final class WorkBox: @unchecked Sendable {
        var work: (() throws -> Value)?
        init(_ work: @escaping () throws -> Value) { self.work = work }
    }

    /// Forgets the running request: its result will not be handed back.
    func cancel() {
        lock.lock()
        requested += 1
        result = nil
        active = false
        lock.unlock()
    }

    /// The newest request's result, once, when it is done.
    func take() -> Result<Value, Error>? {
        lock.lock()
        defer { lock.unlock() }
        guard let (number, r) = result, number == requested else { return nil }
        result = nil
        active = false
        return r
    }
}

/// Hands a value to another thread that alone uses it from then on.
struct Unchecked<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A value one thread writes and another reads (a background job's progress).
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T
    init(_ value: T) { self.value = value }
    func set(_ v: T) {
        lock.lock()
        value = v
        lock.unlock()
    }
    func get() -> T {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
