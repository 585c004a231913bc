import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An export's private folder (`OutputFile`) removed when the process is ended by SIGINT, SIGTERM,
/// SIGHUP, SIGQUIT or SIGPIPE while the export runs: a half-written copy of citizens' questions
/// must not outlive an interrupted export (issue 36).
///
/// A signal handler may only do async-signal-safe things, so everything it needs is made before
/// it can run: one table, allocated once, holds for each export (a slot) the folder's absolute
/// path and the names of what may be in it, as NUL-terminated C strings. `OutputFile` fills a slot
/// when it makes its folder and names each file before it is made (`willCreate`, which
/// `XLSXWriter` calls for its folder of sheets); the handler removes those names, newest first,
/// then the folder, then hands the signal on — to the handler it replaced (the full-screen app's,
/// which gives the terminal back and exits) or to the default action (the process ends by the
/// signal, as it would have without us).
///
/// The handlers are installed while at least one slot is in use and the actions found are put
/// back when the last one is freed. A signal ignored when they are installed (`nohup`) stays
/// ignored. SIGXFSZ, when it has its default action, is ignored meanwhile, so a file-size limit
/// makes write(2) fail with EFBIG (said in one line by `OutputFile.failed`) instead of ending the
/// process beside a half file.
///
/// Linux, and macOS 15 or later (where `Atomic` is); elsewhere exports are not registered and a
/// folder an interrupted export left is removed by the next export (`OutputFile`).
enum ExportCleanup {
    /// Records `folder` (made just now, empty) and the names that will be made in it (relative to
    /// it, in the order they are made); returns its slot, or nil when every slot is in use or
    /// the path is too long for one (the folder is then only removed by the ordinary paths).
    static func register(folder: String, names: [String]) -> Int? {
        if #available(macOS 15, *) { return CleanupTable.register(folder: normalized(folder), names: names) }
        return nil
    }

    /// Names `path` for removal if it lies in a registered folder; call it before the file or
    /// folder is made. Anything else is left alone (an XLSXWriter used outside an export).
    static func willCreate(_ path: String) {
        if #available(macOS 15, *) { CleanupTable.willCreate(normalized(path)) }
    }

    /// Frees a slot (its owner has removed the folder, or is about to).
    static func unregister(_ slot: Int) {
        if #available(macOS 15, *) { CleanupTable.unregister(slot) }
    }

    /// How many slots are in use (for tests).
    static var registered: Int {
        if #available(macOS 15, *) { return CleanupTable.registered }
        return 0
    }

    /// Absolute, with `.` and `..` taken out, as both the folder and what is made in it are compared.
    static func normalized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The handler's removal of one slot's folder, run by hand (for tests: the same code the
    /// signal runs, without the signal and without touching other exports' folders).
    static func removeNow(slot: Int) {
        if #available(macOS 15, *), slot >= 0 && slot < CleanupTable.slots { removeRegisteredFolder(slot: slot) }
    }
}

/// The preallocated memory the handler reads. Everything here is made once, on the first
/// registration, before any handler is installed, and never freed.
@available(macOS 15, *)
struct CleanupTable: @unchecked Sendable {
    // Sizes are computed properties, not stored `static let`s: those are initialised lazily
    // through swift_once, and the handler should not depend on that having happened.
    static var slots: Int { 16 }
    /// A folder's absolute path with its NUL (PATH_MAX on Linux).
    static var folderBytes: Int { 4096 }
    /// The names made in the folder, each with its NUL: the file (≤ 255 bytes), the lock, and
    /// XLSXWriter's folder with a file per sheet — a few hundred bytes in practice.
    static var namesBytes: Int { 4096 }
    static var slotBytes: Int { folderBytes + namesBytes }
    /// SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE (`signalIndex`).
    static var signalCount: Int { 5 }

    /// Per slot: 0 free, 1 being filled (the handler skips it), 2 in use.
    let state: UnsafeMutablePointer<Atomic<Int>>
    /// Per slot: how many bytes of its names are complete (each name ends with its NUL).
    let namesLength: UnsafeMutablePointer<Atomic<Int>>
    /// Per slot, `slotBytes` long: the folder's path, NUL-terminated, then its names.
    let text: UnsafeMutablePointer<CChar>
    /// Per caught signal: the action found when ours was installed, and what it is
    /// (`Previous`). Plain memory: written before `sigaction` installs our handler, and the
    /// kernel runs the handler only after that call, so the handler sees what was written.
    let previous: UnsafeMutablePointer<sigaction>
    let previousKind: UnsafeMutablePointer<Int>

