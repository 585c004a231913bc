import ArgumentParser
import Foundation
import Model

/// `workbench kb …`: the regional knowledge base from the command line.
struct KnowledgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kb",
        abstract: "区域差异知识库 (the regional knowledge base): list, match, import, export, history, edit, eval.",
        subcommands: [KBList.self, KBMatch.self, KBImport.self, KBExport.self, KBHistory.self, KBEdit.self, KBEval.self]
    )
}

/// Opening the store and the knowledge base, shared by the subcommands.
struct KBOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions

    func open(create: Bool = false, writes: Bool = false) throws -> (any WorkbenchStore, KnowledgeBase) {
        let db = try store.openStore(create: create, writes: writes)
        return (db, KnowledgeBase(store: db, reference: try store.reference()))
    }
}

struct KBList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "列出知识条目 (list entries).")
    @OptionGroup var options: KBOptions
    @Option(help: "区域 (region): 全市 or a county, short names accepted.") var region: String?
    @Option(help: "业务类型 (business type): 一级 or 一级/二级.") var biz: String?
    @Option(help: "状态 (state): 草稿 | 生效 | 停用 (draft | active | retired).") var state: String?
    @Flag(help: "只列过期或久未复查的条目 (only stale entries).") var stale = false
    @Option(name: .customLong("stale-days"), help: "多少天未复查算过期 (days without review that make an entry stale).")
    var staleDays: Int = 180

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open()
            let today = ShanghaiTime.startOfDay(nowEpoch())
            var entries = try kb.store.knowledgeEntries()
            if let region {
                let r = try kbRegion(region, kb.reference)
                entries = entries.filter { $0.region == r }
            }
            if let biz {
                var f = RecordFilter()
                f.setBusinessType(biz)
                entries = entries.filter { $0.biz1 == f.biz1 && (f.biz2 == nil || $0.biz2 == f.biz2) }
            }
            if let state {
                guard let s = KnowledgeEntry.State(parsing: state) else { throw UserError("--state: 草稿 | 生效 | 停用 (got \(state))") }
                entries = entries.filter { $0.state == s }
            }
            if stale { entries = entries.filter { $0.isStale(today: today, days: staleDays) } }
            let table = TextTable(
                columns: [
                    .init(title: "条目ID", preferred: 8, minimum: 8), .init(title: "区域", preferred: 6, minimum: 6),
                    .init(title: "业务类型", preferred: 22, minimum: 8), .init(title: "状态", preferred: 4, minimum: 4),
                    .init(title: "生效", preferred: 10, minimum: 10), .init(title: "失效", preferred: 10, minimum: 6),
                    .init(title: "版本", preferred: 4, minimum: 4), .init(title: "提示", preferred: 8, minimum: 6),
                    .init(title: "主题", preferred: 20, minimum: 12, fills: true),
                ],
                shrinkOrder: [2, 5, 7], dropOrder: [2, 5, 6])
            let rows = entries.map { e -> [String] in
                var flag = ""
                if let to = e.effectiveTo, to < today, e.state != .retired { flag = "已过失效期" }
                else if e.isStale(today: today, days: staleDays) { flag = "待复查" }
                return [e.id, e.region, e.businessType, e.state.chineseName, ShanghaiTime.formatDate(e.effectiveFrom),
                        e.effectiveTo.map(ShanghaiTime.formatDate) ?? "—", String(e.version), flag, e.topic]
            }
            var out = table.render(rows, widths: table.widths(for: max(80, terminalWidth())))
            out += "共 \(entries.count) 条 (\(entries.count) entries)\n"
            FileHandle.standardOutput.write(Data(out.utf8))
        }
    }
}

func kbRegion(_ text: String, _ reference: ReferenceData) throws -> String {
    let regions = reference.organisations.kbRegions
    if regions.contains(text) { return text }
    let org = reference.organisations.normalise(text)
    if regions.contains(org) { return org }
    throw UserError("未知区域「\(text)」(unknown region); 可选 (choose): \(regions.joined(separator: " "))")
}

