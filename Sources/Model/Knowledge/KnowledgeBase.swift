import Foundation

/// The knowledge base as the commands and the app use it: validated saves, the matcher, imports
/// and exports of the bureau's table (Chinese column names, domain.md §4).
public final class KnowledgeBase {
    public let store: any KnowledgeStore
    public let reference: ReferenceData

    public init(store: any KnowledgeStore, reference: ReferenceData) {
        self.store = store
        self.reference = reference
    }

    /// Validates, then saves a new version. Retiring is allowed whatever the text says.
    @discardableResult
    public func save(_ e: KnowledgeEntry, action: KnowledgeVersion.Action, by: String, at: Int64) throws -> KnowledgeEntry? {
        if action != .retire { try validate(e) }
        return try store.saveKnowledge(e, action: action, by: by, at: at)
    }

    /// Everything that keeps an entry from being saved: its own fields against the reference
    /// data, and bot ids another entry carries already.
    public func validate(_ e: KnowledgeEntry) throws {
        var reasons: [String] = []
        do { try e.validate(reference: reference) } catch let err as KnowledgeValidationError { reasons = err.reasons }
        if !e.botIds.isEmpty { reasons += Self.botIdConflicts(e, owners: Self.botIdOwners(try store.knowledgeEntries())) }
        if !reasons.isEmpty { throw KnowledgeValidationError(reasons: reasons) }
    }

    /// Which entry (not retired) carries each bot knowledge id.
    static func botIdOwners(_ entries: [KnowledgeEntry]) -> [String: String] {
        var out: [String: String] = [:]
        for e in entries where e.state != .retired {
            for b in e.botIds where out[b] == nil { out[b] = e.id }
        }
        return out
    }

    /// A bot id answers for one entry: the reasons `e` cannot take the ids another entry has.
    static func botIdConflicts(_ e: KnowledgeEntry, owners: [String: String]) -> [String] {
        guard e.state != .retired else { return [] }
        return e.botIds.compactMap { b in
            owners[b].flatMap { $0 == e.id ? nil : "\(KnowledgeEntry.botIdField) \(b) 已属于 \($0)" }
        }
    }

    public func retire(id: String, by: String, at: Int64) throws -> KnowledgeEntry? {
        guard var e = try store.knowledgeEntry(id: id) else { throw KnowledgeError.noEntry(id) }
        e.state = .retired
        return try save(e, action: .retire, by: by, at: at)
    }

    public func setDates(id: String, from: Int64, to: Int64?, by: String, at: Int64) throws -> KnowledgeEntry? {
        guard var e = try store.knowledgeEntry(id: id) else { throw KnowledgeError.noEntry(id) }
        e.effectiveFrom = from
        e.effectiveTo = to
        return try save(e, action: .dates, by: by, at: at)
    }

    /// Marks an entry as checked today (a version of its own, so the history says who checked).
    public func markReviewed(id: String, by: String, at: Int64) throws -> KnowledgeEntry? {
        guard let e = try store.knowledgeEntry(id: id) else { throw KnowledgeError.noEntry(id) }
        return try save(e, action: .review, by: by, at: at)
    }

    public func matcher(synonyms: Bool = true) throws -> KnowledgeMatcher {
        KnowledgeMatcher(entries: try store.knowledgeEntries(), organisations: reference.organisations,
                         synonyms: synonyms ? reference.synonyms : Synonyms())
    }

    // MARK: files

    public struct ImportSummary: Sendable {
        public var created = 0
        public var updated = 0
        public var unchanged = 0
        public var problems: [String] = []
    }

    static let englishKeys = ["region", "biz1", "biz2", "topic", "standardQuestion", "similarQuestions", "answer",
                              "policyBasis", "effectiveFrom", "effectiveTo", "state", "botIds"]
    static let aliases: [String: String] = [
        "区县": "区域", "地区": "区域", "适用区域": "区域", "一级业务": "一级业务类型", "二级业务": "二级业务类型", "标准问题": "标准问",
        "相似问题": "相似问", "回答": "答案", "答复": "答案", "依据": "政策依据", "文件依据": "政策依据", "生效时间": "生效日期",
        "失效时间": "失效日期", "截止日期": "失效日期", "编号": "条目ID", "ID": "条目ID", "id": "条目ID",
        "机器人知识编号": KnowledgeEntry.botIdField, "机器人ID": KnowledgeEntry.botIdField, "命中知识ID": KnowledgeEntry.botIdField,
        "对应知识ID": KnowledgeEntry.botIdField, "机器人知识id": KnowledgeEntry.botIdField,
    ]

