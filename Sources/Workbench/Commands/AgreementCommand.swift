import ArgumentParser
import Foundation
import Model

/// `workbench agreement`: how far a record's label and its second review (已复核 by someone else)
/// agree — percent, Cohen's κ with its 95% interval, Krippendorff's α, the 4×4 table, per
/// reviewer pair, per organisation and per label.
struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "一致性：标注与他人复核的一致率、Cohen κ、Krippendorff α、混淆矩阵 (agreement between labels and second reviews).",
        discussion: """
            取每条记录最近一次由他人完成的复核（已复核）与原标注配对。复核时复核人看得到原标注，
            所以这是一致性的上限，不是盲评 (reviewers saw the first label: an upper bound, not blind agreement).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var filterOptions: FilterOptions

    @Option(help: "输出格式 (output format): text | markdown | csv | json.")
    var format: ReportFormat = .text

    func validate() throws {
        if format == .html || format == .xlsx { throw ValidationError("--format: text | markdown | csv | json") }
    }

    @Option(help: "配对来源 (pairs from): votes = 盲评双评样本, reviews = 标注与他人复核; 默认有双评就用双评.")
    var source: AgreementSource?

    func run() throws {
        try runReportingErrors {
            let db = try store.openStore()
            let reference = try store.reference()
            let filter = try filterOptions.filter(reference: reference, db: db)
            // Each reviewed record is read once, for its organisation and the filter's test.
            var orgOf: [String: String] = [:]
            let votes = try db.votes()
            let blind = (source ?? (votes.isEmpty ? .reviews : .votes)) == .votes
            let found = blind ? Agreement.votePairs(votes) : Agreement.reviewPairs(try db.historySince(0).changes)
            let pairs = try found.filter { p in
                guard let r = try db.record(id: p.recordId), filter.matches(r) else { return false }
                orgOf[p.recordId] = r.org
                return true
            }
            let summary = AgreementSummary(pairs: pairs, orgOf: orgOf)
            emit(Self.render(summary, format: format, blind: blind), machine: format == .csv || format == .json)
        }
    }

    static func kappaText(_ k: Agreement.Kappa?) -> String {
        guard let k else { return "—" }
        let ci = k.interval95
        return String(format: "%.3f [%.3f, %.3f]", k.value, ci.lower, ci.upper)
    }

    static func percentText(_ p: Double?) -> String { p.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }

    static func render(_ s: AgreementSummary, format: ReportFormat, blind: Bool) -> String {
        let groups = [s.all] + s.byReviewers + s.byOrg
        switch format {
        case .json:
            func g(_ x: AgreementSummary.Group) -> [String: Any] {
                ["name": x.name, "n": x.n, "percent": x.percent as Any, "kappa": x.kappa?.value as Any,
                 "kappaLower": x.kappa?.interval95.lower as Any, "kappaUpper": x.kappa?.interval95.upper as Any]
            }
            let obj: [String: Any] = [
                "pairs": s.pairs.count, "alpha": s.alpha as Any, "fleiss": s.fleiss as Any, "source": blind ? "votes" : "reviews", "all": g(s.all), "table": s.all.table.counts,
                "labels": Label.allCases.map(\.chineseName), "byReviewers": s.byReviewers.map(g), "byOrg": s.byOrg.map(g),
                "byLabel": Label.allCases.map { ["label": $0.chineseName, "specific": s.specific($0).value as Any, "uses": s.specific($0).n] },
            ]
            let data = (try? JSONSerialization.data(withJSONObject: obj, options: [.prettyPrinted, .sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        case .csv:
            var out = "分组,配对数,一致率,Cohen κ,κ 95% 下限,κ 95% 上限\r\n"
            for x in groups {
                let k = x.kappa
                out += "\(x.name),\(x.n),\(x.percent.map { String(format: "%.4f", $0) } ?? ""),"
                    + "\(k.map { String(format: "%.4f", $0.value) } ?? ""),\(k.map { String(format: "%.4f", $0.interval95.lower) } ?? ""),"
                    + "\(k.map { String(format: "%.4f", $0.interval95.upper) } ?? "")\r\n"
            }
            return out
        case .text, .markdown, .html, .xlsx:
            let md = format == .markdown
            let title = blind ? "标注一致性（双评样本，盲评：先标 × 后标）" : "标注一致性（原标注 × 他人复核）"
            var out = md ? "# \(title)\n\n" : "\(title)\n"
            out += "配对 \(s.pairs.count) 条 · 一致率 \(percentText(s.all.percent)) · Cohen κ \(kappaText(s.all.kappa))"
                + " · Fleiss κ \(s.fleiss.map { String(format: "%.3f", $0) } ?? "—")"
                + " · Krippendorff α \(s.alpha.map { String(format: "%.3f", $0) } ?? "—")\n"
            out += (blind ? "两人各自标注，后标的人看不到先标的结果。" : "复核人看得到原标注：这是一致性的上限，不是盲评。")
                + "n < 20 的 κ 区间很宽。\n\n"
            let labels = Label.allCases
            out += md ? "| 先 \\ 后 | " + labels.map(\.chineseName).joined(separator: " | ") + " |\n|---" + String(repeating: "|---:", count: labels.count) + "|\n"
                      : DisplayWidth.truncate(blind ? "先标 \\ 后标" : "原标注 \\ 复核", to: 16, pad: true) + labels.map { $0.chineseName.leftPadded(to: 12) }.joined() + "\n"
            for (i, l) in labels.enumerated() {
                let cells = s.all.table.counts[i].map { String($0) }
                out += md ? "| \(l.chineseName) | " + cells.joined(separator: " | ") + " |\n"
                          : DisplayWidth.truncate(l.chineseName, to: 16, pad: true) + cells.map { $0.leftPadded(to: 12) }.joined() + "\n"
            }
            out += "\n"
            out += md ? "| 分组 | 配对 | 一致率 | Cohen κ [95%] |\n|---|---:|---:|---|\n" : DisplayWidth.truncate("分组", to: 24, pad: true) + "  配对   一致率    Cohen κ [95%]\n"
            for x in groups {
                out += md ? "| \(x.name) | \(x.n) | \(percentText(x.percent)) | \(kappaText(x.kappa)) |\n"
                          : DisplayWidth.truncate(x.name, to: 24, pad: true) + String(x.n).leftPadded(to: 6) + percentText(x.percent).leftPadded(to: 9) + "    " + kappaText(x.kappa) + "\n"
            }
            out += "\n" + (md ? "| 标注 | 特定一致率 | 使用次数 |\n|---|---:|---:|\n" : "各标注的特定一致率（2×两人都用 ÷ 两人各自使用之和）\n")
            for l in labels {
                let (v, n) = s.specific(l)
                out += md ? "| \(l.chineseName) | \(percentText(v)) | \(n) |\n"
                          : "  " + DisplayWidth.truncate(l.chineseName, to: 12, pad: true) + percentText(v).leftPadded(to: 8) + "  n=\(n)\n"
            }
            return out
        }
    }
}
