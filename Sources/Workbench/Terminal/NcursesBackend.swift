import CNcurses
import Foundation
import Model

/// The real terminal, and the only code that imports CNcurses (htop's CRT.c: setup, teardown and
/// signals in one place). It copies the canvas cell by cell (continuation cells skipped) after
/// `werase`, so a character the terminal measures differently can never shift the rest of a row.
final class NcursesBackend: TerminalBackend {
    private(set) var hasColours = false
    nonisolated(unsafe) private static var active = false
    private var styles: [Role: (attr: attr_t, pair: Int16)] = [:]

    /// Sets up the terminal. `noColour`: NO_COLOR is set, or the user asked for monochrome.
    init(noColour: Bool) throws {
        try Self.ensureUTF8Locale()
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw TerminalError("全屏界面需要在终端中运行（标准输入输出不是终端）；脚本请用 list、label 等子命令 (the app needs a terminal; scripts can use the subcommands)")
        }
        guard initscr() != nil else { throw TerminalError("无法初始化终端 (cannot initialise the terminal); TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "")") }
        Self.active = true
        Self.installHandlers()
        cbreak()
        noecho()
        nonl()
        keypad(wb_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        if !noColour, has_colors() {
            start_color()
            use_default_colors()
            hasColours = true
        }
        styles = Self.theme(colour: hasColours)
    }

    deinit { shutdown() }

    /// As git does for the commit message: leave curses mode (the editor gets the real terminal,
    /// cooked and echoing), run it, then restore our modes and repaint from scratch.
    func suspend(_ body: () -> Void) {
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        clearok(wb_stdscr(), true)
        refresh()
    }

    func shutdown() { Self.restore() }

    /// Restores the terminal; safe to call twice and from a signal handler.
    static func restore() {
        guard active else { return }
        active = false
        endwin()
    }

