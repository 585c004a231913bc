import Foundation
import Model

/// An edit for the editor: the entry, the text to start from and why an earlier try was refused.
struct PendingEntryEdit {
    let entry: KnowledgeEntry
    let startingText: String?
    let notes: [String]
}

/// The knowledge screen on the stack: browsing entries, the coverage matrix, the gap backlog, one
/// entry in full; its keys here, edits in $EDITOR in KnowledgeEditing.swift, its state in
/// KnowledgeState.swift and its drawing in KnowledgeView.swift.
final class KnowledgeScreen: Screen {
    let ctx: AppContext
    var state = KnowledgeState()
    // Set by `prepare` from the screen's size.
    private(set) var entryLines: [(String, Role)] = []
    private(set) var bodyRows = 10
    private var entryLinesFor: (id: String, version: Int, width: Int, lang: Language, history: Int)?

    init(_ ctx: AppContext) { self.ctx = ctx }

    var mode: Mode { .knowledge }

    /// Opens the screen on the entries as they are now (read again, the matcher built again).
    static func open(_ session: ReviewSession) -> KnowledgeScreen? {
        let ctx = session.ctx
        guard ctx.knowledgeStore != nil else {
            ctx.say(Localized("这个数据库不支持知识库", "this store has no knowledge base"), .error)
            return nil
        }
        let k = KnowledgeScreen(ctx)
        k.reload()
        return k
    }