struct KBMatch: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "match", abstract: "查一个问题由哪个条目回答 (which entry answers a question).")
    @OptionGroup var options: KBOptions
    @Argument(help: "问题 (the question).") var question: String
    @Option(help: "提问者所属机构 (the asker's organisation).") var org: String?
    @Option(help: "提问日期，默认今天 (the question's date; default today).") var date: String?
    @Option(help: "输出格式 (output format): text | json.") var format: MatchFormat = .text
    @Option(name: .customLong("bot-id"), help: "机器人日志的命中知识ID，查它对应的本库条目 (the bot's knowledge id from the log: which entry of ours carries it).")
    var botId: String?

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open()
            let day = try date.map { try FilterOptions.day($0, option: "--date") } ?? ShanghaiTime.startOfDay(nowEpoch())
            let matcher = try kb.matcher()
            let m = matcher.match(question, askerOrganisation: org, day: day)
            let link = matcher.botLink(knowledgeId: botId, question: question, askerOrganisation: org, day: day)
            if format == .json {
                var o: [String: Any] = [
                    "question": question, "date": ShanghaiTime.formatDate(day), "region": m.region.region,
                    "regionReason": m.region.reason, "ambiguous": m.region.ambiguous, "level": m.levelText, "why": m.why,
                    "runnersUp": m.runnersUp.map { ["topic": $0.topic, "score": $0.score, "coverage": $0.coverage] as [String: Any] },
                ]
                o["topic"] = m.best?.topic ?? NSNull()
                o["score"] = m.best?.score ?? NSNull()
                o["coverage"] = m.best?.coverage ?? NSNull()
                o["uncertain"] = m.uncertain
                o["synonyms"] = m.synonymsUsed
                o["matchedQuestion"] = m.best?.question ?? NSNull()
                if let e = m.entry {
                    o["entry"] = ["id": e.id, "region": e.region, "topic": e.topic, "standardQuestion": e.standardQuestion,
                                  "answer": e.answer, "policyBasis": e.policyBasis, "version": e.version,
                                  "effectiveFrom": ShanghaiTime.formatDate(e.effectiveFrom),
                                  "effectiveTo": e.effectiveTo.map(ShanghaiTime.formatDate) ?? NSNull()] as [String: Any]
                } else {
                    o["entry"] = NSNull()
                }
                if let link {
                    o["bot"] = ["id": link.botId, "entry": link.entry?.id ?? NSNull(), "entryRegion": link.entry?.region ?? NSNull(),
                                "concern": link.concernText ?? NSNull()] as [String: Any]
                }
                let d = try JSONSerialization.data(withJSONObject: o, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: d, as: UTF8.self))
                return
            }
            printText((KnowledgeText.match(m) + KnowledgeText.link(link, match: m)).joined(separator: "\n"))
        }
    }
}

/// Match results and histories as lines, shared by the CLI and the app.
enum KnowledgeText {
    static func match(_ m: KnowledgeMatch) -> [String] {
        var out = ["【\(m.uncertain ? "不确定 · " : "")\(m.levelText)】 \(m.why)"]
        if let u = m.uncertainText { out.append(u) }
        out.append("区域：\(m.region.region)（\(m.region.reason)\(m.region.ambiguous ? "，有歧义" : "")）")
        if let b = m.best {
            out.append(String(format: "主题：%@（得分 %.2f，覆盖 %.0f%%）", b.topic, b.score, b.coverage * 100))
            if !b.question.isEmpty, b.question != b.topic { out.append("最接近的问法：\(b.question)") }
        }
        if !m.synonymsUsed.isEmpty { out.append("同义词：" + m.synonymsUsed.joined(separator: "，")) }
        if let e = m.entry {
            out.append("条目：\(e.id) · \(e.region) · 版本 \(e.version) · 生效 \(ShanghaiTime.formatDate(e.effectiveFrom))"
                       + (e.effectiveTo.map { " 至 \(ShanghaiTime.formatDate($0))" } ?? "") + " · 依据 \(e.policyBasis)")
            out.append("标准问：\(e.standardQuestion)")
            out.append("答案：")
            out += e.answer.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
        }
        if !m.runnersUp.isEmpty {
            out.append("其他候选：" + m.runnersUp.map { String(format: "%@ (%.2f)", $0.topic, $0.score) }.joined(separator: "；"))
        }
        return out
    }

