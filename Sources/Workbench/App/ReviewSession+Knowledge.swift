import Foundation
import Model

/// An edit for the editor: the entry, the text to start from and why an earlier try was refused.
struct PendingEntryEdit {
    let entry: KnowledgeEntry
    let startingText: String?
    let notes: [String]
}

/// The knowledge screen's part of the session: browsing, the coverage matrix, the gap backlog,
/// edits in $EDITOR, and the knowledge match of the selected record.
extension ReviewSession {
    var knowledgeBase: KnowledgeBase? {
        (store as? any KnowledgeStore).map { KnowledgeBase(store: $0, reference: reference) }
    }

    var today: Int64 { ShanghaiTime.startOfDay(clock()) }

    var knowledgeOpenDisabledReason: Localized? {
        guard let k = knowledge else { return nil }
        if k.view == .gaps { return Localized("缺口视图：按 n 起草条目", "gaps: press n to draft an entry") }
        return selectedKnowledgeEntry == nil ? Localized("这里没有条目", "no entry here") : nil
    }

    var knowledgeEntryDisabledReason: Localized? {
        selectedKnowledgeEntry == nil ? Localized("先选中一个条目", "select an entry first") : nil
    }

    /// The entry the keys act on: the open one, else the selected row's (in the matrix, the
    /// selected region's own entry, else the 全市 one).
    var selectedKnowledgeEntry: KnowledgeEntry? {
        guard let k = knowledge else { return nil }
        if let e = k.openEntry { return e }
        switch k.view {
        case .entries:
            let list = k.visibleEntries(today: today, staleDays: staleDays)
            return list.indices.contains(k.selected) ? list[k.selected] : nil
        case .coverage:
            let topics = k.topics
            guard topics.indices.contains(k.selected) else { return nil }
            let regions = reference.organisations.kbRegions
            let region = regions[min(k.column, regions.count - 1)]
            let t = topics[k.selected].byRegion
            return t[region]?.first { $0.state != .retired } ?? t[region]?.first
                ?? t[reference.organisations.cityWideRegion]?.first
        case .gaps:
            return nil
        }
    }

