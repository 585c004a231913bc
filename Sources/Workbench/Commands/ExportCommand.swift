import ArgumentParser
import Foundation
import Model

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "导出筛选出的记录 (export the filtered records: xlsx, csv or jsonl; 问答结果 complete, with its length and SHA-256).",
        discussion: """
            XLSX: 每个文本单元格都是字符串；超过 32,767 字的回答续写在 问答结果(续N) 列；第二张表为筛选条件与汇总指标。
            CSV: UTF-8 带 BOM，RFC 4180。JSONL: 与 list --format jsonl 相同的英文键，另加 answerChars、answerSha256。
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "格式 (format): xlsx|csv|jsonl.")
    var format: ExportFormat = .xlsx

    @Option(name: [.short, .long], help: "输出文件；- 为标准输出 (output file, - for standard output; default 问答标注_<period>.<format> here).")
    var output: String?

    @Flag(help: "覆盖已存在的文件 (overwrite an existing file).")
    var force = false

    @Option(help: "导出人，记入导出日志 (who exports, for the export log; default $WORKBENCH_REVIEWER or the login name).")
    var reviewer: String?

    func run() throws {
        try runReportingErrors {
            let fmt = format
            let reference = try store.reference()
            let db = try store.openStore()
            let filter = try filterOptions.filter(reference: reference, db: db)
            let path = output ?? filter.defaultExportName(format: fmt, today: nowEpoch())
            let toStdout = path == OutputFile.standardOutput
            let bar = ProgressBar(label: "export")
            let summary = try RecordExporter.export(
                store: db, filter: filter, format: fmt, path: path, overwrite: force, describe: filter.describedPairs,
                rules: HitRules(taxonomy: reference.taxonomy), by: reviewerName(reviewer)
            ) { done, total in bar.update(done: done, total: total, detail: "\(done)/\(total)") }
            bar.finish()
            var line = String(format: "已导出 %d 条到 %@，用时 %.1f 秒 (exported %d records)", summary.rows, summary.file,
                              summary.seconds, summary.rows)
            if summary.continuationColumns > 0 {
                line += "；较长的回答续写在 \(summary.continuationColumns) 个 问答结果(续N) 列"
            }
            if summary.maskedAtExport > 0 {
                line += "；导出时又遮盖了 \(summary.maskedAtExport) 处个人信息（workbench privacy apply 可改存储的原文）(personal data masked at export)"
            }
            if let h = summary.sha256 { line += "\nSHA-256 \(h)（已记入导出日志：workbench history --exports）" }
            // With the export on standard output, what is said goes to standard error.
            if toStdout { printErr(line) } else { print(line) }
            reportPeakRSSIfAsked()
        }
    }
}
