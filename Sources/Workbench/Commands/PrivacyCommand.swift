import ArgumentParser
import Foundation
import Model

/// `workbench privacy …`: personal data already stored (issue 18).
struct PrivacyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy", abstract: "个人信息：检查、遮盖已存储的文本 (personal data in stored texts: scan, apply).",
        discussion: """
            规则：身份证号（校验位与出生日期有效）、手机号（含 +86/0086、分组、全角）、银行卡号（Luhn）、问题中的姓名（我叫/本人/姓名/联系人…）与住址（路/小区 + 号/栋/单元/室）。\
            导入时已按同样的规则遮盖；规则更新后，用 scan 查看、apply 改写存储的原文。
            """,
        subcommands: [PrivacyScan.self, PrivacyApply.self])
}

struct PrivacyScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "统计存储的文本中仍未遮盖的个人信息：按字段与类型计数，列出记录ID，从不显示内容 (counts and record ids, never the values; exit 1 when any).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore()
            let bar = ProgressBar(label: "scan")
            let started = Date()
            let r = try PrivacyAudit.scan(db) { done, total in bar.update(done: done, total: total, detail: "\(done)/\(total)") }
            bar.finish()
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            printText("检查 \(r.scanned) 条记录，用时 \(seconds) 秒 (scanned \(r.scanned) records in \(seconds) s)")
            if r.total == 0 {
                printText("未发现未遮盖的个人信息 (no unmasked personal data found)")
                return
            }
            for field in PrivacyAudit.fields {
                for (kind, n) in (r.counts[field] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    printText("  \(field)  \(kind.rawValue)  \(n) 处")
                }
            }
            for (kind, n) in r.records.sorted(by: { $0.key < $1.key }) {
                let ids = r.sampleIds[kind, default: []]
                printText("  \(kind.rawValue)：\(n) 条记录，如 \(ids.joined(separator: " "))" + (n > ids.count ? " …" : ""))
            }
            printText("用 workbench privacy apply 遮盖 (mask them with workbench privacy apply)")
            throw ExitCode(1)
        }
    }
}

struct PrivacyApply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "按规则遮盖存储的文本，分批提交，可中断后继续；每条改动的记录在历史中留一行（不含原文）(mask stored texts in place, in batches, resumable).")

    @OptionGroup var store: StoreOptions

    @Option(help: "记入历史的操作人 (who, for the history; default $WORKBENCH_REVIEWER or the login name).")
    var reviewer: String?

    @Flag(help: "从第一条重新检查，而不是从上次停下的地方继续 (go over every record again).")
    var restart = false

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore(writes: true)
            let bar = ProgressBar(label: "privacy")
            let started = Date()
            let a = try PrivacyAudit.apply(db, reviewer: reviewerName(reviewer), at: nowEpoch(), restart: restart) { done, total in
                bar.update(done: done, total: total, detail: "\(done)/\(total)")
            }
            bar.finish()
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            if a.resumedAfter > 0 { printText("接着上次继续（记录键 \(a.resumedAfter) 之后）(resumed after key \(a.resumedAfter); --restart goes over all)") }
            printText("检查 \(a.scanned) 条，遮盖 \(a.changedRecords) 条记录中的 \(a.report.total) 处个人信息，用时 \(seconds) 秒"
                      + " (scanned \(a.scanned), masked \(a.report.total) in \(a.changedRecords) records, \(seconds) s)")
            for (kind, n) in a.report.records.sorted(by: { $0.key < $1.key }) { printText("  \(kind.rawValue)：\(n) 条记录") }
        }
    }
}
