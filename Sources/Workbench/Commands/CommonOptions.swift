import ArgumentParser
import Foundation
import Model

/// A mistake the user can fix: printed as one clear line, exit status 1, never a stack trace.
struct UserError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Runs a command body; user mistakes and store errors become a message on stderr and exit 1.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as ExitCode {
        throw e
    } catch let e as CleanExit {
        throw e
    } catch {
        // Names and ids from files and arguments can hold escape sequences: shown, never run.
        FileHandle.standardError.write(Data(("workbench: " + VisibleText.singleLine(StoreError.explain(error)) + "\n").utf8))
        throw ExitCode(1)
    }
}

/// What commands and the app use of a database: records and the knowledge base.
typealias WorkbenchStore = RecordStore & KnowledgeStore

/// Opens the database a path names: a `postgres://` URL is the team server, anything else the
/// embedded SQLite file.
func openDatabase(path: String, busyTimeout: TimeInterval? = nil) throws -> any WorkbenchStore {
    // A short busy wait asks for an interactive session (the app): on a server, no answer within
    // its deadline counts as a lost connection, so the screen never waits for minutes.
    if PostgresAddress.isAddress(path) {
        return try PostgresRecordStore(url: path, deadline: busyTimeout == nil ? nil : PostgresRecordStore.interactiveDeadline)
    }
    if let busyTimeout { return try SQLiteRecordStore(path: path, busyTimeout: busyTimeout) }
    return try SQLiteRecordStore(path: path)
}

struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "数据库文件，或团队服务器 postgres://用户@主机:端口/库名 (SQLite file, or a PostgreSQL URL; also $WORKBENCH_DB).")
    var db: String?

    @Option(name: .customLong("reference-dir"),
            help: "参考数据目录：organisations.json / taxonomy.json 覆盖内置默认值 (reference data override directory).")
    var referenceDir: String?

    @Flag(help: "用演示数据库（数据目录中的 demo.sqlite，首次使用时生成）(the demo database, generated on first use).")
    var demo = false

    var databasePath: String { demo ? DemoDatabase.path : WorkbenchPaths.databasePath(explicit: db) }

    /// The database the options name, as the protocols: commands never name a concrete store
    /// (the one place that does is `openDatabase`). Only a command that creates data (`create`:
    /// import, demo) makes a new file; the others say there is none and how to make one.
    /// `writes`: the command is about to write, so a database that cannot be written or that
    /// SQLite's quick check finds damaged is refused here, before any work (0.33 s at 300,000
    /// records; issue 15, case 10). Reading commands skip the check: they change nothing.
    func openStore(busyTimeout: TimeInterval? = nil, create: Bool = false, writes: Bool = false) throws -> any WorkbenchStore {
        if demo { return try DemoDatabase.open(reference: try reference()) }
        let path = databasePath
        if !create, !PostgresAddress.isAddress(path), !FileManager.default.fileExists(atPath: path) {
            throw UserError("没有数据库 \(path)：先导入日志（workbench import 文件 --db \(path)），或生成演示数据（workbench demo），或加 --demo 使用演示数据库"
                            + " (no database at \(path): import a log first, or try --demo)")
        }
        let db = try openDatabase(path: path, busyTimeout: busyTimeout)
        if writes {
            if let problem = try db.checkIntegrity(thorough: false).first { throw StoreError.damaged(path, problem) }
            if let why = db.readOnly { throw StoreError.readOnly(path, why: why) }
        }
        return db
    }

    /// Reference data: `--reference-dir`, else files in the data directory, else the bundled defaults.
    func reference() throws -> ReferenceData {
        var dirs: [URL] = []
        if let r = referenceDir { dirs.append(URL(fileURLWithPath: r)) }
        dirs.append(WorkbenchPaths.dataDirectory())
        return try ReferenceData.load(overrideDirectories: dirs)
    }
}

