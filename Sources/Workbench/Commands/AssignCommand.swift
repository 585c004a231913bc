import ArgumentParser
import Foundation
import Model

/// `workbench assign`: a supervisor splits the filter's records among reviewers by shares; each
/// reviewer's app then opens on their 我的任务.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "分配任务：按机构、时间、状态、业务类型筛选，按比例分给审核员 (split work among reviewers; supervisors only).",
        discussion: """
            例：workbench assign --org 如皋 --from 2025-12-01 --to 2025-12-31 --status 未标注 --to-reviewer 李娜:2 --to-reviewer 王强:1
            按 2:1 交替分配（每人拿到的日期与机构分布相同）；已分配的记录改分给新的审核员。
            审核员打开应用时默认进入“我的任务”（按 T 切换到全部记录）。
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(name: .customLong("to-reviewer"), help: "审核员:份额，可重复 (reviewer:share; repeatable; share defaults to 1).")
    var shares: [String] = []

    @Option(help: "主管姓名 (supervisor; default $WORKBENCH_REVIEWER, else the login name).")
    var reviewer: String?

    var parsed: [(reviewer: String, share: Int)] { Shares.parse(shares.joined(separator: " ")) ?? [] }

    func validate() throws {
        guard !shares.isEmpty else { throw ValidationError("--to-reviewer: 至少一名审核员，如 李娜:2 (at least one reviewer)") }
        guard shares.allSatisfy({ Shares.parse($0)?.count == 1 }) else {
            throw ValidationError("--to-reviewer: 写成 姓名:份额，份额为正整数，如 李娜:2 (name:share)")
        }
    }

    func run() throws {
        try runReportingErrors {
            let (db, filter, who) = try supervisorsWork(store, filterOptions, reviewer: reviewer)
            let counts = try db.assign(filter, to: parsed, by: who, at: nowEpoch())
            let now = try db.assignments()
            printText("已分配 \(counts.values.reduce(0, +)) 条 (assigned):")
            for (name, _) in parsed {
                let state = now[name]
                printText("  \(name)：本次 \(counts[name] ?? 0) 条 · 共 \(state?.assigned ?? 0) 条，未标注 \(state?.open ?? 0) 条")
            }
        }
    }
}
