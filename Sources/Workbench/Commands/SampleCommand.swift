import ArgumentParser
import Foundation
import Model

/// `workbench sample`: a supervisor draws the blind double-review sample.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "抽取双评样本：按机构×周分层、可复现 (draw the blind double-review sample; supervisors only).",
        discussion: """
            从筛选范围内未标注的记录中，每个机构每周抽取 --rate 比例（四舍五入），同一 --seed 抽到同样的记录。
            样本中的记录须由两名审核员各自标注；后标注的人看不到先标注的结果。两人一致即为该记录的标注，
            不一致则进入仲裁队列（应用中按 A）。主管名单见数据目录的 team.json（\(WorkbenchPaths.dataDirectory().appendingPathComponent(ReferenceData.teamFile).path)）。
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "抽样比例，如 10% 或 0.1 (rate).")
    var rate: String

    @Option(help: "随机种子 (seed): 同一种子抽到同样的记录.")
    var seed: UInt64 = 1

    @Option(help: "主管姓名 (supervisor; default $WORKBENCH_REVIEWER, else the login name).")
    var reviewer: String?

    var fraction: Double? {
        let t = rate.trimmed
        let v = t.hasSuffix("%") ? Double(t.dropLast()).map { $0 / 100 } : Double(t)
        return v.flatMap { (0...1).contains($0) ? $0 : nil }
    }

    func validate() throws {
        guard fraction != nil else { throw ValidationError("--rate: 0 到 100% 之间，如 10% 或 0.1 (between 0 and 100%)") }
    }

    func run() throws {
        try runReportingErrors {
            let (db, filter, who) = try supervisorsWork(store, filterOptions, reviewer: reviewer)
            let n = try db.drawSample(filter, rate: fraction ?? 0, seed: seed, by: who, at: nowEpoch())
            printText("已加入双评样本 \(n) 条（比例 \(rate)，种子 \(seed)） (\(n) records added to the double-review sample)")
        }
    }
}
