import Crypto
import Foundation

public enum ExportFormat: String, CaseIterable, Sendable {
    case xlsx, csv, jsonl
}

public struct ExportSummary: Sendable {
    public let file: String
    public let rows: Int
    public let seconds: Double
    /// XLSX: how many 问答结果(续N) columns long answers needed.
    public let continuationColumns: Int
    /// Personal data the last check found unmasked in the written texts, and masked there.
    public let maskedAtExport: Int
    /// The file's SHA-256 as written (nil for a pipe, a terminal or standard output).
    public let sha256: String?
}

/// Counted from the reader thread and this one.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { guard k > 0 else { return }; lock.lock(); n += k; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// Exports the records a filter selects, newest first, in pages (memory stays flat). Every format
/// writes the stored text, every character of it (control characters too: CSV and JSONL carry
/// them, XLSX as `_xHHHH_`), and, per record, its length and SHA-256, so nothing can be cut or
/// changed without it showing. Screens show the same text with controls made visible (`RecordText`).
public enum RecordExporter {
    /// `describe`: the filter in words for the XLSX summary sheet (label, value). `path` is checked
    /// first (`OutputFile`): an existing file is replaced only with `overwrite`.
    public static func export(
        store: any RecordStore, filter: RecordFilter, format: ExportFormat, path: String, overwrite: Bool = false,
        describe: [(String, String)] = [], rules: HitRules? = nil, by: String = "", progress: ((Int, Int) -> Void)? = nil
    ) throws -> ExportSummary {
        let started = Date()
        // The last check (issue 18): every question and answer written goes through the masking
        // rules once more, so text stored before a rule existed leaves the building masked.
        let masked = LockedCounter()
        @Sendable func checked(_ r: InteractionRecord) -> InteractionRecord {
            let m = Masking.maskCounting(question: r.question, answer: r.answer)
            guard m.count > 0 else { return r }
            masked.add(m.count)
            var copy = r
            copy.question = m.question
            copy.answer = m.answer
            return copy
        }
        let output = try OutputFile(path, overwrite: overwrite)
        var rows = 0
        var continuations = 0
        var written: () -> Int64 = { 0 }
        do {
            let total = try store.count(filter)
            let partial = output.workPath
            /// Two threads: a second one reads and decodes the pages and makes a third of the rows'
            /// cells (escape, count, hash); this one makes the rest and writes. Measured at 1,000,000
            /// rows: the reader alone on its thread was 74% of the CPU, so it takes only part of the
            /// cell work (CSV export 17.3 s on one thread).
            func eachRow(_ make: @escaping @Sendable (InteractionRecord) throws -> [ExportCell],
                         _ write: ([ExportCell]) throws -> Void) throws {
                let channel = BatchChannel<Result<[PageReader.Item], Error>>(capacity: 4)
                let reader = PageReader(store: store, filter: filter)
                let done = DispatchSemaphore(value: 0)
                let thread = Thread {
                    reader.run(into: channel, make: make)
                    done.signal()
                }
                thread.start()
                defer {
                    channel.cancel()
                    done.wait()
                }
                while let batch = channel.receive() {
                    for item in try batch.get() {
                        switch item {
                        case .made(let cells): try write(cells)
                        case .record(let r): try write(try make(r))
                        }
                        rows += 1
                    }
                    progress?(rows, total)
                }
            }
            switch format {
            case .csv:
                let w = try CSVWriter(path: partial)
                written = { Int64(w.bytesWritten) }
                try w.writeRow(ExportColumns.headers())
                let hitRules = rules ?? .defaultPhrases
                try eachRow({ r in let r = checked(r); return ExportColumns.cells(r, answer: r.answer, answerParts: [r.answer], rules: hitRules) },
                            { cells in try w.writeRow(cells.map(\.csvText)) })
                try w.close()
            case .jsonl:
                let w = try CSVWriter(path: partial, bom: false)
                written = { Int64(w.bytesWritten) }
                try eachRow({ r in let r = checked(r); return [.text(RecordJSON.line(r, proof: (RecordText.count(r.answer), ExportColumns.sha256(r.answer))))] },
                            { cells in try w.writeLine(cells[0].csvText) })
                try w.close()
            case .xlsx:
                let longest = try store.longestAnswer(filter, atLeast: ExportColumns.cellLimit + 1, shown: { $0 })
                continuations = max(0, (longest + ExportColumns.cellLimit - 1) / ExportColumns.cellLimit - 1)
                let x = try XLSXWriter(path: partial)
                written = { x.bytesWritten }
                let headers = ExportColumns.headers(continuations: continuations)
                let widths: [String: Double] = [
                    "记录ID": 22, "会话ID": 18, "轮次": 6, "提问时间": 20, "渠道": 12, "组织机构": 14, "用户问题": 40,
                    ExportColumns.answerHeader: 80, "标准问": 30, "备注": 30, ExportColumns.hashHeader: 66,
                ]
                let columns = headers.map { h in
                    XLSXWriter.Column(width: widths[h] ?? (h.hasPrefix("问答结果(续") ? 60 : 14),
                                      wrap: h == "用户问题" || h == ExportColumns.answerHeader || h.hasPrefix("问答结果(续"))
                }
                try x.beginSheet("问答标注", columns: columns, header: headers)
                let columnsForAnswer = continuations + 1
                try eachRow({ r in
                    let r = checked(r)
                    let answer = r.answer
                    guard r.question.utf16.count <= ExportColumns.cellLimit else {
                        throw ExportError(file: path, reason: "记录 \(r.id) 的用户问题超过 Excel 单元格上限 32,767 字，未导出 (question longer than Excel's cell limit)")
                    }
                    var parts = ExportColumns.split(answer)
                    parts += Array(repeating: "", count: columnsForAnswer - parts.count)
                    return ExportColumns.cells(r, answer: answer, answerParts: parts, rules: rules ?? .defaultPhrases)
                }, { cells in try x.row(cells) })
                try x.beginSheet("筛选与汇总", columns: [.init(width: 24), .init(width: 60)], header: ["项目", "内容"])
                for (k, v) in summary(store: store, filter: filter, describe: describe, rules: rules, rows: rows) + [("导出时遮盖的个人信息", String(masked.value))] {
                    try x.row([.text(k), .text(v)])
                }
                try x.finish()
            }
            try output.commit()
        } catch {
            // The folder removed; a full disk said in one line with how much was written.
            throw output.failed(error, rows: rows, written: written())
        }
        let hash = output.kind == .stream ? nil : try fileSHA256(path)
        // Every export is logged: who, when, which filter, how many rows, where, the file's hash.
        let words = describe.isEmpty ? "全部" : describe.map { "\($0.0)=\($0.1)" }.joined(separator: "；")
        try store.logExport(ExportLogEntry(by: by, at: Int64(Date().timeIntervalSince1970), filter: words, format: format.rawValue,
                                           rows: rows, file: path, sha256: hash, masked: masked.value))
        return ExportSummary(file: path, rows: rows, seconds: Date().timeIntervalSince(started),
                             continuationColumns: continuations, maskedAtExport: masked.value, sha256: hash)
    }

