import ArgumentParser
import Foundation
import Model

@main
struct WorkbenchCommand: ParsableCommand {
    /// As argument-parser's own main, but a mistake in the options (an unknown `--format`, a value
    /// `validate()` refuses) is one line on stderr and exit status 1, like every other user mistake.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let e as ExitCode {
            exit(withError: e)
        } catch {
            guard exitCode(for: error) != .success, !(error is CleanExit) else { exit(withError: error) }
            FileHandle.standardError.write(Data("workbench: \(message(for: error))\n".utf8))
            Foundation.exit(1)
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "人社 AI 客服问答质量审核工作台 (Workbench: review the answers of the 人社 customer-service bot).",
        discussion: """
            不带子命令时打开全屏审核界面 (with no subcommand: the full-screen review app).
            数据库位置 (database): --db PATH, else $WORKBENCH_DB, else $XDG_DATA_HOME/workbench/workbench.sqlite.
            """,
        subcommands: [
            AppCommand.self, ImportCommand.self, ExportCommand.self, DemoCommand.self, ListCommand.self, LabelCommand.self, ReviewCommand.self,
            HistoryCommand.self, ReportCommand.self, KnowledgeCommand.self,
            AssignCommand.self, SampleCommand.self, AgreementCommand.self, OrgsCommand.self, ReviewersCommand.self, DatabaseCommand.self, PrivacyCommand.self, BenchCommand.self, TeamSimulationCommand.self,
        ],
        // `workbench --demo` and `workbench --db F` open the app: its options belong to a default
        // subcommand, so `review --reviewer X` still reaches the review command's own option.
        defaultSubcommand: AppCommand.self
    )
}

/// The full-screen review app.
struct AppCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "全屏审核界面（默认）(the full-screen review app; the default when no subcommand is given)."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "审核员姓名 (reviewer; default $WORKBENCH_REVIEWER, else the login name).")
    var reviewer: String?

    @Option(help: "界面语言 (interface language): zh|en.")
    var lang: Language = .zh

    @Flag(name: .customLong("no-color"), help: "不用颜色 (no colours; also when $NO_COLOR is set).")
    var noColor = false

    @Flag(name: .customLong("ambiguous-wide"),
          help: "歧义宽度字符按两列显示 (draw ambiguous-width characters as two columns, for CJK terminal settings; also $WORKBENCH_AMBIGUOUS_WIDE=1).")
    var ambiguousWide = false

    @Option(name: .customLong("stale-days"), help: "知识条目多少天未复查算待复查 (days without review that make a knowledge entry stale).")
    var staleDays: Int = 180

    func validate() throws {
        guard staleDays > 0 else { throw ValidationError("--stale-days 必须 > 0 (must be > 0)") }
    }

    func run() throws {
        try runReportingErrors {
            let env = ProcessInfo.processInfo.environment
            let reference = try store.reference()
            // A short busy timeout: the screen never freezes behind another process's write; the
            // session keeps the change queued and retries (ReviewSession.persist).
            let db = try store.openStore(busyTimeout: 0.3)
            let session = try ReviewSession(
                store: db, reference: reference, reviewer: reviewerName(reviewer), lang: lang,
                ambiguousWide: ambiguousWide || env["WORKBENCH_AMBIGUOUS_WIDE"] == "1", backgroundStatistics: true)
            session.staleDays = staleDays
            session.remember(FilterMemory(location: db.location, reviewer: reviewerName(reviewer)))
            let noColour = noColor || !(env["NO_COLOR"] ?? "").isEmpty
            let backend = try NcursesBackend(noColour: noColour)
            ReviewApp(session: session, backend: backend).run()
            for l in session.lists { l.releaseLeases() }
            session.stopBackgroundWork()
            backend.shutdown()
            if session.ctx.writes.labelsThisSession > 0 {
                printText(Localized("本次标注/复核 \(session.ctx.writes.labelsThisSession) 条，均已保存到 \(db.location)",
                                "\(session.ctx.writes.labelsThisSession) labels/reviews this session, all saved to \(db.location)")(session.lang))
            }
        }
    }
}

/// `workbench --demo`: a demo database in the data directory, generated on first use.
enum DemoDatabase {
    static let records = 20_000

    static var path: String { WorkbenchPaths.dataDirectory().appendingPathComponent("demo.sqlite").path }

    static func open(reference: ReferenceData) throws -> any WorkbenchStore {
        let db = try openDatabase(path: path, busyTimeout: 0.3)
        if try db.totalCount() == 0 {
            printErr("正在生成演示数据库 \(path)（\(records) 条，首次使用）… (generating the demo database)")
            let generator = DemoGenerator(seed: 1, end: nowEpoch(), count: records, reference: reference)
            try DemoData.populate(store: db, records: records, generator: generator, reference: reference)
        }
        try DemoData.populateKnowledge(store: db, reference: reference, today: nowEpoch())
        return db
    }
}
