/// The columns a log export may carry, each with the header names vendors use for it (domain.md §6),
/// the Chinese header Workbench itself writes first, and the English key of `list --format jsonl`.
public enum LogField: Int, CaseIterable, Sendable {
    case recordId, sessionId, turn, askedAt, channel, org, question, answer, knowledgeId, standardQuestion,
         fallback, hitFlag, biz1, biz2, bizCombined, correctedBiz1, correctedBiz2, satisfaction, label, status,
         reviewer, labeledAt, reviewedBy, reviewedAt, note

    /// Header names, the first being the one Workbench writes. Compared after trimming spaces and
    /// dropping a trailing "(…)" unit, case-insensitively for Latin letters.
    public var headers: [String] {
        switch self {
        case .recordId: ["记录ID", "记录编号", "记录id", "流水号", "消息ID", "问答ID", "ID"]
        case .sessionId: ["会话ID", "会话编号", "会话id", "对话ID"]
        case .turn: ["轮次", "对话轮次", "轮数"]
        case .askedAt: ["提问时间", "咨询时间", "时间", "创建时间", "日期时间", "会话时间"]
        case .channel: ["渠道", "来源渠道", "咨询渠道", "来源"]
        case .org: ["组织机构", "所属区县", "区县", "机构", "所属机构", "地区", "所属地区"]
        case .question: ["用户问题", "问题", "提问内容", "咨询问题", "用户提问", "咨询内容"]
        case .answer: ["问答结果", "回答内容", "回答", "答案", "AI回答", "机器人回答", "回复内容"]
        case .knowledgeId: ["知识ID", "命中知识ID", "知识编号"]
        case .standardQuestion: ["标准问", "命中知识", "命中标准问", "匹配知识", "标准问题"]
        case .fallback: ["是否兜底", "兜底", "兜底回复"]
        case .hitFlag: ["是否命中", "命中"]
        case .biz1: ["一级业务类型", "一级分类", "一级业务", "业务大类"]
        case .biz2: ["二级业务类型", "二级分类", "二级业务", "业务小类"]
        case .bizCombined: ["业务类型", "业务分类"]
        case .correctedBiz1: ["人工修正一级业务类型", "修正一级业务类型"]
        case .correctedBiz2: ["人工修正二级业务类型", "修正二级业务类型"]
        case .satisfaction: ["满意度", "用户评价"]
        case .label: ["标注结果", "标注", "标签"]
        case .status: ["状态", "标注状态"]
        case .reviewer: ["标注人", "审核员", "标注员"]
        case .labeledAt: ["标注时间"]
        case .reviewedBy: ["复核人"]
        case .reviewedAt: ["复核时间"]
        case .note: ["备注"]
        }
    }

    /// The key used in JSONL (import and `list --format jsonl`).
    public var jsonKey: String {
        switch self {
        case .recordId: "id"
        case .sessionId: "sessionId"
        case .turn: "turn"
        case .askedAt: "askedAt"
        case .channel: "channel"
        case .org: "org"
        case .question: "question"
        case .answer: "answer"
        case .knowledgeId: "knowledgeId"
        case .standardQuestion: "knowledge"
        case .fallback: "fallback"
        case .hitFlag: "hit"
        case .biz1: "biz1"
        case .biz2: "biz2"
        case .bizCombined: "biz"
        case .correctedBiz1: "correctedBiz1"
        case .correctedBiz2: "correctedBiz2"
        case .satisfaction: "satisfaction"
        case .label: "label"
        case .status: "status"
        case .reviewer: "reviewer"
        case .labeledAt: "labeledAt"
        case .reviewedBy: "reviewedBy"
        case .reviewedAt: "reviewedAt"
        case .note: "note"
        }
    }

    /// The name to show in messages about this field.
    public var displayName: String { headers[0] }

    static let lookup: [String: LogField] = {
        var m: [String: LogField] = [:]
        for f in LogField.allCases {
            for h in f.headers { m[normaliseHeader(h)] = f }
            m[normaliseHeader(f.jsonKey)] = f
        }
        // JSON exports by other tools.
        m["recordid"] = .recordId
        m["standardquestion"] = .standardQuestion
        // `list --format jsonl` writes the label twice: code and Chinese name.
        m["labelname"] = .label
        return m
    }()