    /// Reads a CSV (UTF-8, UTF-8 BOM, GB18030), XLSX or JSONL table of entries. A row matches an
    /// existing entry by 条目ID when given, else by (主题, 区域); a changed one gets a new version.
    /// Bad rows are reported by row number and field and left out; the rest are saved together.
    public func importFile(_ path: String, by: String, at: Int64) throws -> ImportSummary {
        let rows = try Self.readTable(path)
        var summary = ImportSummary()
        var existing = Dictionary(try store.knowledgeEntries().map { ($0.id, $0) }) { a, _ in a }
        var byTopicRegion: [String: String] = [:]
        for e in existing.values { byTopicRegion[e.topic + "\u{1}" + e.region] = e.id }
        var botOwners = Self.botIdOwners(Array(existing.values))
        var batch: [(KnowledgeEntry, KnowledgeVersion.Action)] = []
        for (line, values) in rows {
            func v(_ k: String) -> String? { values[k].map { $0.trimmed } }
            var problems: [String] = []
            // 全市 or one of the six, by full or short name (如皋 → 如皋市); anything else is refused.
            let regions = reference.organisations.kbRegions
            let written = v("区域") ?? ""
            let region = regions.contains(written) ? written
                : (regions.contains(reference.organisations.normalise(written)) ? reference.organisations.normalise(written) : written)
            let from = v("生效日期").flatMap { $0.isEmpty ? nil : $0 }
            let fromDay = from.flatMap(ShanghaiTime.parseDay)
            if from != nil, fromDay == nil { problems.append("生效日期「\(from!)」无法识别") }
            let to = v("失效日期").flatMap { $0.isEmpty ? nil : $0 }
            let toDay = to.flatMap(ShanghaiTime.parseDay)
            if to != nil, toDay == nil { problems.append("失效日期「\(to!)」无法识别") }
            let stateText = v("状态") ?? ""
            let state = stateText.isEmpty ? KnowledgeEntry.State.active : KnowledgeEntry.State(parsing: stateText)
            if state == nil { problems.append("状态「\(stateText)」无法识别（草稿/生效/停用）") }
            let similar = (values["相似问"] ?? "").split(whereSeparator: { "\n|；;".contains($0) }).map { $0.trimmed }.filter { !$0.isEmpty }
            var e = KnowledgeEntry(
                topic: v("主题") ?? "", region: v("区域").map { _ in region } ?? "", biz1: v("一级业务类型").flatMap { $0.isEmpty ? nil : $0 },
                biz2: v("二级业务类型").flatMap { $0.isEmpty ? nil : $0 }, standardQuestion: v("标准问") ?? "",
                similarQuestions: similar, answer: values["答案"]?.trimmed ?? "", policyBasis: v("政策依据") ?? "",
                effectiveFrom: fromDay ?? ShanghaiTime.startOfDay(at), effectiveTo: toDay, state: state ?? .active)
            if written.isEmpty { problems.append("区域为空") }
            if let id = v("条目ID"), !id.isEmpty { e.id = id }
            let botColumn = values[KnowledgeEntry.botIdField]
            if let b = botColumn { e.botIds = KnowledgeEntry.parseBotIds(b) }
            do { try e.validate(reference: reference) } catch let err as KnowledgeValidationError {
                problems += err.reasons.filter { !problems.contains($0) }
            }
            if !problems.isEmpty {
                summary.problems.append("第 \(line) 行：" + problems.joined(separator: "；"))
                continue
            }
            if e.id.isEmpty, let id = byTopicRegion[e.topic + "\u{1}" + e.region] {
                e.id = id
            }
            // A file without the column (an older export) keeps the ids an entry has.
            if botColumn == nil, let old = existing[e.id] { e.botIds = old.botIds }
            // A new entry's id is made when saved: its bot ids are checked against the others by a
            // name of its own meanwhile.
            let owner = e.id.isEmpty ? "第 \(line) 行" : e.id
            var mine = e
            mine.id = owner
            let taken = Self.botIdConflicts(mine, owners: botOwners)
            if !taken.isEmpty {
                summary.problems.append("第 \(line) 行：" + taken.joined(separator: "；"))
                continue
            }
            if let old = existing[e.id] {
                for b in old.botIds where botOwners[b] == old.id { botOwners[b] = nil }
            }
            if e.state != .retired { for b in e.botIds { botOwners[b] = owner } }
            if let old = existing[e.id] {
                e.version = old.version
                e.lastReviewedAt = old.lastReviewedAt
                if old.fieldValues == e.fieldValues { summary.unchanged += 1; continue }
                summary.updated += 1
            } else {
                summary.created += 1
            }
            batch.append((e, .import))
            if !e.id.isEmpty { existing[e.id] = e }
        }
        // One transaction: a file is either saved whole (its valid rows) or not at all.
        let saved = try store.saveKnowledge(batch, by: by, at: at)
        for s in saved.compactMap({ $0 }) { byTopicRegion[s.topic + "\u{1}" + s.region] = s.id }
        return summary
    }