    /// SHA-256 of a file, read in 1 MB pieces.
    public static func fileSHA256(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw ExportError(file: path, reason: "无法读回文件以计算 SHA-256 (cannot read the file back)") }
        defer { try? h.close() }
        var hasher = SHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The second sheet: when, which filter, and the figures of what was exported.
    static func summary(store: any RecordStore, filter: RecordFilter, describe: [(String, String)], rules: HitRules?,
                        rows: Int) -> [(String, String)] {
        var out: [(String, String)] = [("导出时间", ShanghaiTime.format(Int64(Date().timeIntervalSince1970))),
                                       ("数据库", store.location)]
        out += describe.isEmpty ? [("筛选条件", "全部")] : describe
        out.append(("记录数", String(rows)))
        if let rules, let t = try? store.tallies(filter.statisticsScope, rules: rules).total {
            if filter.status != nil || filter.label != nil {
                out.append(("统计口径", "下列指标按筛选的机构、时间、业务类型与文本计算，不含状态与标注条件（与审核界面的实时统计相同）"))
            }
            func f(_ r: Ratio) -> String { "\(r.percentText)（\(r.numerator)/\(r.denominator)）" + (r.isReliable ? "" : " 样本不足 n<20") }
            out += [
                ("准确率", f(t.accuracy)), ("准确率(全口径)", f(t.accuracyAll)),
                ("命中率", f(t.hitRate) + (t.judgedByTemplate > 0 ? "，其中 \(t.judgedByTemplate) 条按兜底话术判断" : "")),
                ("知识覆盖率", f(t.knowledgeCoverage)), ("非人社占比", f(t.outOfScopeShare)), ("标注率", f(t.labelRate)),
                ("闲聊/无效（不计入指标）", String(t.smallTalk)),
            ]
            for l in Label.allCases { out.append((l.chineseName, String(t.count(l)))) }
        }
        out.append(("说明", "问答结果为存储的原文，每个字符都在（控制字符在 XLSX 中写作 _xHHHH_，Excel/WPS 读作原字符）；超过 32,767 字的回答续写在 问答结果(续N) 列。问答结果字符数按 Unicode 码位计，SHA256 按 UTF-8 计算。导出前再按个人信息规则检查一遍。"))
        return out
    }
}