    private static func installHandlers() {
        atexit { NcursesBackend.restore() }
        for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(sig) { s in
                // Every label is committed before it is drawn, so leaving now loses nothing.
                NcursesBackend.restore()
                _exit(128 + s)
            }
        }
    }

    /// Under LANG=C ncurses draws every Chinese character blank (platform.md): switch to C.UTF-8,
    /// or say why the app cannot start.
    static func ensureUTF8Locale() throws {
        func isUTF8() -> Bool {
            guard let cs = nl_langinfo(nl_item(CODESET)) else { return false }
            let name = String(cString: cs).uppercased()
            return name == "UTF-8" || name == "UTF8"
        }
        setlocale(LC_ALL, "")
        if isUTF8() { return }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8", "zh_CN.UTF-8"] where setlocale(LC_ALL, name) != nil {
            if isUTF8() {
                setenv("LC_ALL", name, 1)
                return
            }
        }
        throw TerminalError("终端区域设置不是 UTF-8，且系统没有 C.UTF-8，无法显示中文；请设置 LANG=C.UTF-8 (the locale is not UTF-8 and C.UTF-8 is missing: set LANG to a UTF-8 locale)")
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(wb_stdscr())), Int(getmaxy(wb_stdscr()))) }

    func present(_ canvas: Canvas) {
        let win = wb_stdscr()
        werase(win)
        var cc = cchar_t()
        for y in 0..<canvas.height {
            for x in 0..<canvas.width {
                let cell = canvas[x, y]
                if cell.isContinuation { continue }
                let style = styles[cell.role] ?? (0, 0)
                wmove(win, Int32(y), Int32(x))
                // setcchar refuses a second spacing character (an emoji ZWJ sequence, a flag) and
                // then leaves `cc` as it was: the previous cell's character was drawn again
                // (fragments such as `009C` beside a row, issue 15 case 8). So only the base and
                // the marks that take no column go in; a cluster ncurses still refuses is a `?`.
                if setcchar(&cc, Self.cell(cell.character), style.attr, style.pair, nil) == ERR {
                    _ = setcchar(&cc, [wchar_t(bitPattern: UInt32(UInt8(ascii: "?"))), 0], style.attr, style.pair, nil)
                }
                wadd_wch(win, &cc)  // ERR at the bottom-right corner is expected: the cell is still drawn
            }
        }
        wrefresh(win)
    }

    /// A cell's wide characters for setcchar: the grapheme's first scalar, then up to four of the
    /// zero-width ones that follow (combining marks, variation selectors; CCHARW_MAX is 5), NUL-ended.
    /// The base decides the cell's width, as `DisplayWidth` does; the rest of a ZWJ sequence
    /// (👨‍👩‍👧 is drawn 👨) is left out, since terminals disagree on how wide the joined form is.
    static func cell(_ c: Character) -> [wchar_t] {
        var out: [wchar_t] = []
        for (i, u) in c.unicodeScalars.enumerated() {
            if i == 0 { out.append(wchar_t(bitPattern: u.value)); continue }
            if u.value == 0x200D { break }
            guard DisplayWidth.of(u) == 0, u.value >= 0x300 else { continue }
            out.append(wchar_t(bitPattern: u.value))
            if out.count == 5 { break }
        }
        out.append(0)
        return out
    }

    func nextKey(timeoutMilliseconds: Int) -> Key? {
        let win = wb_stdscr()
        wtimeout(win, Int32(timeoutMilliseconds))
        var ch: wint_t = 0
        let rc = wget_wch(win, &ch)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES {
            switch Int32(ch) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case KEY_RESIZE: return .resize
            default: return nil
            }
        }
        switch ch {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 27: return .escape
        case 1...26: return .ctrl(Character(Unicode.Scalar(UInt8(ch) + 96)))
        default:
            guard let u = Unicode.Scalar(UInt32(ch)) else { return nil }
            return .char(Character(u))
        }
    }

    /// Roles to colour pairs and attributes; without colours, attributes alone keep roles apart.
    static func theme(colour: Bool) -> [Role: (attr: attr_t, pair: Int16)] {
        let bold = wb_a_bold(), reverse = wb_a_reverse(), dim = wb_a_dim(), underline = wb_a_underline()
        var out: [Role: (attr_t, Int16)] = [:]
        if !colour {
            let mono: [Role: attr_t] = [
                .dim: dim, .title: bold, .header: reverse, .headerDim: reverse | dim, .footerKey: bold,
                .selected: reverse | bold, .focusTitle: reverse | bold, .labelMissing: bold, .labelMisunderstood: underline,
                .labelCorrect: 0, .labelOutOfScope: dim, .reviewed: bold, .barFill: 0, .barText: reverse, .barEmpty: dim,
                .warning: bold, .error: reverse | bold, .ok: bold, .input: underline, .match: bold | underline,
                .strong: bold, .barLow: 0, .barInterval: 0,
            ]
            for role in Role.allCases { out[role] = (mono[role] ?? 0, 0) }
            return out
        }
        // (foreground, background, attributes); -1 is the terminal's default colour.
        let table: [Role: (Int16, Int16, attr_t)] = [
            .dim: (-1, -1, dim), .title: (Int16(COLOR_CYAN), -1, bold), .header: (Int16(COLOR_WHITE), Int16(COLOR_BLUE), bold),
            .headerDim: (Int16(COLOR_WHITE), Int16(COLOR_BLUE), 0), .footer: (-1, -1, 0), .footerKey: (Int16(COLOR_CYAN), -1, bold),
            .status: (-1, -1, 0), .selected: (Int16(COLOR_BLACK), Int16(COLOR_CYAN), 0),
            .focusTitle: (Int16(COLOR_BLACK), Int16(COLOR_YELLOW), bold), .border: (Int16(COLOR_BLUE), -1, 0),
            .labelMissing: (Int16(COLOR_RED), -1, bold), .labelMisunderstood: (Int16(COLOR_MAGENTA), -1, bold),
            .labelCorrect: (Int16(COLOR_GREEN), -1, bold), .labelOutOfScope: (Int16(COLOR_BLUE), -1, bold),
            .reviewed: (Int16(COLOR_GREEN), -1, bold), .barFill: (Int16(COLOR_GREEN), -1, 0),
            .barText: (Int16(COLOR_BLACK), Int16(COLOR_GREEN), bold), .barEmpty: (-1, -1, dim),
            .warning: (Int16(COLOR_YELLOW), -1, bold), .error: (Int16(COLOR_WHITE), Int16(COLOR_RED), bold),
            .ok: (Int16(COLOR_GREEN), -1, 0), .input: (-1, -1, underline), .match: (Int16(COLOR_YELLOW), -1, bold),
            .strong: (-1, -1, bold), .barLow: (Int16(COLOR_RED), -1, 0), .barInterval: (Int16(COLOR_GREEN), -1, dim),
        ]
        var pair: Int16 = 1
        for role in Role.allCases {
            guard let (fg, bg, attr) = table[role] else { out[role] = (0, 0); continue }
            init_pair(pair, fg, bg)
            out[role] = (attr, pair)
            pair += 1
        }
        return out
    }
}

struct TerminalError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
