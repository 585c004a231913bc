/// Where frames go and keys come from. `NcursesBackend` is the real terminal (and the only code
/// that imports CNcurses); `RecordingBackend` serves tests.
protocol TerminalBackend: AnyObject {
    var size: (width: Int, height: Int) { get }
    /// Whether the canvas may use colours (false: roles differ by attribute only).
    var hasColours: Bool { get }
    func present(_ canvas: Canvas)
    /// The next key, or nil when `timeoutMilliseconds` pass without one.
    func nextKey(timeoutMilliseconds: Int) -> Key?
    /// Gives the terminal to another program (the user's editor) while `body` runs, then takes
    /// it back and redraws everything.
    func suspend(_ body: () -> Void)
}

/// A terminal for tests: keys from a script, every presented frame kept.
final class RecordingBackend: TerminalBackend {
    var size: (width: Int, height: Int)
    var hasColours = false
    var keys: [Key]
    private(set) var frames: [Canvas] = []

    init(width: Int, height: Int, keys: [Key] = []) {
        size = (width, height)
        self.keys = keys
    }

    func present(_ canvas: Canvas) { frames.append(canvas) }

    func nextKey(timeoutMilliseconds: Int) -> Key? {
        keys.isEmpty ? nil : keys.removeFirst()
    }

    private(set) var suspensions = 0
    func suspend(_ body: () -> Void) {
        suspensions += 1
        body()
    }
}