    enum Previous {
        static var notInstalled: Int { 0 }
        static var defaultAction: Int { 1 }
        static var handler: Int { 2 }
        static var infoHandler: Int { 3 }
    }

    func folder(_ slot: Int) -> UnsafeMutablePointer<CChar> { text + slot * Self.slotBytes }
    func names(_ slot: Int) -> UnsafeMutablePointer<CChar> { text + slot * Self.slotBytes + Self.folderBytes }

    static func make() -> CleanupTable {
        let state = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slots)
        let namesLength = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: slots)
        for i in 0..<slots {
            (state + i).initialize(to: Atomic(0))
            (namesLength + i).initialize(to: Atomic(0))
        }
        let text = UnsafeMutablePointer<CChar>.allocate(capacity: slots * slotBytes)
        text.initialize(repeating: 0, count: slots * slotBytes)
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: signalCount)
        previous.initialize(repeating: sigaction(), count: signalCount)
        let previousKind = UnsafeMutablePointer<Int>.allocate(capacity: signalCount)
        previousKind.initialize(repeating: Previous.notInstalled, count: signalCount)
        return CleanupTable(state: state, namesLength: namesLength, text: text, previous: previous, previousKind: previousKind)
    }

    /// Where each signal's previous action is kept; -1 for any other signal.
    static func signalIndex(_ sig: Int32) -> Int {
        switch sig {
        case SIGINT: 0
        case SIGTERM: 1
        case SIGHUP: 2
        case SIGQUIT: 3
        case SIGPIPE: 4
        default: -1
        }
    }

    static let caught: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE]

    // What only ordinary code touches, under `lock`: the slots' folders as Swift strings (to find
    // the slot of a path), how many are in use, where the next search starts (a freed slot is
    // filled again only after the others have been: a handler still reading it would have to
    // outlast fifteen exports), which signals have our handler, and the SIGXFSZ action to put
    // back. (`previousKind` is not cleared when our handlers go: a handler already running on
    // another thread still finds where to hand its signal.)
    nonisolated(unsafe) static var folders: [String?] = Array(repeating: nil, count: slots)
    nonisolated(unsafe) static var inUse = 0
    nonisolated(unsafe) static var nextSlot = 0
    nonisolated(unsafe) static var installed: [Bool] = Array(repeating: false, count: signalCount)
    nonisolated(unsafe) static var previousXFSZ: sigaction?
    static let lock = NSLock()

    static func register(folder: String, names: [String]) -> Int? {
        let folderBytes = Array(folder.utf8)
        guard !folderBytes.isEmpty, folderBytes.count < Self.folderBytes, !folderBytes.contains(0) else { return nil }
        lock.lock()
        defer { lock.unlock() }
        // Made here, before the first installation (see `cleanupTable`).
        let t = cleanupTable
        guard let slot = (0..<slots).lazy.map({ (nextSlot + $0) % slots }).first(where: { folders[$0] == nil }) else { return nil }
        nextSlot = (slot + 1) % slots
        t.state[slot].store(1, ordering: .releasing)
        let at = t.folder(slot)
        for (i, b) in folderBytes.enumerated() { at[i] = CChar(bitPattern: b) }
        at[folderBytes.count] = 0
        t.namesLength[slot].store(0, ordering: .releasing)
        folders[slot] = folder
        for name in names { append(name, slot: slot, t) }
        t.state[slot].store(2, ordering: .releasing)
        inUse += 1
        if inUse == 1 { install(t) }
        return slot
    }

    static func willCreate(_ path: String) {
        lock.lock()
        defer { lock.unlock() }
        for (slot, folder) in folders.enumerated() {
            guard let folder, path.hasPrefix(folder + "/") else { continue }
            append(String(path.dropFirst(folder.count + 1)), slot: slot, cleanupTable)
            return
        }
    }

    /// Writes `name` past the slot's complete names, then publishes it (under `lock`).
    private static func append(_ name: String, slot: Int, _ t: CleanupTable) {
        let bytes = Array(name.utf8)
        let length = t.namesLength[slot].load(ordering: .relaxed)
        guard !bytes.isEmpty, !bytes.contains(0), length + bytes.count + 1 <= namesBytes else { return }
        let at = t.names(slot) + length
        for (i, b) in bytes.enumerated() { at[i] = CChar(bitPattern: b) }
        at[bytes.count] = 0
        t.namesLength[slot].store(length + bytes.count + 1, ordering: .releasing)
    }

    static func unregister(_ slot: Int) {
        guard slot >= 0 && slot < slots else { return }
        lock.lock()
        defer { lock.unlock() }
        guard folders[slot] != nil else { return }
        cleanupTable.state[slot].store(0, ordering: .releasing)
        folders[slot] = nil
        inUse -= 1
        if inUse == 0 { uninstall(cleanupTable) }
    }

    static var registered: Int {
        lock.lock()
        defer { lock.unlock() }
        return inUse
    }

    /// Our handler for each caught signal, unless it was ignored (`nohup`: it stays so); SIGXFSZ
    /// ignored if it had its default action.
    private static func install(_ t: CleanupTable) {
        for (k, sig) in caught.enumerated() {
            var now = sigaction()
            installed[k] = false
            guard sigaction(sig, nil, &now) == 0 else { continue }
            let kind: Int
            if now.sa_flags & SA_SIGINFO != 0 {
                kind = now.infoHandler == nil ? Previous.defaultAction : Previous.infoHandler
            } else if let h = now.plainHandler {
                if unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
                kind = Previous.handler
            } else {
                kind = Previous.defaultAction  // SIG_DFL is a null pointer
            }
            t.previous[k] = now
            t.previousKind[k] = kind
            var ours = sigaction()
            ours.infoHandler = exportCleanupHandler
            ours.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&ours.sa_mask)
            // The other caught signals wait while the handler runs (one removal at a time per thread).
            for s in caught { sigaddset(&ours.sa_mask, s) }
            installed[k] = sigaction(sig, &ours, nil) == 0
        }
        var xfsz = sigaction()
        previousXFSZ = nil
        if sigaction(SIGXFSZ, nil, &xfsz) == 0, xfsz.sa_flags & SA_SIGINFO == 0, xfsz.plainHandler == nil {
            var ignore = sigaction()
            ignore.plainHandler = SIG_IGN
            sigemptyset(&ignore.sa_mask)
            if sigaction(SIGXFSZ, &ignore, nil) == 0 { previousXFSZ = xfsz }
        }
    }

    /// Puts back what `install` replaced — only where our handler is still the one installed
    /// (a handler someone installed since is theirs).
    private static func uninstall(_ t: CleanupTable) {
        let ours = unsafeBitCast(exportCleanupHandler as SignalInfoHandler, to: Int.self)
        for (k, sig) in caught.enumerated() where installed[k] {
            var now = sigaction()
            if sigaction(sig, nil, &now) == 0, now.sa_flags & SA_SIGINFO != 0, let h = now.infoHandler,
               unsafeBitCast(h, to: Int.self) == ours {
                var before = t.previous[k]
                sigaction(sig, &before, nil)
            }
            installed[k] = false
        }
        if var before = previousXFSZ {
            var now = sigaction()
            if sigaction(SIGXFSZ, nil, &now) == 0, now.sa_flags & SA_SIGINFO == 0, let h = now.plainHandler,
               unsafeBitCast(h, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                sigaction(SIGXFSZ, &before, nil)
            }
            previousXFSZ = nil
        }
    }
}

