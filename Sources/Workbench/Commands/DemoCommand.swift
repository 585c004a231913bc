import ArgumentParser
import Foundation
import Model

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "生成演示数据 (write a realistic synthetic dataset into the database, or as a CSV log export).",
        discussion: "同一 --seed 与 --end 总是生成相同的数据 (the same seed and end give the same data)."
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "记录条数 (number of records).")
    var records: Int = 20_000

    @Option(help: "随机种子 (seed).")
    var seed: UInt64 = 1

    @Option(help: "最新的提问时间，数据覆盖此前 90 天 (newest time; default now).")
    var end: String?

    @Option(name: .customLong("csv"), help: "写成厂商格式的 CSV 文件而不是数据库 (write a vendor-style CSV export instead).")
    var csvPath: String?

    func run() throws {
        try runReportingErrors {
            guard records >= 0 else { throw UserError("--records 必须 ≥ 0") }
            let endEpoch: Int64
            if let end {
                guard let e = ShanghaiTime.parse(end) else { throw UserError("--end: 无法识别的时间「\(end)」") }
                endEpoch = e
            } else {
                endEpoch = nowEpoch()
            }
            let reference = try store.reference()
            let generator = DemoGenerator(seed: seed, end: endEpoch, count: records, reference: reference)
            let bar = ProgressBar(label: "demo")
            let started = Date()
            if let csvPath {
                try DemoData.writeCSV(path: csvPath, records: records, generator: generator) { i in
                    bar.update(done: i, total: records, detail: "\(i)")
                }
                bar.finish()
                printText(String(format: "已写入 %d 条到 %@，用时 %.1f 秒 (wrote %d records)", records, csvPath,
                             Date().timeIntervalSince(started), records))
            } else {
                let db = try store.openStore(create: true)
                let n = try DemoData.populate(store: db, records: records, generator: generator, reference: reference) { i in
                    bar.update(done: i, total: records, detail: "\(i)")
                }
                bar.finish()
                try buildTextIndex(db)
                let kb = try DemoData.populateKnowledge(store: db, reference: reference, today: endEpoch)
                printText(String(format: "演示数据：新增 %d 条，共 %d 条，数据库 %@，用时 %.1f 秒 (demo: %d new records)",
                             n, try db.totalCount(), db.location, Date().timeIntervalSince(started), n))
                if kb > 0 { printText("演示知识库：\(kb) 个条目 (demo knowledge base: \(kb) entries)") }
            }
        }
    }
}