    static func normaliseHeader(_ h: String) -> String {
        var s = h.trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: "\u{FEFF}\u{3000}\"")))
        // "提问时间(北京时间)", "满意度（1-5）": the unit in brackets does not change the column.
        for open in ["(", "（"] {
            if let r = s.range(of: open), r.lowerBound > s.startIndex { s = String(s[..<r.lowerBound]) }
        }
        return s.lowercased()
    }

    public static func match(header: String) -> LogField? { lookup[normaliseHeader(header)] }

    /// Columns our own exports add that an import reads past without calling them unknown.
    static let exportOnly: Set<String> = ["问答结果字符数", "问答结果sha256", "answerchars", "answersha256"]
    public static func isExportOnly(_ header: String) -> Bool { exportOnly.contains(normaliseHeader(header)) }

    /// `问答结果(续N)` / `问答结果（续N）`: N, for an answer an export had to continue in more cells.
    public static func answerContinuation(_ header: String) -> Int? {
        let h = header.trimmingCharacters(in: .whitespaces)
        for (open, close) in [("(", ")"), ("（", "）")] {
            let prefix = "问答结果\(open)续"
            guard h.hasPrefix(prefix), h.hasSuffix(close) else { continue }
            return Int(h.dropFirst(prefix.count).dropLast(close.count))
        }
        return nil
    }
}

/// Which column holds which field, decided from a header row.
public struct HeaderMap: Sendable {
    /// Column index per field (by rawValue); -1 where absent.
    public let columns: [Int]
    public let columnCount: Int
    public let unknownHeaders: [String]
    /// "用户问题（第 6 列，已由第 4 列「问题」给出）": columns whose field an earlier column gives.
    public let duplicateHeaders: [String]
    /// Columns continuing the answer, in order (问答结果(续1), (续2) …).
    public let answerContinuations: [Int]

    public init(headers: [String]) {
        var cols = [Int](repeating: -1, count: LogField.allCases.count)
        var unknown: [String] = []
        var duplicates: [String] = []
        var continuations: [(Int, Int)] = []
        for (i, h) in headers.enumerated() {
            if let n = LogField.answerContinuation(h) {
                continuations.append((n, i))
            } else if LogField.isExportOnly(h) {
                continue
            } else if let f = LogField.match(header: h) {
                if cols[f.rawValue] == -1 {
                    cols[f.rawValue] = i
                } else {
                    let first = cols[f.rawValue]
                    duplicates.append("\(h)（第 \(i + 1) 列，与第 \(first + 1) 列「\(headers[first])」同为\(f.displayName)，读第 \(first + 1) 列）"
                                      + " (column \(i + 1) repeats column \(first + 1))")
                }
            } else if !h.trimmed.isEmpty {
                unknown.append(h)
            }
        }
        columns = cols
        columnCount = headers.count
        unknownHeaders = unknown
        duplicateHeaders = duplicates
        answerContinuations = continuations.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public func has(_ f: LogField) -> Bool { columns[f.rawValue] >= 0 }

    /// Fields the importer cannot do without; nil when all are there.
    public var missingRequired: [LogField] {
        [LogField.question, .askedAt].filter { !has($0) }
    }

    public func raw(_ fields: [String]) -> RawLogRow {
        var values = [String?](repeating: nil, count: LogField.allCases.count)
        for (f, c) in columns.enumerated() where c >= 0 && c < fields.count { values[f] = fields[c] }
        // An answer an export had to cut at Excel's cell limit is joined back.
        if !answerContinuations.isEmpty, let a = values[LogField.answer.rawValue] {
            values[LogField.answer.rawValue] = a + answerContinuations.map { $0 < fields.count ? fields[$0] : "" }.joined()
        }
        return RawLogRow(values: values)
    }
}

/// One row of a log as text, field by field, before it is checked and normalised.
public struct RawLogRow: Sendable {
    public var values: [String?]
    public init(values: [String?]) { self.values = values }
    public init(_ dict: [LogField: String]) {
        values = [String?](repeating: nil, count: LogField.allCases.count)
        for (k, v) in dict { values[k.rawValue] = v }
    }
    public subscript(_ f: LogField) -> String? {
        get { values[f.rawValue] }
        set { values[f.rawValue] = newValue }
    }
}

import Foundation