/// The table, made on first use — by `register`, under the lock, before any handler exists. The
/// handler reads this global only after that, when swift_once's fast path is one atomic load.
@available(macOS 15, *)
let cleanupTable = CleanupTable.make()

#if canImport(Glibc)
typealias SignalInfoPointer = UnsafeMutablePointer<siginfo_t>?
typealias SignalInfoHandler = @convention(c) (Int32, SignalInfoPointer, UnsafeMutableRawPointer?) -> Void
extension sigaction {
    var infoHandler: SignalInfoHandler? {
        get { __sigaction_handler.sa_sigaction }
        set { __sigaction_handler.sa_sigaction = newValue }
    }
    var plainHandler: (@convention(c) (Int32) -> Void)? {
        get { __sigaction_handler.sa_handler }
        set { __sigaction_handler.sa_handler = newValue }
    }
}
#else
typealias SignalInfoPointer = UnsafeMutablePointer<__siginfo>?
typealias SignalInfoHandler = @convention(c) (Int32, SignalInfoPointer, UnsafeMutableRawPointer?) -> Void
extension sigaction {
    var infoHandler: SignalInfoHandler? {
        get { __sigaction_u.__sa_sigaction }
        set { __sigaction_u.__sa_sigaction = newValue }
    }
    var plainHandler: (@convention(c) (Int32) -> Void)? {
        get { __sigaction_u.__sa_handler }
        set { __sigaction_u.__sa_handler = newValue }
    }
}
#endif