    /// Reads the entries again (after a save), keeping the view; reopens the entry asked for,
    /// else the open one (its new version and history).
    func reload(open id: String? = nil) {
        do {
            guard let snap = try ctx.knowledgeSnapshot(reload: true) else { return }
            state.entries = snap.entries
            state.matcher = snap.matcher
            state.gaps = nil
            if let target = id ?? state.openEntry?.id, let kb = ctx.knowledgeStore {
                state.openEntry = state.entries.first { $0.id == target }
                state.history = KnowledgeText.history(try kb.knowledgeHistory(id: target))
            }
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
        refresh()
        if state.view == .gaps { loadGaps() }
    }

    func refresh() {
        let orgs = ctx.reference.organisations
        state.refresh(today: ctx.today, staleDays: ctx.staleDays, regions: orgs.kbRegions, cityWide: orgs.cityWideRegion)
    }

    /// The gap backlog (Model's `KnowledgeBase.gaps`): on its own thread and connection with its
    /// progress shown (20,000 records read and grouped take about a second at 1,000,000), keys
    /// stay live; picked up by `takeGaps` on a tick.
    func loadGaps() {
        guard let kb = ctx.knowledgeBase else { return }
        let matcher = state.matcher, day = ctx.today
        guard ctx.background else {
            do {
                let (gaps, read) = try kb.gaps(records: ctx.store, matcher: matcher, day: day, limit: KnowledgeState.gapLimit)
                state.gaps = gaps
                state.gapRecords = read
            } catch {
                ctx.failed(AppContext.cannotRead, error)
            }
            return
        }
        do {
            let store = Unchecked(try ctx.store.openAnother())
            let progress = gapProgress
            progress.set((0, 0))
            let job = gapJob ?? BackgroundJob<([KnowledgeGap], Int)>()
            job.start {
                try kb.gaps(records: store.value, matcher: matcher, day: day, limit: KnowledgeState.gapLimit) { progress.set(($0, $1)) }
            }
            gapJob = job
            state.gaps = nil
            state.gapLoading = (0, 0)
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    private var gapJob: BackgroundJob<([KnowledgeGap], Int)>?
    /// Records read so far and in all, written by the gap job's thread.
    let gapProgress = Locked<(Int, Int)>((0, 0))
    /// Installs the finished gap backlog; true when the screen must be drawn again.
    func takeGaps() -> Bool {
        guard let job = gapJob else { return false }
        guard let result = job.take() else {
            // Still running: the view shows how far it is.
            state.gapLoading = gapProgress.get()
            return true
        }
        gapJob = nil
        state.gapLoading = nil
        switch result {
        case .success(let (gaps, read)):
            state.gaps = gaps
            state.gapRecords = read
            state.selection[.gaps] = min(state.selection[.gaps] ?? 0, max(0, gaps.count - 1))
        case .failure(let error):
            ctx.failed(AppContext.cannotRead, error)
        }
        return true
    }

    /// The entry the keys act on: the open one, else the selected row's (in the matrix, the
    /// selected region's own entry, else the 全市 one).
    var selectedEntry: KnowledgeEntry? {
        let k = state
        if let e = k.openEntry { return e }
        switch k.view {
        case .entries:
            return k.visible.indices.contains(k.selected) ? k.visible[k.selected] : nil
        case .coverage:
            guard k.topics.indices.contains(k.selected) else { return nil }
            let regions = ctx.reference.organisations.kbRegions
            let region = regions[min(k.column, regions.count - 1)]
            let t = k.topics[k.selected].byRegion
            return t[region]?.first { $0.state != .retired } ?? t[region]?.first
                ?? t[ctx.reference.organisations.cityWideRegion]?.first
        case .gaps:
            return nil
        }
    }

    func unavailable(_ r: Requirement) -> Localized? {
        switch r {
        case .knowledgeRow:
            if state.view == .gaps, state.openEntry == nil { return Localized("缺口视图：按 n 起草条目", "gaps: press n to draft an entry") }
            return selectedEntry == nil ? Localized("这里没有条目", "no entry here") : nil
        case .knowledgeEntry:
            return selectedEntry == nil ? Localized("先选中一个条目", "select an entry first") : nil
        default:
            return nil
        }
    }

    // MARK: layout

    /// Sizes from the screen, and the open entry's text wrapped for its width (once per version).
    func prepare(body: Rect) {
        bodyRows = max(1, body.height)
        guard let e = state.openEntry else {
            entryLines = []
            entryLinesFor = nil
            return
        }
        let key = (e.id, e.version, body.width, ctx.lang, state.history.count)
        if entryLinesFor.map({ $0 != key }) ?? true {
            entryLines = KnowledgeView.entryLines(e, history: state.history, today: ctx.today, staleDays: ctx.staleDays,
                                                  lang: ctx.lang).flatMap { line in
                DisplayWidth.wrap(line.0, width: max(1, body.width - 2)).map { ($0, line.1) }
            }
            entryLinesFor = key
        }
        state.detailScroll.clamp(count: entryLines.count, page: bodyRows)
    }

    // MARK: keys

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        ctx.message = nil
        if command != .retireEntry { state.retireArmed = false }
        if state.openEntry != nil {
            if state.detailScroll.move(command, count: entryLines.count, page: bodyRows, step: 10) { return .redraw }
        } else {
            var cursor = ListCursor(selected: state.selected)
            if cursor.move(command, count: state.rowCount, step: 10) {
                state.selection[state.view] = cursor.selected
                return .redraw
            }
        }
        switch command {
        case .nextView, .previousView:
            state.view = state.view.cycled(command == .nextView ? 1 : -1)
            state.openEntry = nil
            if state.view == .gaps, state.gaps == nil, state.gapLoading == nil { loadGaps() }
        case .left: state.column = max(0, state.column - 1)
        case .right: state.column = min(ctx.reference.organisations.kbRegions.count - 1, state.column + 1)
        case .cycleRegion:
            // Typed, not cycled: 如皋 was five presses away (issue 17).
            session.push(PromptOverlay(Prompt(kind: .region, input: TextInput())))
        case .cycleBusinessType:
            let types: [String?] = [nil] + ctx.reference.taxonomy.level1.map(\.name)
            state.biz1 = types[((types.firstIndex { $0 == state.biz1 } ?? 0) + 1) % types.count]
            state.selection[.entries] = 0
            refresh()
            ctx.say(Localized("业务类型：\(state.biz1 ?? "全部")", "Business type: \(state.biz1 ?? "all")"))
        case .toggleStale:
            state.staleOnly.toggle()
            state.selection[.entries] = 0
            refresh()
        case .accept:
            guard let e = selectedEntry, let kb = ctx.knowledgeStore else { return [] }
            state.openEntry = e
            state.detailScroll = ScrollOffset()
            state.history = (try? KnowledgeText.history(kb.knowledgeHistory(id: e.id))) ?? []
        case .cancel:
            if state.openEntry != nil {
                state.openEntry = nil
            } else {
                session.pop()
            }
        case .editEntry:
            guard let e = selectedEntry else { return [] }
            let kept = ctx.keptEdits[e.id]
            session.pendingEdit = PendingEntryEdit(entry: e, startingText: kept?.text, notes: kept?.reasons ?? [])
            return [.external, .redraw]
        case .newEntry:
            session.pendingEdit = newEntryEdit()
            return [.external, .redraw]
        case .entryDates:
            guard let e = selectedEntry else { return [] }
            let to = e.effectiveTo.map(ShanghaiTime.formatDate) ?? ""
            session.push(PromptOverlay(Prompt(kind: .entryDates(id: e.id),
                                              input: TextInput("\(ShanghaiTime.formatDate(e.effectiveFrom))~\(to)"))))
        case .markReviewed:
            guard let e = selectedEntry, let kb = ctx.knowledgeBase else { return [] }
            save(id: e.id, success: Localized("已记为今天复查：\(e.id)", "Marked as reviewed today: \(e.id)")) {
                _ = try kb.markReviewed(id: e.id, by: ctx.reviewer, at: ctx.clock())
            }
        case .retireEntry:
            guard let e = selectedEntry, let kb = ctx.knowledgeBase else { return [] }
            if !state.retireArmed {
                state.retireArmed = true
                ctx.say(Localized("再按一次 x 停用 \(e.id)（\(e.region) · \(e.topic)）", "Press x again to retire \(e.id)"), .warning)
            } else {
                state.retireArmed = false
                save(id: e.id, success: Localized("已停用 \(e.id)，保存为新版本", "Retired \(e.id) (a new version)")) {
                    _ = try kb.retire(id: e.id, by: ctx.reviewer, at: ctx.clock())
                }
            }
        default:
            return nil
        }
        return .redraw
    }

    private func save(id: String, success: Localized, _ body: () throws -> Void) {
        do {
            try body()
            reload(open: state.openEntry != nil ? id : nil)
            ctx.say(success, .ok)
        } catch {
            ctx.failed(Localized("未保存", "Not saved"), error)
        }
    }

    /// The prompt's `生效~失效` saved as a new version; false keeps the prompt open (a bad date).
    func saveDates(id: String, text: String, _ session: ReviewSession) -> Bool {
        guard let kb = ctx.knowledgeBase else { return true }
        let parts = text.split(separator: "~", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmed }
        let from = parts.first.flatMap(ShanghaiTime.parseDay)
        let toText = parts.count > 1 ? parts[1] : ""
        let to = toText.isEmpty ? nil : ShanghaiTime.parseDay(toText)
        guard let from, toText.isEmpty || to != nil else {
            ctx.say(Localized("日期写成 2024-01-01~2025-12-31（失效日期可空）", "write the dates as 2024-01-01~2025-12-31 (the end may be empty)"), .error)
            return false
        }
        do {
            _ = try kb.setDates(id: id, from: from, to: to, by: ctx.reviewer, at: ctx.clock())
            reload(open: state.openEntry != nil ? id : nil)
            ctx.say(Localized("已保存有效期：\(text)", "Dates saved: \(text)"), .ok)
        } catch let e as KnowledgeValidationError {
            ctx.failed(Localized("未保存", "Not saved"), e)
            return false
        } catch {
            ctx.failed(Localized("未保存", "Not saved"), error)
        }
        return true
    }

    /// The region typed at `r`; false (and why, said) when it names none or several.
    func chooseRegion(_ text: String) -> Bool {
        let orgs = ctx.reference.organisations
        switch orgs.kbRegion(typed: text) {
        case .all: state.region = nil
        case .region(let r): state.region = r
        case .ambiguous(let several):
            ctx.say(Localized("「\(text)」可指 \(several.joined(separator: "、"))，请多写一点", "\"\(text)\" could be \(several.joined(separator: ", ")): type more"), .error)
            return false
        case .unknown:
            ctx.say(Localized("没有区域「\(text)」；可选 \(orgs.kbRegions.joined(separator: " "))", "No region \"\(text)\"; choose \(orgs.kbRegions.joined(separator: " "))"), .error)
            return false
        }
        state.selection[.entries] = 0
        refresh()
        ctx.say(Localized("区域：\(state.region ?? "全部")", "Region: \(state.region ?? "all")"))
        return true
    }

    /// `M` on a record: which entry and level answer its question, shown over the screen.
    static func match(of r: InteractionRecord, _ session: ReviewSession) -> HelpOverlay? {
        let ctx = session.ctx
        do {
            // Built once (140 ms at 10,000 entries), then kept until the entries change.
            guard let snap = try ctx.knowledgeSnapshot() else { return nil }
            let m = snap.matcher.match(r.question, askerOrganisation: r.org, day: ShanghaiTime.startOfDay(r.askedAt))
            var lines: [(String, Role)] = [("问题：" + VisibleText.singleLine(r.question) + "（\(r.org)，\(ShanghaiTime.formatDate(r.askedAt))）", .title)]
            let text = KnowledgeText.match(m)
            lines += text.enumerated().map { ($0.element, $0.offset == 0 ? (m.entry == nil || m.uncertain ? .warning : .ok) : .normal) }
            // As in the detail: until some entry carries a bot id, "not linked" would be on every record.
            let link = snap.matcher.entriesByBotId.isEmpty ? nil : snap.matcher.botLink(knowledgeId: r.knowledgeId, question: r.question, askerOrganisation: r.org,
                                            day: ShanghaiTime.startOfDay(r.askedAt))
            // Right under the verdict: what the bot used is what a reviewer compares first.
            lines.insert(contentsOf: KnowledgeText.link(link, match: m).enumerated().map { ($0.element, $0.offset == 0 ? .normal : .warning) },
                         at: min(2, lines.count))
            lines.append(("", .normal))
            lines.append((m.uncertain
                ? "匹配不确定：知识库可能没有这个问题，或问法差得远；请对照上面的次选主题自己判断。"
                : m.entry == nil
                ? "知识库没有可用条目：若机器人也答不上，多为「业务缺失」。"
                : "知识库有此条目：若机器人答非所问，多为「理解错误」；答案与条目一致则多为「回答正确」。", .dim))
            return HelpOverlay(content: (Localized("知识匹配（Esc 关闭）", "Knowledge match (Esc closes)"), lines))
        } catch {
            ctx.failed(AppContext.cannotRead, error)
            return nil
        }
    }
}
