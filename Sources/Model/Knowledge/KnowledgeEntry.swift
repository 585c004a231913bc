import Foundation

/// One entry of the regional knowledge base (domain.md §1, §4): a topic's answer for one region —
/// 全市 or one of the six counties. A county entry overrides the 全市 entry of the same topic.
/// Every edit is a new version; older versions stay readable.
public struct KnowledgeEntry: Equatable, Sendable {
    public enum State: String, CaseIterable, Sendable {
        case draft, active, retired

        public var chineseName: String {
            switch self {
            case .draft: "草稿"
            case .active: "生效"
            case .retired: "停用"
            }
        }

        public init?(parsing text: String) {
            let t = text.trimmed.lowercased()
            guard let s = Self.allCases.first(where: { $0.chineseName == t || $0.rawValue == t }) else { return nil }
            self = s
        }
    }

    public var id: String
    public var topic: String
    public var region: String
    public var biz1: String?
    public var biz2: String?
    public var standardQuestion: String
    public var similarQuestions: [String]
    public var answer: String
    /// 政策依据: the document's name and number.
    public var policyBasis: String
    /// Shanghai start-of-day epochs; `effectiveTo` inclusive, nil for open-ended.
    public var effectiveFrom: Int64
    public var effectiveTo: Int64?
    public var state: State
    public var version: Int
    public var updatedBy: String
    public var updatedAt: Int64
    public var lastReviewedAt: Int64?
    /// The bot's own knowledge ids this entry answers for (命中知识 `KB00790` in the logs; ours are
    /// `KB-00041`): the link between what the bot used and what the knowledge base says.
    public var botIds: [String] = []

    public init(id: String = "", topic: String, region: String, biz1: String? = nil, biz2: String? = nil,
                standardQuestion: String, similarQuestions: [String] = [], answer: String, policyBasis: String = "",
                effectiveFrom: Int64, effectiveTo: Int64? = nil, state: State = .active, version: Int = 0,
                updatedBy: String = "", updatedAt: Int64 = 0, lastReviewedAt: Int64? = nil) {
        self.id = id
        self.topic = topic
        self.region = region
        self.biz1 = biz1
        self.biz2 = biz2
        self.standardQuestion = standardQuestion
        self.similarQuestions = similarQuestions
        self.answer = answer
        self.policyBasis = policyBasis
        self.effectiveFrom = effectiveFrom
        self.effectiveTo = effectiveTo
        self.state = state
        self.version = version
        self.updatedBy = updatedBy
        self.updatedAt = updatedAt
        self.lastReviewedAt = lastReviewedAt
    }

    /// The entry without its texts (questions, answer, policy basis): what a link from the bot's
    /// id needs — id, topic, region, dates, state — in a tenth of the memory (issue 36).
    public var withoutTexts: KnowledgeEntry {
        var e = self
        e.standardQuestion = ""
        e.similarQuestions = []
        e.answer = ""
        e.policyBasis = ""
        return e
    }

    /// In force on a day: active, started, not ended.
    public func inForce(on day: Int64) -> Bool {
        state == .active && effectiveFrom <= day && (effectiveTo.map { day <= $0 } ?? true)
    }

    /// Stale: past its end date, or not reviewed (or, never reviewed, not edited) for `days`.
    public func isStale(today: Int64, days: Int) -> Bool {
        guard state != .retired else { return false }
        if let to = effectiveTo, to < today { return true }
        let seen = max(lastReviewedAt ?? 0, updatedAt)
        return today - seen > Int64(days) * 86400
    }

    public var businessType: String {
        BusinessType(biz1, biz2).text
    }

    /// The fields a person edits, with their Chinese names, in order (also the export's columns).
    public static let fieldNames = ["区域", "一级业务类型", "二级业务类型", "主题", "标准问", "相似问", "答案", "政策依据",
                                    "生效日期", "失效日期", "状态", botIdField]
    /// The column and editor field of `botIds` (several ids separated by spaces).
    public static let botIdField = "机器人知识ID"

    public var fieldValues: [String] {
        [region, biz1 ?? "", biz2 ?? "", topic, standardQuestion, similarQuestions.joined(separator: "\n"), answer, policyBasis,
         ShanghaiTime.formatDate(effectiveFrom), effectiveTo.map(ShanghaiTime.formatDate) ?? "", state.chineseName,
         botIds.joined(separator: " ")]
    }

