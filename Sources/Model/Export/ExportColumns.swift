import Crypto
import Foundation

/// A cell of an export: text (always a string cell, even when it looks like a number or a
/// formula), a number, or nothing.
public enum ExportCell: Equatable, Sendable {
    case text(String)
    case number(Int)
    case empty

    public var csvText: String {
        switch self {
        case .text(let s): s
        case .number(let n): String(n)
        case .empty: ""
        }
    }
}

/// The columns of a record export, with the Chinese headers the importer reads back, plus
/// 问答结果字符数 and 问答结果SHA256 so anyone can prove nothing was cut. The answer is the
/// stored string, every character (the detail screen shows the same with controls made visible).
public enum ExportColumns {
    public static let answerHeader = "问答结果"
    public static let charsHeader = "问答结果字符数"
    public static let hashHeader = "问答结果SHA256"

    /// Headers before the answer, the answer, and after it (continuation columns go right after
    /// the answer in XLSX).
    public static let leading = ["记录ID", "会话ID", "轮次", "提问时间", "渠道", "组织机构", "用户问题"]
    public static let trailing = [
        "知识ID", "标准问", "是否兜底", "是否命中", "一级业务类型", "二级业务类型", "人工修正一级业务类型", "人工修正二级业务类型",
        "满意度", "标注结果", "状态", "标注人", "标注时间", "复核人", "复核时间", "备注", charsHeader, hashHeader,
    ]

    /// `问答结果(续1)` …: the header of the n-th continuation of a long answer.
    public static func continuationHeader(_ n: Int) -> String { "\(answerHeader)(续\(n))" }

    public static func headers(continuations: Int = 0) -> [String] {
        leading + [answerHeader] + (0..<continuations).map { continuationHeader($0 + 1) } + trailing
    }

    static func text(_ s: String?) -> ExportCell { s.map { $0.isEmpty ? .empty : .text($0) } ?? .empty }
    static func time(_ t: Int64?) -> ExportCell { t.map { .text(ShanghaiTime.format($0)) } ?? .empty }
    static func yesNo(_ b: Bool?) -> ExportCell { b.map { .text($0 ? "是" : "否") } ?? .empty }

    public static func sha256(_ s: String) -> String {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        var copy = s
        let digest = copy.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        for byte in digest {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 是否命中: the log's own value, else the same rule the figures use, marked (推断) so a
    /// re-import reads it as no value, as it was (issue 16, point 7).
    static func hit(_ r: InteractionRecord, _ rules: HitRules) -> ExportCell {
        if let logged = HitRules.logged(r) { return .text(logged ? "是" : "否") }
        return .text(rules.contribution(of: r).hit ? "是（推断）" : "否（推断）")
    }

    /// The cells of one record; `answerParts` is the answer as one piece (CSV) or cut into cells.
    public static func cells(_ r: InteractionRecord, answer: String, answerParts: [String], rules: HitRules = .defaultPhrases) -> [ExportCell] {
        var out: [ExportCell] = [
            .text(r.id), text(r.sessionId), r.turn.map { .number($0) } ?? .empty, time(r.askedAt), text(r.channel),
            .text(r.org), .text(r.question),
        ]
        out += answerParts.map { $0.isEmpty ? .empty : .text($0) }
        out += [
            text(r.knowledgeId), text(r.standardQuestion), yesNo(r.fallback), hit(r, rules), text(r.biz1), text(r.biz2),
            text(r.correctedBiz1), text(r.correctedBiz2), text(r.satisfaction), text(r.label?.chineseName),
            .text(r.status.chineseName), text(r.reviewer), time(r.labeledAt), text(r.reviewedBy), time(r.reviewedAt),
            text(r.note), .number(RecordText.count(answer)), .text(sha256(answer)),
        ]
        return out
    }

    /// Excel's limit on a cell, in UTF-16 units.
    public static let cellLimit = 32_767

    /// Cuts text into pieces of at most `limit` UTF-16 units, never inside a surrogate pair.
    public static func split(_ s: String, limit: Int = cellLimit) -> [String] {
        if s.utf16.count <= limit { return [s] }
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var units = 0
        for u in s.unicodeScalars {
            let n = u.utf16.count
            if units + n > limit {
                parts.append(String(current))
                current = String.UnicodeScalarView()
                units = 0
            }
            current.append(u)
            units += n
        }
        parts.append(String(current))
        return parts
    }
}
