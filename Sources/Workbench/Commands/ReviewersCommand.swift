import ArgumentParser
import Foundation
import Model

/// `workbench reviewers`: each reviewer's figures for a period (pace, label mix against the team,
/// blind agreement, decisions against them, fast streaks with their records).
struct ReviewersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reviewers",
        abstract: "审核员/质量：工作量、有效工时、速度、标注分布、双评一致率、被仲裁推翻、过快连标 (reviewer figures).",
        discussion: """
            有效工时：相邻两次标注间隔不超过 5 分钟的时间之和。标注分布与团队其余人员比较用 Pearson χ² 同质性检验
            （自由度 3），p < 0.01 标 !。过快连标：连续 10 条以上、每条距上一条不到 3 秒、回答超过 200 字。
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "起始日期，含当天 (from date, inclusive).")
    var from: String?

    @Option(help: "截止日期，含当天 (to date, inclusive).")
    var to: String?

    @Option(help: "输出格式 (output format): text | markdown | csv | json.")
    var format: ReportFormat = .text

    func validate() throws {
        if format == .html || format == .xlsx { throw ValidationError("--format: text | markdown | csv | json") }
        for (name, v) in [("--from", from), ("--to", to)] {
            if let v, ShanghaiTime.parseDay(v) == nil { throw ValidationError("\(name): 无法识别的日期「\(v)」(expected a date like 2025-12-01)") }
        }
    }

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore()
            let lo = from.flatMap(ShanghaiTime.parseDay), hi = to.flatMap(ShanghaiTime.parseDay).map { $0 + 86400 }
            emit(Self.render(try Self.figures(db, from: lo, to: hi), format: format), machine: format == .csv || format == .json)
        }
    }

    static func figures(_ db: any RecordStore, from lo: Int64?, to hi: Int64?) throws -> ReviewerFigures {
        try ReviewerFigures.load(db, from: lo, to: hi)
    }

    static func render(_ f: ReviewerFigures, format: ReportFormat) -> String {
        func num(_ x: Double?, _ spec: String) -> String { x.map { String(format: spec, $0) } ?? "—" }
        // Every share with its n, and † when n < 20 (domain.md §3), as `report` marks them.
        func mix(_ m: [Int]) -> String {
            let total = m.reduce(0, +), n = max(1, total)
            return zip(Label.allCases, m).map { "\($0.0.glyph)\(Int((Double($0.1) * 100 / Double(n)).rounded()))%" }.joined(separator: " ")
                + " n=\(total)" + (total < Ratio.reliableN ? Ratio.unreliableMark : "")
        }
        let head = ["审核员", "标注", "有效工时", "条/小时", "秒/条(中位)", "标注分布", "χ² p", "双评一致", "被推翻", "过快连标"]
        let rows: [[String]] = f.rows.map { r in
            [r.reviewer, String(r.labels), num(Double(r.activeSeconds) / 3600, "%.1f h"), num(r.itemsPerHour, "%.0f"),
             num(r.medianSeconds, "%.0f"), mix(r.mix), num(r.mixP, "%.3f") + (r.mixDiffers ? " !" : ""),
             Ratio(r.agreed, of: r.pairs).countedText, Ratio(r.overturned, of: r.adjudicated).countedText,
             r.fastStreaks.isEmpty ? "0" : "\(r.fastStreaks.count)（\(r.fastStreaks.map(\.count).reduce(0, +)) 条）"]
        }
        switch format {
        case .json:
            let obj: [[String: Any]] = f.rows.map { r in
                ["reviewer": r.reviewer, "labels": r.labels, "activeSeconds": r.activeSeconds, "itemsPerHour": r.itemsPerHour as Any,
                 "medianSeconds": r.medianSeconds as Any, "mix": r.mix, "mixP": r.mixP as Any, "mixDiffers": r.mixDiffers,
                 "pairs": r.pairs, "agreed": r.agreed, "adjudicated": r.adjudicated, "overturned": r.overturned,
                 "fastStreaks": r.fastStreaks]
            }
            let data = (try? JSONSerialization.data(withJSONObject: ["reviewers": obj, "teamMix": f.teamMix, "labels": Label.allCases.map(\.chineseName)],
                                                    options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            return ([head] + rows).map { $0.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .markdown:
            var out = "# 审核员/质量\n\n| " + head.joined(separator: " | ") + " |\n|" + head.map { _ in "---" }.joined(separator: "|") + "|\n"
            for r in rows { out += "| " + r.joined(separator: " | ") + " |\n" }
            return out + unreliableNote(rows, markdown: true) + streakList(f)
        case .text, .html, .xlsx:
            let widths = head.indices.map { i in ([head[i]] + rows.map { $0[i] }).map { DisplayWidth.of($0) }.max() ?? 0 }
            func line(_ cells: [String]) -> String {
                cells.enumerated().map { DisplayWidth.truncate($0.element, to: widths[$0.offset], pad: true) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }
            var out = "审核员/质量（团队标注分布 \(mix(f.teamMix))；! 表示与团队其余人员差异显著，χ² 同质性检验 p < 0.01）\n"
            out += line(head) + "\n" + rows.map(line).joined(separator: "\n") + "\n"
            return out + unreliableNote(rows, markdown: false) + streakList(f)
        }
    }

    /// The footnote for †, when a cell has one.
    static func unreliableNote(_ rows: [[String]], markdown: Bool) -> String {
        guard rows.contains(where: { $0.contains { $0.contains(Ratio.unreliableMark) } }) else { return "" }
        return (markdown ? "\n" : "") + "\(Ratio.unreliableMark) n < \(Ratio.reliableN)，样本太少，仅供参考 (n < \(Ratio.reliableN): too few to rely on)。"
            + "双评一致 = 与他人双评相同 ÷ 配对数；被推翻 = 仲裁结果与本人不同 ÷ 被仲裁数；标注分布的 n = 标注数。\n"
    }

    /// The records of each fast streak, for a supervisor to check.
    static func streakList(_ f: ReviewerFigures) -> String {
        let all = f.rows.flatMap { r in r.fastStreaks.map { (r.reviewer, $0) } }
        guard !all.isEmpty else { return "" }
        return "\n过快连标（每条距上一条不到 3 秒、回答超过 200 字，连续 10 条以上）：\n"
            + all.map { "- \($0.0)：\($0.1.count) 条：\($0.1.joined(separator: " "))" }.joined(separator: "\n") + "\n"
    }
}