    /// The table's rows as (row number, Chinese column name → text).
    /// `required`: column names that must be present (any one of each inner list).
    static func readTable(_ path: String, required: [[String]] = [["答案"], ["主题", "标准问"]]) throws -> [(Int, [String: String])] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(file: path, reason: "无法读取文件 (cannot read the file)")
        }
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "xlsx" {
            let reader = try XLSXTableReader(path: path)
            return try reader.rows()
        }
        if ext == "jsonl" || ext == "json" {
            var out: [(Int, [String: String])] = []
            for (n, line) in data.split(separator: 0x0A).enumerated() where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
                guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                    throw FileError(file: path, reason: "第 \(n + 1) 行不是 JSON 对象 (line \(n + 1) is not a JSON object)")
                }
                var row: [String: String] = [:]
                for (k, value) in o {
                    let key = englishKeys.firstIndex(of: k).map { KnowledgeEntry.fieldNames[$0] } ?? (k == "id" ? "条目ID" : (aliases[k] ?? k))
                    if let a = value as? [Any] { row[key] = a.map { "\($0)" }.joined(separator: "\n") }
                    else if !(value is NSNull) { row[key] = "\(value)" }
                }
                out.append((n + 1, row))
            }
            return out
        }
        var bytes = [UInt8](data)
        var source: ByteSource = MemoryByteSource(bytes)
        switch EncodingDetector.detect(bytes, isWholeFile: true) {
        case .refuse(let why): throw FileError(file: path, reason: why)
        case .encoding(let enc):
            if let name = enc.iconvName { source = try IconvByteSource(MemoryByteSource(bytes), from: name, file: path) }
        }
        bytes = []
        let scanner = CSVScanner(source: source)
        try scanner.skipBOM()
        guard let header = try scanner.next() else { throw FileError(file: path, reason: "文件为空 (empty file)") }
        let names = header.fields.map { h -> String in let t = h.trimmed; return aliases[t] ?? t }
        for need in required where !need.contains(where: names.contains) {
            throw FileError(file: path, reason: "表头缺少「\(need.joined(separator: "」或「"))」(missing column): 表头为 \(names.joined(separator: ","))")
        }
        var out: [(Int, [String: String])] = []
        while let r = try scanner.next() {
            if r.fields.allSatisfy({ $0.trimmed.isEmpty }) { continue }
            var row: [String: String] = [:]
            for (i, f) in r.fields.enumerated() where i < names.count { row[names[i]] = FormulaGuard.restore(f) }
            out.append((r.line, row))
        }
        return out
    }

    public enum ExportFormat: String, CaseIterable, Sendable { case xlsx, csv, jsonl }

    /// Writes every entry's current version (the bureau's columns, plus id, version and dates of
    /// change) as XLSX, CSV (UTF-8 BOM) or JSONL, through `OutputFile` (an existing file is
    /// replaced only with `overwrite`).
    public func export(to path: String, format: ExportFormat, overwrite: Bool = false, entries: [KnowledgeEntry]? = nil) throws -> Int {
        let output = try OutputFile(path, overwrite: overwrite)
        let list = try entries ?? store.knowledgeEntries()
        let part = output.workPath
        let header = ["条目ID"] + KnowledgeEntry.fieldNames + ["版本", "修改人", "修改时间", "最近复查"]
        func cells(_ e: KnowledgeEntry) -> [String] {
            [e.id] + e.fieldValues + [String(e.version), e.updatedBy, ShanghaiTime.format(e.updatedAt),
                                      e.lastReviewedAt.map(ShanghaiTime.format) ?? ""]
        }
        do {
            switch format {
            case .xlsx:
                let w = try XLSXWriter(path: part)
                let widths: [Double] = [10, 8, 14, 18, 24, 36, 36, 60, 24, 12, 12, 6, 16, 6, 10, 18, 18]
                try w.beginSheet("知识库", columns: widths.enumerated().map { .init(width: $0.1, wrap: [5, 6, 7].contains($0.0)) },
                                 header: header)
                for e in list { try w.row(cells(e).map { .text($0) }) }
                try w.finish()
            case .csv:
                var out = "\u{FEFF}" + header.map(CSVWriter.field).joined(separator: ",") + "\r\n"
                for e in list { out += cells(e).map(CSVWriter.field).joined(separator: ",") + "\r\n" }
                try Data(out.utf8).write(to: URL(fileURLWithPath: part))
            case .jsonl:
                var out = ""
                for e in list {
                    var o: [String: Any] = ["id": e.id, "version": e.version, "updatedBy": e.updatedBy,
                                            "updatedAt": ShanghaiTime.format(e.updatedAt)]
                    for (k, value) in zip(Self.englishKeys, e.fieldValues) { o[k] = value }
                    o["similarQuestions"] = e.similarQuestions
                    o["botIds"] = e.botIds
                    o["effectiveTo"] = e.effectiveTo.map(ShanghaiTime.formatDate) ?? NSNull()
                    o["state"] = e.state.rawValue
                    o["lastReviewedAt"] = e.lastReviewedAt.map(ShanghaiTime.format) ?? NSNull()
                    let d = try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys, .withoutEscapingSlashes])
                    out += String(decoding: d, as: UTF8.self) + "\n"
                }
                try Data(out.utf8).write(to: URL(fileURLWithPath: part))
            }
            try output.commit()
        } catch {
            let said = output.failed(error)
            throw said is FileError ? said : FileError(file: path, reason: "\(error)")
        }
        return list.count
    }
}

public enum KnowledgeError: Error, CustomStringConvertible, Equatable {
    case noEntry(String)
    public var description: String {
        switch self {
        case .noEntry(let id): "没有这个知识条目 (no such entry): \(id)"
        }
    }
}

/// An XLSX sheet as a table of text: the first row with text is the header.
final class XLSXTableReader {
    let reader: XLSXLogReader
    let path: String
    init(path: String) throws {
        self.path = path
        reader = try XLSXLogReader(path: path, mapHeader: false)
    }

    func rows() throws -> [(Int, [String: String])] {
        var header: [String]?
        var out: [(Int, [String: String])] = []
        while let row = try reader.nextRow() {
            if header == nil {
                if row.cells.contains(where: { !$0.trimmed.isEmpty }) {
                    header = row.cells.map { KnowledgeBase.aliases[$0.trimmed] ?? $0.trimmed }
                }
                continue
            }
            if row.cells.allSatisfy({ $0.trimmed.isEmpty }) { continue }
            var r: [String: String] = [:]
            for (i, c) in row.cells.enumerated() where i < header!.count { r[header![i]] = c }
            out.append((row.number, r))
        }
        return out
    }
}
