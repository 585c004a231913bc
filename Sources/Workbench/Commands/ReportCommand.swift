import ArgumentParser
import Foundation
import Model

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "统计报告：准确率、命中率、分组表、趋势图、热点TOP10 (the dashboard's figures for scripts and meetings).",
        discussion: """
            与看板同一套统计 (the same engine as the dashboard). --format csv 输出分组表（首行为合计）；
            json 含全部内容，键为英文，数值为数字。† 表示 n < 20。
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "分组 (group by): org | biz1 | biz2 | day | week | month | reviewer（审核员/质量，同 workbench reviewers）.")
    var by: ReportBy = .org

    @Option(help: "热点问题条数 (how many hot questions).")
    var top: Int = 10

    @Option(help: "趋势粒度，默认按时段长短自动 (trend step; default from the period): day | week | month.")
    var bucket: TimeBucket?

    @Option(help: "输出格式 (output format): text | markdown | csv | json | html（一个自带 SVG 图表的网页文件，可打印 a self-contained page with charts）| xlsx（各表一张工作表，须 -o）.")
    var format: ReportFormat = .text

    @Flag(help: "图表与条形图只用 ASCII 字符 (ASCII charts and bars).")
    var ascii = false

    @Option(name: [.customShort("o"), .long], help: "写入文件而不是标准输出 (write to a file instead of stdout).")
    var output: String?

    @Flag(help: "覆盖已存在的文件 (overwrite an existing file).")
    var force = false

    func validate() throws {
        guard (0...100).contains(top) else { throw ValidationError("--top: 0 到 100 (0 to 100)") }
        if by == .reviewer, format == .html || format == .xlsx {
            throw ValidationError("--by reviewer: --format text | markdown | csv | json")
        }
    }

    func run() throws {
        try runReportingErrors {
            // A time grouping (--by day) is the trend's step too, unless --bucket says otherwise.
            let step = bucket ?? TimeBucket(rawValue: by.rawValue)
            let db = try store.openStore()
            let reference = try store.reference()
            let filter = try filterOptions.filter(reference: reference, db: db)
            guard let grouping = by.grouping else {
                // Reviewers are counted from the label history, over the period's labels.
                let f = try ReviewersCommand.figures(db, from: filter.fromDay, to: filter.toDay.map { $0 + 86400 })
                try write(ReviewersCommand.render(f, format: format))
                return
            }
            let index = StatisticsIndex(rules: HitRules(taxonomy: reference.taxonomy))
            try index.load(from: db)
            let keys = DashboardQuery.needsKeys(filter) ? try db.keys(filter) : nil
            var board = Dashboard(index: index, query: DashboardQuery(filter: filter, keys: keys, bucket: step, top: top))
            try board.resolveTexts(db)
            let described = filter.describedPairs.map { "\($0.0) \($0.1)" }.joined(separator: "；")
            var report = Report(board: board, by: grouping, orgOrder: reference.organisations.names,
                                filterText: described.isEmpty ? "全部" : described, generatedAt: nowEpoch(), ascii: ascii,
                                width: output == nil && isTerminal(STDOUT_FILENO) ? terminalWidth() : 120)
            report.database = db.location
            report.team = reference.team
            if [.text, .markdown, .html, .xlsx].contains(format) {
                report.parts = try MeetingParts.load(db, index: index, filter: filter, board: board, orgOrder: reference.organisations.names)
            }
            let text: String
            switch format {
            case .markdown: text = report.markdown()
            case .csv: text = report.csv()
            case .json: text = try report.json(filter: filter)
            case .text: text = report.text()
            case .html: text = report.html(parts: report.parts, team: reference.team)
            case .xlsx:
                guard let output, output != OutputFile.standardOutput else {
                    throw UserError("--format xlsx 须用 -o 指定文件 (an xlsx report needs -o FILE)")
                }
                let file = try OutputFile(output, overwrite: force)
                do {
                    try report.xlsx(parts: report.parts, path: file.workPath)
                    try file.commit()
                } catch { throw file.failed(error) }
                printErr("已写入 \(VisibleText.singleLine(output)) (report written)")
                return
            }
            try write(text)
        }
    }

    /// To `-o` (whole or not at all) or standard output.
    func write(_ text: String) throws {
        if let output, output != OutputFile.standardOutput {
            let file = try OutputFile(output, overwrite: force)
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: file.workPath))
                try file.commit()
            } catch {
                let said = file.failed(error)
                if said is FileError { throw said }
                throw UserError("无法写入 \(output)：\(error.localizedDescription) (cannot write the report)")
            }
            printErr("已写入 \(output) (report written)")
        } else {
            emit(text, machine: format == .csv || format == .json)
        }
    }
}