/// The filter options `list` (and later `export` and `report`) share.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("org"), help: "组织机构，可重复 (organisation; repeatable; legacy names accepted).")
    var orgs: [String] = []

    @Option(name: .long, help: "起始日期，含当天 (from date, inclusive, e.g. 2025-12-01).")
    var from: String?

    @Option(name: .long, help: "截止日期，含当天 (to date, inclusive).")
    var to: String?

    @Option(name: .long, help: "状态 (status): 未标注|已标注|已复核 or unlabeled|labeled|reviewed.")
    var status: String?

    @Option(name: .long, help: "标注 (label): 1-4, 中文名 or code.")
    var label: String?

    @Option(name: .long, help: "业务类型 (business type): 一级 or 一级/二级.")
    var biz: String?

    @Option(name: .long, help: "问题或回答中的文字：词须全部出现，-词 排除，\"短语\"，问:词/答:词 只搜一边 (words that must all occur in question or answer; -word excludes; \"a phrase\"; 问:/答: one side only).")
    var text: String?

    static func day(_ text: String, option: String) throws -> Int64 {
        guard let d = ShanghaiTime.parseDay(text) else {
            throw UserError("\(option): 无法识别的日期「\(text)」(expected a date like 2025-12-01)")
        }
        return d
    }

    /// `db`: the records' own organisation names (read once, only for a name the reference data
    /// does not know), so a name stored as it was imported is accepted as written, and
    /// `未登记机构` stands for all of those (issue 36).
    func filter(reference: ReferenceData, db: (any RecordStore)?) throws -> RecordFilter {
        var f = RecordFilter()
        let orgData = reference.organisations
        var storedNames: [String]?
        func stored() throws -> [String] {
            if storedNames == nil { storedNames = try db?.organisationCounts().map(\.org) ?? [] }
            return storedNames!
        }
        func add(_ name: String) { if !f.orgs.contains(name) { f.orgs.append(name) } }
        for o in orgs {
            let t = o.trimmed
            let n = orgData.normalise(o)
            if orgData.isKnown(n) {
                add(n)
                // A stored name the reference data has since made an alias of (not rewritten yet
                // by `orgs --apply`): its records too.
                if t != n, try stored().contains(t) { add(t) }
                continue
            }
            if t == Dashboard.unregistered {
                let names = try stored().filter { !orgData.isKnown($0) }
                guard !names.isEmpty else { throw UserError("没有未登记机构的记录 (no records of unregistered organisations)") }
                names.forEach(add)
                continue
            }
            if try stored().contains(t) {
                add(t)
                continue
            }
            let unregistered = try stored().filter { !orgData.isKnown($0) && !$0.isEmpty }
            throw UserError("未知组织机构「\(o)」(unknown organisation); 可选 (known): \(orgData.names.joined(separator: " "))"
                            + (unregistered.isEmpty ? "" : "；记录中未登记的 (unregistered, as stored): \(unregistered.joined(separator: " "))，或 \(Dashboard.unregistered)（全部 all）"))
        }
        f.fromDay = try from.map { try Self.day($0, option: "--from") }
        f.toDay = try to.map { try Self.day($0, option: "--to") }
        if let lo = f.fromDay, let hi = f.toDay, hi < lo {
            throw UserError("--to 早于 --from (the period ends before it starts)")
        }
        if let status {
            guard let s = ReviewStatus(parsing: status) else {
                throw UserError("--status: 未知状态「\(status)」; 可选: 未标注 已标注 已复核 (unlabeled labeled reviewed)")
            }
            f.status = s
        }
        if let label { f.label = try parseLabel(label) }
        if let biz {
            f.setBusinessType(biz)
            if let b1 = f.biz1, !reference.taxonomy.contains(level1: b1, level2: f.biz2) {
                FileHandle.standardError.write(Data("workbench: 注意：业务类型「\(biz)」不在分类表中 (not in the taxonomy); filtering anyway\n".utf8))
            }
        }
        if let text, !text.trimmed.isEmpty { f.text = text }
        return f
    }
}

func parseLabel(_ text: String) throws -> Label {
    guard let l = Label(parsing: text) else {
        let choices = Label.allCases.map { "\($0.key)=\($0.chineseName)(\($0.code))" }.joined(separator: " ")
        throw UserError("未知标注「\(text)」(unknown label); 可选 (choose): \(choices)")
    }
    return l
}

/// `--reviewer`, else `$WORKBENCH_REVIEWER`, else the login name.
func reviewerName(_ explicit: String?) -> String {
    if let explicit, !explicit.isEmpty { return explicit }
    let env = ProcessInfo.processInfo.environment
    if let r = env["WORKBENCH_REVIEWER"], !r.isEmpty { return r }
    if let u = env["USER"] ?? env["LOGNAME"], !u.isEmpty { return u }
    return NSUserName()
}

func nowEpoch() -> Int64 { Int64(Date().timeIntervalSince1970) }

func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

/// Width of the terminal on stdout, else `$COLUMNS`, else 120.
func terminalWidth() -> Int {
    var ws = winsize()
    if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
    return 120
}

/// A line for a person on standard error. Names, ids and cells from files and arguments can hold
/// escape sequences (OSC 52 writes the clipboard, `ESC[2J` clears the screen): shown as `^[`, never run.
func printErr(_ s: String, terminator: String = "\n") {
    FileHandle.standardError.write(Data((VisibleText.escapeControls(s) + terminator).utf8))
}

/// A line for a person on standard output, escaped as `printErr` is (machine formats — CSV,
/// JSON, JSONL to a file or a pipe — are written as they are, losslessly).
func printText(_ s: String) {
    print(VisibleText.escapeControls(s))
}

/// A command's whole output: a machine format (CSV, JSON) to a file or a pipe as it is; text, or
/// anything bound for a terminal, escaped.
func emit(_ text: String, machine: Bool) {
    let safe = machine && !isTerminal(STDOUT_FILENO) ? text : VisibleText.escapeControls(text)
    FileHandle.standardOutput.write(Data(safe.utf8))
}

/// For `bench`: a child process reports its own peak resident memory (getrusage over children
/// gives only the largest of all of them).
func reportPeakRSSIfAsked() {
    guard ProcessInfo.processInfo.environment["WORKBENCH_PRINT_PEAK_RSS"] == "1",
          let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        print("peak-rss-kb: \(line.split(separator: " ").dropFirst().first ?? "0")")
    }
}

/// A supervisor's command: their name (refused unless `team.json` names them), the database and
/// the filter the options give.
func supervisorsWork(_ store: StoreOptions, _ filterOptions: FilterOptions, reviewer: String?) throws
    -> (db: any WorkbenchStore, filter: RecordFilter, who: String)
{
    let reference = try store.reference()
    let who = reviewerName(reviewer)
    if let why = reference.team.notSupervisor(who) { throw UserError(why) }
    let db = try store.openStore(writes: true)
    return (db, try filterOptions.filter(reference: reference, db: db), who)
}