    func openKnowledge() {
        guard let kb = knowledgeBase else {
            message = Message(text: Localized("这个数据库不支持知识库", "this store has no knowledge base"), role: .error)
            return
        }
        dashboard = nil
        var k = knowledge ?? KnowledgeState()
        do {
            k.entries = try kb.store.knowledgeEntries()
            k.matcher = KnowledgeMatcher(entries: k.entries, organisations: reference.organisations)
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
        knowledge = k
    }

    /// Reads the entries again after a save, keeping the view and reopening the open entry.
    func reloadKnowledge(open id: String? = nil) {
        guard let kb = knowledgeBase, var k = knowledge else { return }
        knowledgeCache = nil
        do {
            k.entries = try kb.store.knowledgeEntries()
            k.matcher = KnowledgeMatcher(entries: k.entries, organisations: reference.organisations)
            k.gaps = nil
            // The entry asked for, else the open one again (its new version and history).
            if let target = id ?? k.openEntry?.id {
                k.openEntry = k.entries.first { $0.id == target }
                k.history = KnowledgeText.history(try kb.store.knowledgeHistory(id: target))
            }
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
        knowledge = k
    }

    func applyKnowledge(_ command: Command) -> Reaction {
        guard var k = knowledge else { return [] }
        message = nil
        if command != .retireEntry { k.retireArmed = false }
        let rows = k.rowCount(today: today, staleDays: staleDays)
        func move(_ to: Int) {
            if k.openEntry != nil { k.detailScroll = max(0, to); return }
            k.selection[k.view] = max(0, min(to, rows - 1))
        }
        let base = k.openEntry != nil ? k.detailScroll : k.selected
        switch command {
        case .nextView, .previousView:
            let all = KnowledgeState.View.allCases
            k.view = all[(k.view.rawValue + (command == .nextView ? 1 : all.count - 1)) % all.count]
            k.openEntry = nil
            if k.view == .gaps, k.gaps == nil {
                knowledge = k
                loadGaps()
                return .redraw
            }
        case .down: move(base + 1)
        case .up: move(base - 1)
        case .pageDown: move(base + 10)
        case .pageUp: move(base - 10)
        case .top: move(0)
        case .bottom: move(k.openEntry != nil ? 10_000 : rows - 1)
        case .left: k.column = max(0, k.column - 1)
        case .right: k.column = min(reference.organisations.kbRegions.count - 1, k.column + 1)
        case .cycleRegion:
            let regions: [String?] = [nil] + reference.organisations.kbRegions.map { $0 }
            k.region = regions[((regions.firstIndex { $0 == k.region } ?? 0) + 1) % regions.count]
            k.selection[.entries] = 0
            message = Message(text: Localized("区域：\(k.region ?? "全部")", "Region: \(k.region ?? "all")"), role: .status)
        case .cycleBusinessType:
            let types: [String?] = [nil] + reference.taxonomy.level1.map(\.name)
            k.biz1 = types[((types.firstIndex { $0 == k.biz1 } ?? 0) + 1) % types.count]
            k.selection[.entries] = 0
            message = Message(text: Localized("业务类型：\(k.biz1 ?? "全部")", "Business type: \(k.biz1 ?? "all")"), role: .status)
        case .toggleStale:
            k.staleOnly.toggle()
            k.selection[.entries] = 0
        case .accept:
            guard let e = selectedKnowledgeEntry, let kb = knowledgeBase else { return [] }
            k.openEntry = e
            k.detailScroll = 0
            k.history = (try? KnowledgeText.history(kb.store.knowledgeHistory(id: e.id))) ?? []
        case .cancel:
            if k.openEntry != nil {
                k.openEntry = nil
            } else {
                // `M` on the review screen goes on using these entries, as last saved.
                knowledgeCache = k
                knowledge = nil
                return .redraw
            }
        case .editEntry:
            guard let e = selectedKnowledgeEntry else { return [] }
            let kept = keptEditText[e.id]
            pendingEdit = PendingEntryEdit(entry: e, startingText: kept?.text, notes: kept?.reasons ?? [])
            knowledge = k
            return [.external, .redraw]
        case .newEntry:
            pendingEdit = newEntryEdit(k)
            knowledge = k
            return [.external, .redraw]
        case .entryDates:
            guard let e = selectedKnowledgeEntry else { return [] }
            let to = e.effectiveTo.map(ShanghaiTime.formatDate) ?? ""
            prompt = Prompt(kind: .entryDates(id: e.id), input: TextInput("\(ShanghaiTime.formatDate(e.effectiveFrom))~\(to)"))
        case .markReviewed:
            guard let e = selectedKnowledgeEntry, let kb = knowledgeBase else { return [] }
            knowledge = k
            return saveKnowledgeChange(id: e.id, success: Localized("已记为今天复查：\(e.id)", "Marked as reviewed today: \(e.id)")) {
                _ = try kb.markReviewed(id: e.id, by: reviewer, at: clock())
            }
        case .retireEntry:
            guard let e = selectedKnowledgeEntry, let kb = knowledgeBase else { return [] }
            if !k.retireArmed {
                k.retireArmed = true
                message = Message(text: Localized("再按一次 x 停用 \(e.id)（\(e.region) · \(e.topic)）", "Press x again to retire \(e.id)"), role: .warning)
            } else {
                k.retireArmed = false
                knowledge = k
                return saveKnowledgeChange(id: e.id, success: Localized("已停用 \(e.id)，保存为新版本", "Retired \(e.id) (a new version)")) {
                    _ = try kb.retire(id: e.id, by: reviewer, at: clock())
                }
            }
        case .help:
            openHelp()
        case .toggleLanguage:
            switchLanguage()
        case .quit:
            return applyReviewQuit()
        default:
            return []
        }
        knowledge = k
        return .redraw
    }

    private func saveKnowledgeChange(id: String, success: Localized, _ body: () throws -> Void) -> Reaction {
        do {
            try body()
            reloadKnowledge(open: knowledge?.openEntry != nil ? id : nil)
            message = Message(text: success, role: .ok)
        } catch {
            message = Message(text: Localized("未保存：\(error)", "Not saved: \(error)"), role: .error)
        }
        return .redraw
    }

    /// The prompt's `生效~失效` saved as a new version; a bad date keeps the prompt open.
    func saveEntryDates(id: String, text: String, prompt p: Prompt) -> Reaction {
        guard let kb = knowledgeBase else { return [] }
        let parts = text.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmed }
        let from = parts.first.flatMap(ShanghaiTime.parseDay)
        let toText = parts.count > 1 ? parts[1] : ""
        let to = toText.isEmpty ? nil : ShanghaiTime.parseDay(toText)
        guard let from, toText.isEmpty || to != nil else {
            message = Message(text: Localized("日期写成 2024-01-01~2025-12-31（失效日期可空）", "write the dates as 2024-01-01~2025-12-31 (the end may be empty)"),
                              role: .error)
            prompt = p
            return .redraw
        }
        do {
            _ = try kb.setDates(id: id, from: from, to: to, by: reviewer, at: clock())
            reloadKnowledge(open: knowledge?.openEntry != nil ? id : nil)
            message = Message(text: Localized("已保存有效期：\(text)", "Dates saved: \(text)"), role: .ok)
        } catch let e as KnowledgeValidationError {
            message = Message(text: Localized("未保存：\(e)", "Not saved: \(e)"), role: .error)
            prompt = p
        } catch {
            message = Message(text: Localized("未保存：\(error)", "Not saved: \(error)"), role: .error)
        }
        return .redraw
    }

    /// `n`: a blank draft, or in the gaps view one drafted from the selected gap.
    private func newEntryEdit(_ k: KnowledgeState) -> PendingEntryEdit {
        if let kept = keptEditText[""] {
            return PendingEntryEdit(entry: blankEntry(), startingText: kept.text, notes: kept.reasons)
        }
        var e = blankEntry()
        if k.view == .gaps, let gaps = k.gaps, gaps.indices.contains(k.selected) {
            let g = gaps[k.selected]
            e.region = g.region
            e.standardQuestion = g.wording
            e.topic = g.wording
            e.biz1 = g.biz1
            e.biz2 = g.biz2
        }
        return PendingEntryEdit(entry: e, startingText: nil, notes: [])
    }

    func blankEntry() -> KnowledgeEntry {
        KnowledgeEntry(topic: "", region: reference.organisations.cityWideRegion, standardQuestion: "", answer: "",
                       effectiveFrom: today, state: .draft)
    }

    /// Runs the editor for the pending edit (the app has handed it the terminal): saved, or
    /// refused with the reasons and the text kept for the next `e`/`n`.
    func runPendingEdit() {
        guard let edit = pendingEdit, let kb = knowledgeBase else { return }
        pendingEdit = nil
        let key = edit.entry.id
        do {
            switch try kb.editRound(edit.entry, startingText: edit.startingText, notes: edit.notes, by: reviewer, at: clock(),
                                    editor: editorCommand) {
            case .saved(let e):
                keptEditText[key] = nil
                reloadKnowledge(open: knowledge?.openEntry != nil || key.isEmpty ? e.id : nil)
                if key.isEmpty, var k = knowledge {
                    k.openEntry = k.entries.first { $0.id == e.id }
                    k.history = (try? KnowledgeText.history(kb.store.knowledgeHistory(id: e.id))) ?? []
                    knowledge = k
                }
                message = Message(text: Localized("已保存 \(e.id) 版本 \(e.version)", "Saved \(e.id) version \(e.version)"), role: .ok)
            case .unchanged:
                keptEditText[key] = nil
                message = Message(text: Localized("没有改动，未生成新版本", "Unchanged: no new version"), role: .status)
            case .cancelled:
                keptEditText[key] = nil
                message = Message(text: Localized("文件已清空，放弃编辑", "Emptied: edit cancelled"), role: .status)
            case .invalid(let reasons, let text):
                keptEditText[key] = (text, reasons)
                let file = ExternalEditor.keep(text, name: key.isEmpty ? "新条目" : key)
                message = Message(text: Localized("未保存：\(reasons.joined(separator: "；"))。你写的内容已保留，按 \(key.isEmpty ? "n" : "e") 继续编辑\(file.map { "（副本：\($0)）" } ?? "")",
                                                  "Not saved: \(reasons.joined(separator: "; ")). Your text is kept: press \(key.isEmpty ? "n" : "e") to go on\(file.map { " (copy: \($0))" } ?? "")"),
                                  role: .error)
            }
        } catch {
            message = Message(text: Localized("编辑失败：\(error)", "Edit failed: \(error)"), role: .error)
        }
    }

    /// The gap backlog: 业务缺失 records grouped by normalised question and region, by count.
    func loadGaps() {
        guard var k = knowledge else { return }
        do {
            let keys = try store.keys(RecordFilter(label: .missingKnowledge))
            let newest = Array(keys.prefix(KnowledgeState.gapLimit))
            let detector = RegionDetector(organisations: reference.organisations)
            let topics = QuestionTopic(organisations: reference.organisations)
            struct Acc { var count = 0; var latest: Int64 = 0; var wordings: [String: Int] = [:]; var biz: [String: Int] = [:] }
            var groups: [String: Acc] = [:]
            var order: [String] = []
            for start in stride(from: 0, to: newest.count, by: 1000) {
                let chunk = Array(newest[start..<min(newest.count, start + 1000)])
                let recs = try store.records(keys: chunk)
                for key in chunk {
                    guard let r = recs[key] else { continue }
                    let region = detector.detect(question: r.question, askerOrganisation: r.org).region
                    let id = region + "\u{1}" + topics.normalised(r.question)
                    if groups[id] == nil { order.append(id) }
                    groups[id, default: Acc()].count += 1
                    groups[id]!.latest = max(groups[id]!.latest, r.askedAt)
                    groups[id]!.wordings[r.question, default: 0] += 1
                    groups[id]!.biz[[r.effectiveBiz1, r.effectiveBiz2].compactMap { $0 }.joined(separator: "/"), default: 0] += 1
                }
            }
            let ranked = order.sorted { (groups[$0]!.count, groups[$0]!.latest) > (groups[$1]!.count, groups[$1]!.latest) }
            k.gaps = ranked.prefix(500).map { id in
                let a = groups[id]!
                let wording = a.wordings.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
                let biz = a.biz.max { $0.value < $1.value }?.key.split(separator: "/").map(String.init) ?? []
                let region = String(id.split(separator: "\u{1}", maxSplits: 1)[0])
                let m = k.matcher?.match(wording, askerOrganisation: region, day: today)
                let answered = m.flatMap { $0.entry != nil ? "\($0.entry!.id) \($0.levelText)" : nil }
                return KnowledgeState.Gap(wording: wording, region: region, count: a.count, latest: a.latest,
                                          biz1: biz.first, biz2: biz.count > 1 ? biz[1] : nil, answeredBy: answered)
            }
            k.gapRecords = newest.count
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
        knowledge = k
    }

    /// `M` on a record: which entry and level answer its question, shown over the screen.
    func showMatchOfSelected() {
        guard let r = selectedRecord, let kb = knowledgeBase else { return }
        do {
            // Built once (140 ms at 10,000 entries), then kept until the entries change.
            if knowledge?.matcher == nil, knowledgeCache?.matcher == nil {
                let entries = try kb.store.knowledgeEntries()
                var k = knowledge ?? KnowledgeState()
                k.entries = entries
                k.matcher = KnowledgeMatcher(entries: entries, organisations: reference.organisations)
                // Built for the match only: the knowledge screen stays closed.
                knowledgeCache = k
            }
            let matcher = (knowledge ?? knowledgeCache)!.matcher!
            let m = matcher.match(r.question, askerOrganisation: r.org, day: ShanghaiTime.startOfDay(r.askedAt))
            var lines: [(String, Role)] = [("问题：" + VisibleText.singleLine(r.question) + "（\(r.org)，\(ShanghaiTime.formatDate(r.askedAt))）", .title)]
            let text = KnowledgeText.match(m)
            lines += text.enumerated().map { ($0.element, $0.offset == 0 ? (m.entry == nil ? .warning : .ok) : .normal) }
            lines.append(("", .normal))
            lines.append((m.entry == nil
                ? "知识库没有可用条目：若机器人也答不上，多为「业务缺失」。"
                : "知识库有此条目：若机器人答非所问，多为「理解错误」；答案与条目一致则多为「回答正确」。", .dim))
            overlay = (Localized("知识匹配（Esc 关闭）", "Knowledge match (Esc closes)"), lines)
            openHelp()
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
    }
}