    /// The bot's knowledge id beside the match: which entry of ours it is, and what to look at.
    static func link(_ link: BotKnowledgeLink?, match m: KnowledgeMatch) -> [String] {
        guard let link else { return [] }
        var out = [link.text]
        if let e = link.entry, let ours = m.entry, e.topic != ours.topic, m.level != .noMatch, !m.uncertain {
            out.append("注意：机器人用的条目主题是「\(e.topic)」，本库匹配到的是「\(ours.topic)」")
        }
        if let c = link.concernText { out.append("注意：" + c) }
        return out
    }

    static func history(_ versions: [KnowledgeVersion]) -> [String] {
        var out: [String] = []
        var previous: KnowledgeEntry?
        for v in versions {
            out.append("版本 \(v.entry.version) · \(v.action.chineseName) · \(v.entry.updatedBy) · \(ShanghaiTime.format(v.entry.updatedAt))")
            if let p = previous {
                let d = KnowledgeEntry.diff(p, v.entry)
                out += d.isEmpty ? ["  （内容未变）"] : d.map { "  " + $0 }
            } else {
                out.append("  区域 \(v.entry.region) · 主题 \(v.entry.topic) · 状态 \(v.entry.state.chineseName)")
            }
            previous = v.entry
        }
        return out
    }
}

struct KBImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "导入知识表 (import entries): CSV / XLSX / JSONL, 中文列名.",
        discussion: "列：区域, 一级业务类型, 二级业务类型, 主题, 标准问, 相似问(每行一条), 答案, 政策依据, 生效日期, 失效日期, 状态[, 条目ID]")
    @OptionGroup var options: KBOptions
    @Argument(help: "文件 (file).") var file: String
    @Option(help: "修改人 (who; default the login name).") var reviewer: String?

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open(create: true, writes: true)
            let s = try kb.importFile(file, by: reviewerName(reviewer), at: nowEpoch())
            for p in s.problems { printErr("\(file): \(p)") }
            printText("知识库导入：新建 \(s.created) 条，更新 \(s.updated) 条，未变 \(s.unchanged) 条，拒绝 \(s.problems.count) 行"
                  + " (created \(s.created), updated \(s.updated), unchanged \(s.unchanged), rejected \(s.problems.count))")
            if s.problems.count > 0, s.created + s.updated + s.unchanged == 0 { throw ExitCode(1) }
        }
    }
}

struct KBExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "导出知识库 (export every entry's current version).")
    @OptionGroup var options: KBOptions
    @Option(help: "格式 (format): xlsx | csv | jsonl.") var format: KnowledgeBase.ExportFormat = .xlsx
    @Option(name: [.customShort("o"), .long], help: "输出文件；- 为标准输出 (output file, - for standard output).") var output: String
    @Flag(help: "覆盖已存在的文件 (overwrite an existing file).") var force = false

    func run() throws {
        try runReportingErrors {
            let f = format
            let (_, kb) = try options.open()
            let n = try kb.export(to: output, format: f, overwrite: force)
            let line = "已导出 \(n) 个条目到 \(output) (exported \(n) entries)"
            if output == OutputFile.standardOutput { printErr(line) } else { print(line) }
        }
    }
}

struct KBHistory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "条目的全部版本与改动 (every version and what changed).")
    @OptionGroup var options: KBOptions
    @Argument(help: "条目ID (entry id).") var id: String

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open()
            let versions = try kb.store.knowledgeHistory(id: id)
            guard !versions.isEmpty else { throw KnowledgeError.noEntry(id) }
            printText(KnowledgeText.history(versions).joined(separator: "\n"))
        }
    }
}

