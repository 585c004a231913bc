import Crypto
import Foundation

/// Why a row was left out, with where it was, so a person can find and fix it.
public struct RowProblem: Error, Equatable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let field: String?
    public let reason: String

    public init(file: String, line: Int, field: String?, reason: String) {
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
    }

    public var description: String {
        "\(file):\(line): " + (field.map { "[\($0)] " } ?? "") + reason
    }
}

/// Turns a raw row into a record: checks the required fields, parses times, normalises
/// organisations, splits a combined business type, and masks personal data. Pure, so a row gives
/// the same record (and the same generated id) every time it is imported.
public struct RowNormaliser: Sendable {
    public let reference: ReferenceData
    /// Off only for `workbench bench`, to measure what masking adds to an import's wall time
    /// (package access: no command or screen can turn it off).
    package var masks = true
    /// The importer's: masking, and the id made from the content of a log without ids, are left
    /// to `finish`, which the inserting thread runs (the parsing thread is the slower one: masking
    /// there added 0.93 s = 13.6% to a 1,000,000-row import; see decisions.md).
    var masksLater = false

    public init(reference: ReferenceData) {
        self.reference = reference
    }

    /// Limits of what one field may hold; beyond this a row is almost surely a broken quote that
    /// swallowed the rest of the file.
    public static let maxFieldBytes = ImportLimits.fieldBytes

    public func record(from raw: RawLogRow, file: String, line: Int) -> Result<InteractionRecord, RowProblem> {
        func problem(_ f: LogField?, _ reason: String) -> Result<InteractionRecord, RowProblem> {
            .failure(RowProblem(file: file, line: line, field: f?.displayName, reason: reason))
        }
        func text(_ f: LogField) -> String? {
            guard let v = raw[f] else { return nil }
            let t = v.trimmed
            return t.isEmpty ? nil : t
        }

        guard let q = raw[.question], !q.trimmed.isEmpty else {
            return problem(.question, "用户问题为空 (missing question)")
        }
        for f in LogField.allCases where (raw[f]?.utf8.count ?? 0) > Self.maxFieldBytes {
            return problem(f, "字段超过 1 MB，可能是引号未闭合 (field over 1 MB: an unclosed quote?)")
        }
        // SQLite's text stops at U+0000 (GRDB reads a C string): kept, it would cut the text there.
        for f in LogField.allCases where raw[f].map(Self.holdsNUL) == true {
            return problem(f, "含 NUL 字符 (U+0000)，保存会截断文本，请先从文件中删除 (a NUL character: storing it would cut the text)")
        }
        guard let timeText = text(.askedAt) else {
            return problem(.askedAt, "提问时间为空 (missing time)")
        }
        guard let askedAt = ShanghaiTime.parse(timeText) else {
            return problem(.askedAt, "无法识别的时间「\(timeText.prefix(40))」(unparseable date; expected e.g. 2025-12-01 09:15:33)")
        }

        var label: Label?
        // An export writes 未标注 (or a dash) where there is no label yet.
        if let l = text(.label), !["未标注", "-", "—", "无", "unlabeled"].contains(l) {
            guard let parsed = Label(parsing: l) else {
                return problem(.label, "未知标注「\(l.prefix(20))」(unknown label; use 业务缺失/理解错误/回答正确/非人社职能)")
            }
            label = parsed
        }
        var status: ReviewStatus? = text(.status).flatMap(ReviewStatus.init(parsing:))
        if label == nil { status = .unlabeled } else if status == nil || status == .unlabeled { status = .labeled }

        var biz1 = text(.biz1)
        var biz2 = text(.biz2)
        if biz1 == nil, let combined = text(.bizCombined) {
            (biz1, biz2) = Self.splitBusinessType(combined)
        }

        let (question, answer) = masks && !masksLater ? Masking.mask(question: q, answer: raw[.answer] ?? "") : (q, raw[.answer] ?? "")
        let org = reference.organisations.normalise(raw[.org] ?? "")
        let sessionId = text(.sessionId)
        let turn = text(.turn).flatMap { Int($0.filter(\.isNumber)) }

        var logId: String?
        if let idText = text(.recordId) {
            switch Self.cleanRecordId(idText) {
            case .success(let v): logId = v
            case .failure(let p): return problem(.recordId, p.reason)
            }
        }
        // Empty: made by `finish` from the masked texts.
        let id = logId ?? (masks && masksLater ? "" : Self.contentId(sessionId: sessionId, turn: turn, askedAt: askedAt, org: org,
                                                                      question: question, answer: answer))
        return .success(InteractionRecord(
            id: id, sessionId: sessionId, turn: turn, askedAt: askedAt, channel: text(.channel), org: org,
            question: question, answer: answer, knowledgeId: text(.knowledgeId),
            standardQuestion: text(.standardQuestion), fallback: text(.fallback).flatMap(Self.parseBool),
            hitFlag: text(.hitFlag).flatMap(Self.parseBool), biz1: biz1, biz2: biz2,
            correctedBiz1: text(.correctedBiz1), correctedBiz2: text(.correctedBiz2),
            satisfaction: text(.satisfaction), label: label, status: status, reviewer: text(.reviewer),
            labeledAt: text(.labeledAt).flatMap(ShanghaiTime.parse), reviewedBy: text(.reviewedBy),
            reviewedAt: text(.reviewedAt).flatMap(ShanghaiTime.parse), note: raw[.note].flatMap { $0.isEmpty ? nil : $0 }))
    }

