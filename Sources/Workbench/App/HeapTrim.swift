import Foundation

/// Gives the C heap's free pages back to the system (glibc's `malloc_trim(0)`, looked up at run
/// time: the Glibc module does not export it). Called when background work lands — the
/// statistics index loaded on its own thread, the integrity check done — whose threads' heaps
/// keep freed pages resident otherwise (their connections' page caches, the load's rows):
/// measured 3.5 MB at 1,000,000 records (issue 36, docs/decisions.md). A few milliseconds.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    nonisolated(unsafe) private static let function: Trim? = {
        guard let handle = dlopen(nil, RTLD_NOW), let f = dlsym(handle, "malloc_trim") else { return nil }
        return unsafeBitCast(f, to: Trim.self)
    }()

    static func now() { _ = function?(0) }
}