extension RecordFilter {
    /// The filter in words, for the export's summary sheet and default file names.
    public var describedPairs: [(String, String)] {
        var out: [(String, String)] = []
        if !orgs.isEmpty { out.append(("组织机构", orgs.joined(separator: "、"))) }
        if fromDay != nil || toDay != nil {
            out.append(("时间周期", "\(fromDay.map(ShanghaiTime.formatDate) ?? "…") 至 \(toDay.map(ShanghaiTime.formatDate) ?? "…")"))
        }
        if let status { out.append(("状态", status.chineseName)) }
        if let label { out.append(("标注", label.chineseName)) }
        if let biz1 { out.append(("业务类型", biz2.map { "\(biz1)/\($0)" } ?? biz1)) }
        if let text { out.append(("文本", text)) }
        if let topic { out.append(("热点问题", topic.title)) }
        return out
    }

    /// `问答标注_2025-12-01_2025-12-31.xlsx`, or with today's date when the period is open.
    /// `问答标注_如皋市_2025-12-01_2025-12-31_未标注_失业金.xlsx`: organisations, period, status,
    /// label and search, so a folder of exports says what each one holds (issue 16, point 7).
    public func defaultExportName(format: ExportFormat, today: Int64) -> String {
        let from = fromDay.map(ShanghaiTime.formatDate)
        let to = (toDay ?? (fromDay == nil ? nil : today)).map(ShanghaiTime.formatDate)
        let period = [from, to].compactMap { $0 }.joined(separator: "_")
        var parts = ["问答标注"]
        if !orgs.isEmpty { parts.append(orgs.prefix(3).joined(separator: "+") + (orgs.count > 3 ? "等" : "")) }
        parts.append(period.isEmpty ? ShanghaiTime.formatDate(today) : period)
        if let status { parts.append(status.chineseName) }
        if let label { parts.append(label.chineseName) }
        if let biz1 { parts.append(biz2 ?? biz1) }
        if let text { parts.append(String(text.prefix(12))) }
        // Only what a file name may hold everywhere: no / \ : * ? " < > | or control characters.
        let name = parts.joined(separator: "_").unicodeScalars.map { u -> String in
            "/\\:*?\"<>|".unicodeScalars.contains(u) || u.value < 0x20 || u == " " ? "-" : String(u)
        }.joined()
        return "\(name).\(format.rawValue)"
    }
}

/// Reads a filter's records page by page on the exporter's second thread and hands rows of cells
/// over in batches. The store is used by this thread alone while the export runs.
final class PageReader: @unchecked Sendable {
    let store: any RecordStore
    let filter: RecordFilter

    init(store: any RecordStore, filter: RecordFilter) {
        self.store = store
        self.filter = filter
    }

    enum Item {
        case made([ExportCell])
        case record(InteractionRecord)
    }

    func run(into channel: BatchChannel<Result<[Item], Error>>,
             make: (InteractionRecord) throws -> [ExportCell]) {
        defer { channel.close() }
        do {
            var cursor: PageCursor?
            repeat {
                let page = try store.page(filter, after: cursor, limit: 1000)
                let batch = try page.records.enumerated().map { i, r in i % 3 == 0 ? Item.made(try make(r)) : .record(r) }
                guard channel.send(.success(batch)) else { return }
                cursor = page.next
            } while cursor != nil
        } catch {
            _ = channel.send(.failure(error))
        }
    }
}