    /// What `masksLater` left to do: the texts masked and, for a log without ids, the id made from
    /// the masked content — the record `record(from:)` gives without `masksLater`.
    func finish(_ r: inout InteractionRecord) {
        guard masks && masksLater else { return }
        (r.question, r.answer) = Masking.mask(question: r.question, answer: r.answer)
        if r.id.isEmpty {
            r.id = Self.contentId(sessionId: r.sessionId, turn: r.turn, askedAt: r.askedAt, org: r.org, question: r.question, answer: r.answer)
        }
    }

    /// Whether a field is absent or only spaces: what `record(from:)` takes for "no 记录ID".
    static func isBlank(_ s: String?) -> Bool {
        guard let s else { return true }
        return s.unicodeScalars.allSatisfy(String.isTrimmable)
    }

    /// memchr over the UTF-8 (a byte loop over every field was ~1 s of a 1,000,000-row import).
    static func holdsNUL(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { u in u.count > 0 && memchr(u.baseAddress!, 0, u.count) != nil }
    }

    struct IdProblem: Error { let reason: String }

    /// Undoes what spreadsheets do to long numeric IDs: `="320682…"` and a leading `'` (written to
    /// keep Excel from turning the ID into a number) are unwrapped; an ID Excel already turned into
    /// `3.20682E+17` has lost its digits and cannot identify a record, so the row is refused.
    static func cleanRecordId(_ raw: String) -> Result<String, IdProblem> {
        var s = Substring(raw)
        if s.hasPrefix("=\""), s.hasSuffix("\""), s.count >= 3 { s = s.dropFirst(2).dropLast() }
        if s.hasPrefix("'") { s = s.dropFirst() }
        let t = String(s).trimmed
        // The regex only for IDs with an E in them: it costs microseconds, and runs per row.
        if t.utf8.contains(where: { $0 == 0x45 || $0 == 0x65 }),
           t.range(of: #"^[0-9](\.[0-9]+)?[eE]\+?[0-9]+$"#, options: .regularExpression) != nil {
            return .failure(IdProblem(reason: "记录ID「\(t)」已被 Excel 改成科学计数法，原编号已丢失；请从源系统重新导出 (ID mangled into scientific notation)"))
        }
        return t.isEmpty ? .failure(IdProblem(reason: "记录ID为空 (empty ID)")) : .success(t)
    }

    /// `社会保险/缴费基数与费率` (also with `／`, `-`, `>`, `|`) → level 1 and level 2.
    public static func splitBusinessType(_ s: String) -> (String?, String?) {
        let separators: Set<Character> = ["/", "／", ">", "＞", "|", "｜", "-", "—", "\\"]
        guard let i = s.firstIndex(where: { separators.contains($0) }) else { return (s, nil) }
        let a = s[..<i].trimmed
        let b = s[s.index(after: i)...].trimmed
        return (a.isEmpty ? nil : a, b.isEmpty ? nil : b)
    }

    static func parseBool(_ s: String) -> Bool? {
        // The usual values first, without lowercasing (an allocation per row and field).
        switch s {
        case "是", "1": return true
        case "否", "0": return false
        default: break
        }
        switch s.lowercased() {
        case "true", "y", "yes", "兜底", "命中", "t": return true
        case "false", "n", "no", "未兜底", "未命中", "f": return false
        default: return nil
        }
    }

    /// An id for a log without one: a hash of what identifies the exchange, so importing the same
    /// export again (or an overlapping one) finds the record instead of adding it twice.
    public static func contentId(sessionId: String?, turn: Int?, askedAt: Int64, org: String, question: String,
                                 answer: String) -> String {
        var h = SHA256()
        for part in [sessionId ?? "", turn.map(String.init) ?? "", String(askedAt), org, question, answer] {
            h.update(data: Array(part.utf8))
            h.update(data: [0x1F])
        }
        let digest = h.finalize()
        return "h" + digest.prefix(10).map { String(format: "%02x", $0) }.joined()
    }
}
