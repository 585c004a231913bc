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
    var format: ListFormat = .table

    func run() throws {
        try runReportingErrors {
            guard limit > 0 else { throw UserError("--limit 必须 > 0") }
            let db = try store.openStore()
            let filter = try filterOptions.filter(reference: try store.reference(), db: db)
            var tableRows: [InteractionRecord] = []
            var emitted = 0
            var cursor: PageCursor?
            // Pages of at most 1,000, so a large --limit streams instead of loading at once.
            while emitted < limit {
                let page = try db.page(filter, after: cursor, limit: min(1000, limit - emitted))
                if format == .jsonl {
                    let chunk = page.records.map { RecordJSON.line($0) + "\n" }.joined()
                    FileHandle.standardOutput.write(Data(chunk.utf8))
                } else {
                    tableRows += page.records
                }
                emitted += page.records.count
                guard let next = page.next else { break }
                cursor = next
            }
            if format == .table { printTable(tableRows, total: try db.count(filter)) }
        }
    }

    func printTable(_ records: [InteractionRecord], total: Int) {
        // The ID is never cut: it is what `label` and `review` take.
        let idWidth = min(40, records.map { DisplayWidth.of($0.id) }.max() ?? 8)
        let table = TextTable(
            columns: [
                .init(title: "记录ID", preferred: max(8, idWidth), minimum: max(8, idWidth)),
                .init(title: "提问时间", preferred: 16, minimum: 11),
                .init(title: "组织机构", preferred: 10, minimum: 6),
                .init(title: "业务类型", preferred: 22, minimum: 8),
                .init(title: "标注", preferred: 12, minimum: 10),
                .init(title: "状态", preferred: 6, minimum: 6),
                .init(title: "用户问题", preferred: 10, minimum: 10, fills: true),
            ],
            shrinkOrder: [3, 1, 2, 4],
            dropOrder: [3, 1, 2])
        let widths = table.widths(for: max(60, terminalWidth()))
        let rows = records.map { r -> [String] in
            let time = ShanghaiTime.format(r.askedAt)
            return [
                r.id,
                // 2025-12-01 09:15 when there is room, else 12-01 09:15.
                String(widths[1] >= 16 ? time.prefix(16) : time.dropFirst(5).prefix(11)),
                r.org,
                [r.effectiveBiz1, r.effectiveBiz2].compactMap { $0 }.joined(separator: "/"),
                r.label.map { "\($0.key) \($0.chineseName)" } ?? "-",
                r.status.chineseName,
                r.question,
            ]
        }
        var out = table.render(rows, widths: widths)
        out += "显示 \(records.count) 条，共 \(total) 条符合条件 (showing \(records.count) of \(total))\n"
        emit(out, machine: false)
    }
}