/// Removes one registered folder: the names made in it, newest first (XLSXWriter's sheets before
/// their folder), then the folder itself.
///
/// Async-signal-safe, step by step:
/// - the table is a global made before any handler was installed, so reading it is swift_once's
///   fast path (an atomic load) and then plain loads through pointers: no allocation, no lock, no
///   reference counting (every value here is an integer, a pointer or a C struct);
/// - a slot's state and its names' length are atomics, stored with release by ordinary code
///   after the bytes they cover were written, loaded here with acquire: the handler never reads a
///   half-written name, and skips a slot being filled;
/// - the only calls are open, unlinkat, close and rmdir — all on POSIX's list of
///   async-signal-safe functions — on the C strings in place (no String is made);
/// - a name that is a folder fails unlinkat without AT_REMOVEDIR and is removed with it (it is
///   empty by then: what was made in it was registered after it and removed first);
/// - the folder is opened here, by its path, not through a descriptor kept from before: a
///   descriptor closed meanwhile and reused for another folder would aim unlinkat elsewhere.
@available(macOS 15, *)
func removeRegisteredFolder(slot: Int) {
    let t = cleanupTable
    guard t.state[slot].load(ordering: .acquiring) == 2 else { return }
    let length = t.namesLength[slot].load(ordering: .acquiring)
    let folder = t.folder(slot)
    let names = t.names(slot)
    let dir = open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    if dir >= 0 {
        var end = length - 1  // the NUL that ends the newest name
        while end > 0 {
            var start = end
            while start > 0 && names[start - 1] != 0 { start -= 1 }
            if unlinkat(dir, names + start, 0) != 0 { _ = unlinkat(dir, names + start, AT_REMOVEDIR) }
            end = start - 1
        }
        _ = close(dir)
    }
    _ = rmdir(folder)
}

/// The handler for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE while an export runs: removes the
/// registered folders, then hands the signal on as if we had not been there.
///
/// Async-signal-safe, step by step (besides `removeRegisteredFolder`, whose steps are said there):
/// - errno is saved and restored (a read and a write of the thread's errno);
/// - the previous action and its kind are plain memory written before our handler was
///   installed (`CleanupTable.install`): loads only;
/// - a previous handler is called as the kernel would have called it. The app's
///   (`NcursesBackend`) restores the terminal and calls `_exit`, as it did before exports
///   registered anything; the Swift runtime's backtracer (SIGQUIT) prints and exits. A handler
///   that returned would find the folder gone: the export would then fail at its rename, in one
///   line, with nothing left (none is installed while Workbench exports);
/// - otherwise the default action is put back with sigaction and the signal raised with raise,
///   both async-signal-safe. The signal is blocked while this runs (it is in its own mask), so
///   it stays pending and ends the process the moment the handler returns — by the signal, so a
///   shell still sees 128 + n and SIGQUIT still dumps core where it would have.
@available(macOS 15, *)
func exportCleanupHandler(_ sig: Int32, _ info: SignalInfoPointer, _ context: UnsafeMutableRawPointer?) {
    let saved = errno
    // A plain loop over a constant range: no iterator object, nothing allocated.
    var slot = 0
    while slot < CleanupTable.slots {
        removeRegisteredFolder(slot: slot)
        slot += 1
    }
    let t = cleanupTable
    let k = CleanupTable.signalIndex(sig)
    if k >= 0 {
        let kind = t.previousKind[k]
        if kind == CleanupTable.Previous.infoHandler, let h = t.previous[k].infoHandler {
            h(sig, info, context)
            errno = saved
            return
        }
        if kind == CleanupTable.Previous.handler, let h = t.previous[k].plainHandler {
            h(sig)
            errno = saved
            return
        }
    }
    var dfl = sigaction()
    dfl.plainHandler = nil  // SIG_DFL
    sigemptyset(&dfl.sa_mask)
    _ = sigaction(sig, &dfl, nil)
    _ = raise(sig)
    errno = saved
}
