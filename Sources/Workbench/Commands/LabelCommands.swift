import ArgumentParser
import Foundation
import Model

struct LabelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "给一条记录标注 (set a record's label; 0 or clear removes it).",
        discussion: """
            标注 (LABEL): 1=业务缺失 2=理解错误 3=回答正确 4=非人社职能, the Chinese name or the code; 0/clear/未标注 clears.
            别人已标注的记录、别人正在审核的记录：不写入并退出 1，加 --override 才覆盖（历史记为覆盖他人）
            (another reviewer's label, or a record another reviewer is on: refused unless --override, kept as an override).
            """
    )

    @Argument(help: "记录ID (record id, as `list` shows it).")
    var recordId: String

    @Argument(help: "标注 (label).")
    var label: String

    @Option(help: "审核员 (reviewer; default $WORKBENCH_REVIEWER, else the login name).")
    var reviewer: String?

    @Flag(help: "覆盖他人的标注或他人正在审核的记录，历史记为覆盖 (replace another reviewer's label or work; kept as an override).")
    var override = false

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let clear = ["0", "clear", "none", "未标注", "清除"].contains(label.lowercased())
            let newLabel: Label? = clear ? nil : try parseLabel(label)
            let db = try store.openStore(writes: true)
            let change: LabelChange?
            do {
                // As the app does: another's work is asked about first; here, --override is the answer.
                change = try db.setLabel(newLabel, recordId: recordId, reviewer: reviewerName(reviewer), at: nowEpoch(),
                                         others: override ? .overwrite : .refuse)
            } catch StoreError.othersWork(let id, let who, let theirLabel, let holds) {
                throw UserError(holds
                    ? "记录 \(id) 正由 \(who) 审核中，未保存；确要标注请加 --override (\(who) is on this record: not saved; add --override to label it anyway)"
                    : "记录 \(id) 已由 \(who) 标注为「\(theirLabel?.chineseName ?? "未标注")」，未保存；确要覆盖请加 --override"
                        + " (labelled by \(who): not saved; add --override to replace it)")
            }
            printText(describe(change, recordId: recordId))
        }
    }
}

struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "复核一条记录：确认标注，或给出新的标注 (second review: confirm the label, or change it)."
    )

    @Argument(help: "记录ID (record id).")
    var recordId: String

    @Argument(help: "新的标注，可省略 (new label; omit to confirm the current one).")
    var label: String?

    @Option(help: "复核人 (reviewer; default $WORKBENCH_REVIEWER, else the login name).")
    var reviewer: String?

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let newLabel = try label.map(parseLabel)
            let db = try store.openStore(writes: true)
            let change = try db.markReviewed(recordId: recordId, label: newLabel, reviewer: reviewerName(reviewer), at: nowEpoch())
            printText(describe(change, recordId: recordId))
        }
    }
}

func describe(_ change: LabelChange?, recordId: String) -> String {
    guard let c = change else { return "记录 \(recordId): 无变化 (unchanged)" }
    let old = c.oldLabel?.chineseName ?? "未标注"
    let new = c.newLabel?.chineseName ?? "未标注"
    return "记录 \(recordId): \(old)(\(c.oldStatus.chineseName)) → \(new)(\(c.newStatus.chineseName))，\(c.reviewer)"
        + (c.override ? "，覆盖他人 (override)" : "") + "，已保存 (saved)"
}

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "一条记录的标注历史 (a record's label history, oldest first); --conflicts: 导入冲突 (import conflicts)."
    )

    @Argument(help: "记录ID (record id); 与 --conflicts 同用时可省略 (optional with --conflicts).")
    var recordId: String?

    @Flag(help: "列出导入时与已存记录 ID 相同而内容不同的行：文件:行、不同的字段、导入的那一份 (rows an import met with the same id and other content, newest first).")
    var conflicts = false

    @Flag(help: "列出每次导出：谁、何时、筛选条件、条数、文件、SHA-256、导出时遮盖的个人信息 (every export, newest first).")
    var exports = false

    @Option(help: "--conflicts 最多列出几条 (at most this many conflicts).")
    var limit = 100

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if recordId == nil && !conflicts && !exports { throw ValidationError("需要记录ID，或 --conflicts / --exports (a record id, or --conflicts / --exports)") }
        if limit < 1 { throw ValidationError("--limit 必须 ≥ 1") }
    }

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore()
            if exports {
                let list = try db.exportLog(limit: limit)
                if list.isEmpty { printText("没有导出记录 (no exports)") }
                for e in list {
                    printText("\(ShanghaiTime.format(e.at))  \(e.by)  \(e.format)  \(e.rows) 条  \(e.file)  筛选：\(e.filter)"
                              + (e.masked > 0 ? "  导出时遮盖 \(e.masked) 处" : ""))
                    printText("  SHA-256 \(e.sha256 ?? "—（标准输出或管道）")")
                }
                return
            }
            if conflicts {
                let list = try db.importConflicts(recordId: recordId, limit: limit)
                if list.isEmpty { printText("没有导入冲突 (no import conflicts)") }
                for c in list {
                    printText("\(ShanghaiTime.format(c.at))  \(c.file):\(c.line)  记录 \(c.recordId)  不同 (differs): \(c.fields.joined(separator: "、"))")
                    printText("  导入的一份 (incoming): \(c.incoming)")
                }
                return
            }
            guard let recordId else { return }
            guard try db.record(id: recordId) != nil else { throw StoreError.recordNotFound(recordId) }
            let changes = try db.history(recordId: recordId)
            if changes.isEmpty { printText("记录 \(recordId): 没有标注历史 (no label history)") }
            for c in changes {
                let when = c.at > 0 ? ShanghaiTime.format(c.at) : "-"
                let old = c.oldLabel?.chineseName ?? "未标注", new = c.newLabel?.chineseName ?? "未标注"
                switch c.action {
                case .mask:
                    printText("\(when)  \(c.reviewer)  \(c.action.rawValue)  遮盖个人信息 (masked): \(c.newValue ?? "")")
                case .note, .businessType, .org:
                    printText("\(when)  \(c.reviewer)  \(c.action.rawValue)  「\(c.oldValue ?? "")」 → 「\(c.newValue ?? "")」")
                default:
                    printText("\(when)  \(c.reviewer)  \(c.action.rawValue)  \(old)(\(c.oldStatus.chineseName)) → \(new)(\(c.newStatus.chineseName))"
                          + (c.override ? "  覆盖他人 (override)" : ""))
                }
            }
        }
    }
}