struct KBEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "在 $EDITOR 中编辑条目，保存为新版本 (edit an entry in $EDITOR; saves a new version).",
        discussion: "不给条目ID则新建。内容不合规时不保存，说明原因，并把你写的内容留在文件中 (nothing typed is lost).")
    @OptionGroup var options: KBOptions
    @Argument(help: "条目ID；省略则新建 (entry id; omit to create one).") var id: String?
    @Option(help: "修改人 (who; default the login name).") var reviewer: String?

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open(writes: true)
            var entry = KnowledgeEntry(topic: "", region: "全市", standardQuestion: "", answer: "",
                                       effectiveFrom: ShanghaiTime.startOfDay(nowEpoch()), state: .draft)
            if let id {
                guard let e = try kb.store.knowledgeEntry(id: id) else { throw KnowledgeError.noEntry(id) }
                entry = e
            }
            var text: String?
            var notes: [String] = []
            while true {
                switch try kb.editRound(entry, startingText: text, notes: notes, by: reviewerName(reviewer), at: nowEpoch()) {
                case .saved(let e):
                    printText("已保存 \(e.id) 版本 \(e.version) (saved)")
                    return
                case .unchanged:
                    printText("没有改动，未生成新版本 (unchanged)")
                    return
                case .cancelled:
                    printText("文件已清空，放弃编辑 (cancelled)")
                    return
                case .invalid(let reasons, let t):
                    printErr("未保存 (not saved): " + reasons.joined(separator: "；"))
                    let kept = ExternalEditor.keep(t, name: entry.id.isEmpty ? "新条目" : entry.id)
                    guard isTerminal(STDIN_FILENO) else {
                        printErr("你写的内容已保存在 (your text is kept in) \(kept ?? "?")")
                        throw ExitCode(1)
                    }
                    printErr("按回车重新编辑，输入 q 放弃（内容已留在 \(kept ?? "?")）(Enter edits again, q gives up): ", terminator: "")
                    if readLine()?.trimmed.lowercased() == "q" { throw ExitCode(1) }
                    text = t
                    notes = reasons
                }
            }
        }
    }
}

struct KBEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "用问题集评估区域识别与主题匹配 (region and topic accuracy on a question set).",
        discussion: "CSV 列：问题, 提问机构, 期望区域, 期望主题（空 = 不应匹配任何主题）。例：docs/kb-eval-tune.csv，配合演示知识库。")
    @OptionGroup var options: KBOptions
    @Argument(help: "问题集 CSV (the question set).") var file: String
    @Option(help: "提问日期 (the date questions are asked on; default today).") var date: String?
    @Flag(help: "列出答错的问题 (list the misses).") var verbose = false
    @Option(name: .customLong("min-coverage"), help: "主题最低覆盖率 (the coverage below which no topic is taken).")
    var minCoverage: Double?
    @Option(name: .customLong("uncertain-coverage"), help: "低于此覆盖率标为不确定 (the coverage below which a match is flagged uncertain).")
    var uncertainCoverage: Double?
    @Flag(name: .customLong("no-synonyms"), help: "不用同义词表（对比用）(match without the synonyms, to compare).")
    var noSynonyms = false

    func run() throws {
        try runReportingErrors {
            let (_, kb) = try options.open()
            let day = try date.map { try FilterOptions.day($0, option: "--date") } ?? ShanghaiTime.startOfDay(nowEpoch())
            let cases = try KnowledgeEval.read(file)
            let matcher = try kb.matcher(synonyms: !noSynonyms)
            if let minCoverage { matcher.minimumCoverage = minCoverage }
            if let uncertainCoverage { matcher.uncertainCoverage = uncertainCoverage }
            let r = KnowledgeEval.run(cases, matcher: matcher, day: day)
            printText(r.summary.joined(separator: "\n"))
            if verbose { printText(r.misses.joined(separator: "\n")) }
        }
    }
}
