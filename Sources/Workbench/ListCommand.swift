import ArgumentParser
import Foundation
import Model

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "列出筛选后的记录，最新的在前 (list the filtered records, newest first)."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "最多多少条 (at most this many records).")
    var limit: Int = 50

    @Option(help: "输出格式 (output format): table | jsonl.")
    var format: String = "table"

    func run() throws {
        try runReportingErrors {
            guard limit > 0 else { throw UserError("--limit 必须 > 0") }
            guard format == "table" || format == "jsonl" else { throw UserError("--format: table | jsonl (got \(format))") }
            let db = try store.openStore()
            let filter = try filterOptions.filter(reference: try store.reference())
            var tableRows: [InteractionRecord] = []
            var emitted = 0
            var cursor: PageCursor?
            // Pages of at most 1,000, so a large --limit streams instead of loading at once.
            while emitted < limit {
                let page = try db.page(filter, after: cursor, limit: min(1000, limit - emitted))
                if format == "jsonl" {
                    let chunk = page.records.map { RecordJSON.line($0) + "\n" }.joined()
                    FileHandle.standardOutput.write(Data(chunk.utf8))
                } else {
                    tableRows += page.records
                }
                emitted += page.records.count
                guard let next = page.next else { break }
                cursor = next
            }
            if format == "table" { printTable(tableRows, total: try db.count(filter)) }
        }
    }

    func printTable(_ records: [InteractionRecord], total: Int) {
        let width = max(60, terminalWidth())
        // Fixed columns; the question takes what is left.
        let cols: [(String, Int)] = [("记录ID", 19), ("提问时间", 16), ("组织机构", 10), ("业务类型", 22), ("标注", 10), ("状态", 6)]
        let fixed = cols.reduce(0) { $0 + $1.1 + 1 }
        let qWidth = max(10, width - fixed)
        func cell(_ s: String, _ w: Int) -> String { DisplayWidth.truncate(VisibleText.singleLine(s), to: w, pad: true) }
        var out = cols.map { cell($0.0, $0.1) }.joined(separator: " ") + " " + cell("用户问题", qWidth) + "\n"
        for r in records {
            let biz = [r.effectiveBiz1, r.effectiveBiz2].compactMap { $0 }.joined(separator: "/")
            let label = r.label.map { "\($0.key) \($0.chineseName)" } ?? "-"
            let time = String(ShanghaiTime.format(r.askedAt).prefix(16))
            out += [cell(r.id, 19), cell(time, 16), cell(r.org, 10), cell(biz, 22), cell(label, 10),
                    cell(r.status.chineseName, 6), cell(r.question, qWidth)].joined(separator: " ")
            out += "\n"
        }
        out += "显示 \(records.count) 条，共 \(total) 条符合条件 (showing \(records.count) of \(total))\n"
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