    /// Bot knowledge ids as written in a cell or the editor: separated by spaces, commas, 、 or
    /// semicolons (either width), each trimmed, repeats dropped, order kept.
    public static func parseBotIds(_ text: String) -> [String] {
        var out: [String] = []
        for part in text.split(whereSeparator: { $0.isWhitespace || ",，、;；|".contains($0) }) {
            let id = String(part)
            if !out.contains(id) { out.append(id) }
        }
        return out
    }
}

/// Why an entry cannot be saved, in words a user can act on.
public struct KnowledgeValidationError: Error, Equatable, CustomStringConvertible {
    public let reasons: [String]
    public var description: String { reasons.joined(separator: "；") }
}

extension KnowledgeEntry {
    /// Checks an entry against the reference data: region, dates, non-empty texts, business type.
    public func validate(reference: ReferenceData) throws {
        var why: [String] = []
        if !id.isEmpty, let problem = Self.idProblem(id) { why.append(problem) }
        for b in botIds {
            if let problem = Self.idProblem(b) { why.append(Self.botIdField + "：" + problem) }
        }
        let regions = reference.organisations.kbRegions
        if !regions.contains(region) {
            why.append("未知区域「\(region)」，可选：\(regions.joined(separator: " "))")
        }
        if let to = effectiveTo, to < effectiveFrom {
            why.append("失效日期 \(ShanghaiTime.formatDate(to)) 早于生效日期 \(ShanghaiTime.formatDate(effectiveFrom))")
        }
        if answer.trimmed.isEmpty { why.append("答案为空") }
        if standardQuestion.trimmed.isEmpty { why.append("标准问为空") }
        if topic.trimmed.isEmpty { why.append("主题为空") }
        if let b1 = biz1, !reference.taxonomy.contains(level1: b1, level2: biz2) {
            why.append("业务类型「\(businessType)」不在分类表中")
        }
        if !why.isEmpty { throw KnowledgeValidationError(reasons: why) }
    }

