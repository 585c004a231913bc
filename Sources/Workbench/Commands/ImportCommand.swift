import ArgumentParser
import Foundation
import Model

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "导入日志导出文件 (import the bot's log exports: CSV, JSONL or XLSX; UTF-8, UTF-8 BOM, GB18030/GBK).",
        discussion: """
            每个文件在一个事务中导入：坏行被跳过并报告文件名、行号与原因，好行保留；
            文件无法读取时整体拒绝 (bad rows skipped, named; an unreadable file refused).
            引号未闭合只损失它那一行，从下一行起重新读取 (an unclosed quote costs one line).
            重复导入不会重复添加 (re-importing adds nothing twice).
            无记录ID的行按内容生成ID，未登记的机构按原样保存，都按类计数并报告
            (rows without an id, unknown organisations: imported, counted and named).
            命名管道须已有写入方，导入不等待 (a named pipe needs its writer already there).
            最后一行是合计 (the last line is the total): 导入 / 已存在 / 拒绝.
            退出码 (exit status): 0 全部导入或已存在 (every row in or already present;
            conflicts are kept and listed); 2 有行被拒绝 (rows rejected); 1 有文件被拒绝
            (a file refused: cannot open, not a log, …) 或其他错误 (or another error).
            上限 (limits): \(ImportLimits.summary)；超出的行被跳过并报告，XLSX 中超出的单元格使整个文件被拒绝。
            """
    )

    @Argument(help: "日志文件 (log files).")
    var files: [String]

    @OptionGroup var store: StoreOptions

    @Option(help: "文件编码 (encoding): auto | utf-8 | gb18030.")
    var encoding: String = "auto"

    @Option(help: "文件格式 (format): auto | csv | jsonl | xlsx.")
    var format: FormatChoice = .auto

    @Option(help: "XLSX 工作表名称，默认第一张 (the XLSX sheet to read; default the first).")
    var sheet: String?

    @Option(name: .customLong("max-problems"), help: "最多列出多少条坏行 (how many bad rows to list per file).")
    var maxProblems: Int = 20

    func run() throws {
        defer { reportPeakRSSIfAsked() }
        try runReportingErrors {
            guard let enc = EncodingChoice(rawValue: encoding.lowercased()) else {
                throw UserError("--encoding: 可选 auto | utf-8 | gb18030 (got \(encoding))")
            }
            let fmt = format
            let db = try store.openStore(create: true, writes: true)
            let importer = Importer(store: db, reference: try store.reference())
            var failed = 0
            var total = (imported: 0, existing: 0, rejected: 0, conflicts: 0, seconds: 0.0)
            for file in files {
                let bar = ProgressBar(label: (file as NSString).lastPathComponent)
                do {
                    let s = try importer.importFile(file, encoding: enc, format: fmt, sheet: sheet) { p in
                        bar.update(done: p.bytesRead, total: p.totalBytes,
                                   detail: p.finishing
                                       ? "\(p.rows) 行，正在提交并建立索引… (committing, building indexes)"
                                       : String(format: "%d 行 %.0f MB", p.rows, Double(p.bytesRead) / 1e6))
                    }
                    bar.finish()
                    report(s)
                    total.imported += s.imported
                    total.existing += s.existing
                    total.rejected += s.rejected
                    total.conflicts += s.conflictCount
                    total.seconds += s.seconds
                } catch {
                    bar.finish()
                    failed += 1
                    printErr("workbench: 文件被拒绝，未导入任何记录 (file refused, nothing imported): \(error)")
                }
            }
            // The records are committed: a text index left unfinished is said, and the total is
            // still the last line.
            var indexFailed = false
            do { try buildTextIndex(db) } catch {
                indexFailed = true
                printErr("workbench: 全文索引未建完，下次导入或打开时继续 (text index not finished; it goes on next time): \(StoreError.explain(error))")
            }
            let conflictsZh = total.conflicts > 0 ? "冲突 \(total.conflicts) 条，" : ""
            let conflictsEn = total.conflicts > 0 ? "conflicts \(total.conflicts), " : ""
            let refusedZh = failed > 0 ? "，文件被拒绝 \(failed) 个" : ""
            let refusedEn = failed > 0 ? ", files refused \(failed)" : ""
            printText(String(format: "合计 (total): 导入 %d 条，已存在 %d 条，%@拒绝 %d 条%@，用时 %.1f 秒 (imported %d, already present %d, %@rejected %d%@, %.1f s)",
                             total.imported, total.existing, conflictsZh, total.rejected, refusedZh, total.seconds,
                             total.imported, total.existing, conflictsEn, total.rejected, refusedEn, total.seconds))
            if failed > 0 || indexFailed { throw ExitCode(1) }
            if total.rejected > 0 { throw ExitCode(2) }
        }
    }

    func report(_ s: ImportSummary) {
        for p in s.problems.prefix(maxProblems) { printErr("  坏行 (bad row) \(p)") }
        if s.rejected > min(maxProblems, s.problems.count) {
            printErr("  … 另有 \(s.rejected - min(maxProblems, s.problems.count)) 条坏行 (more bad rows; --max-problems N lists more)")
        }
        if !s.unknownHeaders.isEmpty {
            let shown = s.unknownHeaders.prefix(10).map { String($0.prefix(40)) }.joined(separator: ", ")
            let more = s.unknownHeaders.count > 10 ? " … 另有 \(s.unknownHeaders.count - 10) 个 (and \(s.unknownHeaders.count - 10) more)" : ""
            printErr("  注意：未识别的列已忽略 (unknown columns ignored): \(shown)\(more)")
        }
        for d in s.duplicateHeaders { printErr("  注意：重复的列已忽略 (a repeated column ignored): \(d)") }
        for c in s.conflicts.prefix(maxProblems) {
            printErr("  冲突 (conflict) \(c.file):\(c.line): 记录 \(c.recordId) 已存在且\(c.fields.joined(separator: "、"))不同；保留已存的一份，导入的一份记入冲突表"
                     + " (stored with other \(c.fields.joined(separator: ", ")): stored kept, incoming kept as a conflict; workbench history \(c.recordId) --conflicts)")
        }
        if s.conflictCount > min(maxProblems, s.conflicts.count) {
            printErr("  … 另有 \(s.conflictCount - min(maxProblems, s.conflicts.count)) 条冲突 (more conflicts: workbench history --conflicts)")
        }
        // Imported, but not as the file had them: counted by kind, named.
        if s.rowsWithoutId > 0 {
            let shown = s.rowsWithoutIdLines.prefix(5).map(String.init).joined(separator: "、")
            let more = s.rowsWithoutId > 5 ? "…" : ""
            printErr("  注意 (note) 无记录ID \(s.rowsWithoutId) 条：按内容生成ID（第 \(shown)\(more) 行）"
                     + " (\(s.rowsWithoutId) rows without an id: ids made from their content; lines \(shown.replacingOccurrences(of: "、", with: ", "))\(more))")
        }
        if !s.unknownOrgs.isEmpty {
            let sorted = s.unknownOrgs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let zh = sorted.prefix(10).map { "\($0.key) \($0.value) 条" }.joined(separator: "、")
            let en = sorted.prefix(10).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let rows = s.unknownOrgs.values.reduce(0, +)
            let more = sorted.count > 10 ? "，另有 \(sorted.count - 10) 个 (and \(sorted.count - 10) more)" : ""
            printErr("  注意 (note) 未登记机构：\(zh)\(more)，共 \(rows) 条，已按原样导入 (organisations not in the reference data, imported as written: \(en))")
            printErr("  （可用 --org 原样筛选；workbench orgs 列出全部并说明如何归入已登记机构 (filter them by --org as written; workbench orgs says how to map them)）")
        }
        if s.rowsWithoutOrg > 0 {
            printErr("  注意 (note) 无组织机构 \(s.rowsWithoutOrg) 条 (rows without an organisation)")
        }
        let rate = s.seconds > 0 ? Double(s.imported + s.existing + s.conflictCount) / s.seconds : 0
        let conflictsZh = s.conflictCount > 0 ? "冲突 \(s.conflictCount) 条，" : ""
        let conflictsEn = s.conflictCount > 0 ? "conflicts \(s.conflictCount), " : ""
        printText(String(format: "%@ [%@, %@]: 导入 %d 条，已存在 %d 条，%@拒绝 %d 条，用时 %.1f 秒 (imported %d, already present %d, %@rejected %d, %.1f s, %.0f rows/s)",
                     s.file, s.format, s.encoding, s.imported, s.existing, conflictsZh, s.rejected, s.seconds,
                     s.imported, s.existing, conflictsEn, s.rejected, s.seconds, rate))
        // Standard error is unbuffered: flushed here, a file's line follows its bad rows in one stream.
        fflush(nil)
    }
}