    /// An entry id is a name people type and the bot's knowledge ids are (KB00012): letters,
    /// digits (any script), `-`, `_`, `.`, at most 64 characters; never a path (`/`, `..`) or a
    /// control character. Nil when the id is fine.
    public static func idProblem(_ id: String) -> String? {
        let ok = id.count <= 64 && id != "." && id != ".." && !id.hasPrefix(".") && id.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_" || $0 == "."
        }
        return ok ? nil : "条目ID「\(VisibleText.singleLine(String(id.prefix(40))))」只能由字母、数字、- _ . 组成（最多 64 个字符，不以 . 开头）(entry ids: letters, digits, - _ . only)"
    }

    // MARK: the text a person edits in $EDITOR

    static let similarMarker = "【相似问】（每行一条）"
    static let answerMarker = "【答案】（到文件末尾）"

    /// The entry as a text file to edit, like git's commit message: `#` lines are notes.
    public func editableText(notes: [String] = []) -> String {
        var out = notes.map { "# " + $0 }
        out.append("# 知识条目 \(id.isEmpty ? "（新建）" : id)\(version > 0 ? "，当前版本 \(version)" : "")。以 # 开头的行是说明，保存时忽略。")
        out.append("# 字段名不要改；日期写成 2025-01-01，失效日期可留空；状态：草稿 / 生效 / 停用。")
        out.append("# 区域：全市、海安市、海门区、启东市、如皋市、如东县、通州区。保存并退出编辑器即生成新版本；清空整个文件则放弃。")
        out.append("# 机器人知识ID：机器人日志里「命中知识」的编号（如 KB00790），本条目回答的那些，空格分隔；可留空。")
        let v = fieldValues
        for (name, value) in zip(Self.fieldNames, v) where name != "相似问" && name != "答案" {
            out.append("\(name): \(value)")
        }
        out.append(Self.similarMarker)
        out += similarQuestions
        out.append(Self.answerMarker)
        out.append(answer)
        return out.joined(separator: "\n") + "\n"
    }

    /// Reads an edited text back onto this entry (id, version and bookkeeping kept). Throws with
    /// every reason the text cannot be read; nil when the user emptied the file (cancel).
    public func applyingEditedText(_ text: String) throws -> KnowledgeEntry? {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        if lines.allSatisfy({ $0.trimmed.isEmpty || $0.hasPrefix("#") }) { return nil }
        var fields: [String: String] = [:]
        var similar: [String] = []
        var answer: [Substring] = []
        var section = 0  // 0 fields, 1 similar questions, 2 answer
        var why: [String] = []
        for (n, line) in lines.enumerated() {
            if section == 2 { answer.append(line); continue }
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("【相似问】") { section = 1; continue }
            if line.hasPrefix("【答案】") { section = 2; continue }
            if section == 1 {
                let q = line.trimmed
                if !q.isEmpty { similar.append(q) }
                continue
            }
            guard !line.trimmed.isEmpty else { continue }
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            let alt = line.split(separator: "：", maxSplits: 1).map(String.init)
            let (key, value) = parts.count == 2 && (alt.count < 2 || parts[0].count <= alt[0].count)
                ? (parts[0].trimmed, parts[1].trimmed) : alt.count == 2 ? (alt[0].trimmed, alt[1].trimmed) : (line.trimmed, "")
            guard Self.fieldNames.contains(key) else {
                why.append("第 \(n + 1) 行：不认识的字段「\(key)」")
                continue
            }
            fields[key] = value
        }
        if section < 2 { why.append("缺少「【答案】」一行（答案写在它之后）") }
        var e = self
        func field(_ k: String) -> String? { fields[k].map { $0.trimmed } }
        if let v = field("区域") { e.region = v }
        if let v = field("一级业务类型") { e.biz1 = v.isEmpty ? nil : v }
        if let v = field("二级业务类型") { e.biz2 = v.isEmpty ? nil : v }
        if let v = field("主题") { e.topic = v }
        if let v = field("标准问") { e.standardQuestion = v }
        if let v = field("政策依据") { e.policyBasis = v }
        if let v = field("生效日期") {
            if let d = ShanghaiTime.parseDay(v) { e.effectiveFrom = d } else { why.append("生效日期「\(v)」无法识别（写成 2025-01-01）") }
        }
        if let v = field("失效日期") {
            if v.isEmpty { e.effectiveTo = nil } else if let d = ShanghaiTime.parseDay(v) { e.effectiveTo = d }
            else { why.append("失效日期「\(v)」无法识别（写成 2025-12-31，或留空）") }
        }
        if let v = field("状态") {
            if let s = State(parsing: v) { e.state = s } else { why.append("状态「\(v)」无法识别（草稿 / 生效 / 停用）") }
        }
        if let v = field(Self.botIdField) { e.botIds = Self.parseBotIds(v) }
        e.similarQuestions = similar
        // The answer keeps its inner blank lines; only the edges are trimmed.
        e.answer = answer.joined(separator: "\n").trimmed
        if !why.isEmpty { throw KnowledgeValidationError(reasons: why) }
        return e
    }

    /// What changed between two versions, field by field; long texts as +/- lines.
    public static func diff(_ a: KnowledgeEntry, _ b: KnowledgeEntry) -> [String] {
        var out: [String] = []
        for (name, (x, y)) in zip(fieldNames, zip(a.fieldValues, b.fieldValues)) where x != y {
            if name == "答案" || name == "相似问" {
                out.append("\(name):")
                out += LineDiff.lines(x.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                                      y.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                    .map { "  " + $0 }
            } else {
                out.append("\(name): \(x.isEmpty ? "（空）" : x) → \(y.isEmpty ? "（空）" : y)")
            }
        }
        return out
    }
}

/// A line diff by longest common subsequence (entries are short: O(n·m) is fine).
enum LineDiff {
    static func lines(_ a: [String], _ b: [String]) -> [String] {
        let n = a.count, m = b.count
        var l = Array(repeating: Array(repeating: 0, count: m + 1), count: n + 1)
        for i in stride(from: n - 1, through: 0, by: -1) {
            for j in stride(from: m - 1, through: 0, by: -1) {
                l[i][j] = a[i] == b[j] ? l[i + 1][j + 1] + 1 : max(l[i + 1][j], l[i][j + 1])
            }
        }
        var out: [String] = []
        var i = 0, j = 0
        while i < n || j < m {
            if i < n, j < m, a[i] == b[j] { i += 1; j += 1; continue }
            // Removals before additions, as diff(1) shows a changed line.
            if i < n, j == m || l[i + 1][j] >= l[i][j + 1] { out.append("- " + a[i]); i += 1 }
            else { out.append("+ " + b[j]); j += 1 }
        }
        return out
    }
}
