import Foundation
import Model

/// A reviewer's session in the app: the shared context, the stack of screens and overlays, and
/// what no single screen owns — dispatching a key to the screen on top (the rest falls through to
/// the shared handling here), performing reactions (persist first), and the idle tick that
/// retries writes and picks up other processes' changes. No drawing and no terminal.
final class ReviewSession {
    let ctx: AppContext
    /// The base review list is always at the bottom; screens and overlays are pushed above it.
    private(set) var stack: [any Screen] = []
    private var quitWarned = false
    /// The export the prompt asked for, run by `perform` (long: `onProgress` lets the loop draw).
    var exportRequest: ExportRequest?
    /// An edit waiting for the terminal to be handed to the editor (`Reaction.external`).
    var pendingEdit: PendingEntryEdit?
    /// Full counts of a list's figures (a filter change); labels never cause one.
    var fullCounts = 0
    private var lastChangeCounter: Int64 = 0
    /// The server was out of reach at the last commit attempt (the screen says so until it is back).
    private(set) var reconnecting = false
    private var indexJob: BackgroundJob<(StatisticsIndex, Int64)>?
    private var textIndexBuilder: TextIndexBuilder?
    /// SQLite's quick check, on its own connection: 0.33 s at 300,000 records (0.7 s with the text
    /// index), so the list shows meanwhile; damage found stops every write (issue 15, case 10).
    private var integrityJob: BackgroundJob<[String]>?
    /// Where the base list's filter is kept between runs (the app sets it; tests do not).
    var filterMemory: FilterMemory?

    /// A session on a database that holds records and the knowledge base.
    convenience init<S: RecordStore & KnowledgeStore>(
        store: S, reference: ReferenceData, reviewer: String, lang: Language = .zh, ambiguousWide: Bool = false,
        location: String? = nil, backgroundStatistics: Bool = false,
        clock: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) throws {
        try self.init(store: store, knowledgeStore: store, reference: reference, reviewer: reviewer, lang: lang,
                      ambiguousWide: ambiguousWide, location: location, backgroundStatistics: backgroundStatistics, clock: clock)
    }

    init(store: any RecordStore, knowledgeStore: (any KnowledgeStore)?, reference: ReferenceData, reviewer: String,
         lang: Language = .zh, ambiguousWide: Bool = false, location: String? = nil, backgroundStatistics: Bool = false,
         clock: @escaping () -> Int64 = { Int64(Date().timeIntervalSince1970) }) throws {
        ctx = AppContext(store: store, knowledgeStore: knowledgeStore, reference: reference, reviewer: reviewer, lang: lang,
                         ambiguousWide: ambiguousWide, location: location, background: backgroundStatistics, clock: clock)
        lastChangeCounter = try store.changeCounter()
        // The statistics index: every later filter is counted from it (0.5–4 ms at 1,000,000).
        // The app loads it on its own thread and connection; the list shows meanwhile.
        if backgroundStatistics {
            let other = Unchecked(try store.openAnother())
            let rules = ctx.rules
            let job = BackgroundJob<(StatisticsIndex, Int64)>()
            job.start {
                let seq = try other.value.lastHistorySeq()
                let index = StatisticsIndex(rules: rules, topics: false)
                try index.load(from: other.value)
                return (index, seq)
            }
            indexJob = job
            let checker = Unchecked(try store.openAnother())
            let check = BackgroundJob<[String]>()
            check.start { try checker.value.checkIntegrity(thorough: false) }
            integrityJob = check
            // A read-only store cannot write its text index: searches scan instead (still right).
            if store.readOnly == nil {
                textIndexBuilder = try TextIndexBuilder.startIfNeeded(store)
                ctx.textIndexing = textIndexBuilder?.state.progress
            }
        } else {
            try ctx.live.load(from: store)
            ctx.damageFound = try store.checkIntegrity(thorough: false).first
        }
        ctx.disputes = try store.disputeCount()
        ctx.sampleExists = try store.sampleExists()
        let base = ReviewListScreen(ctx, openedFromDashboard: false)
        // A reviewer opens on the work they may do (待办): what is assigned to them if anything
        // is, else the unlabelled records; second votes waiting for them come first (issue 32).
        base.setTodo(true, hasAssignment: try hasOpenAssignment())
        stack = [base]
        try base.refilter(self)
    }

    /// Work is assigned to this reviewer and not all done.
    func hasOpenAssignment() throws -> Bool {
        (try ctx.store.assignments()[ctx.reviewer]?.open ?? 0) > 0
    }

    /// Asks a question over the screen; a question about a record selects it in the list.
    func ask(_ confirm: ConfirmOverlay) {
        push(confirm)
        questionOnTop()
    }

    /// The question on top (if any) shows its record and its text.
    func questionOnTop() {
        guard let q = top as? ConfirmOverlay else { return }
        if case .override(let w) = q.action, let i = list.keys.firstIndex(of: w.key) { list.select(i) }
        ctx.say(q.statusText, .warning)
    }

    // MARK: the stack

    var top: any Screen { stack[stack.count - 1] }

    func push(_ screen: any Screen) { stack.append(screen) }

    /// The app quits: the text index build stops after its batch (the next start goes on).
    func stopBackgroundWork() { textIndexBuilder?.stop() }

    /// Takes the top screen off (never the base list) and lets it let go of its figures.
    func pop() {
        guard stack.count > 1 else { return }
        let gone = stack.removeLast()
        (gone as? any Tracking)?.stopTracking(self)
    }

    /// The full screen drawn: the top-most that is not an overlay.
    var baseScreen: any Screen { stack.last { !$0.isOverlay } ?? stack[0] }

    /// The list that commands about records act on: the top-most list in the stack.
    var list: ReviewListScreen { stack.lazy.compactMap { $0 as? ReviewListScreen }.last! }
    var lists: [ReviewListScreen] { stack.compactMap { $0 as? ReviewListScreen } }

    func topmost<T>(_ type: T.Type) -> T? { stack.last { $0 is T } as? T }

    var mode: Mode { top.mode }

    // MARK: keys

    /// One key: the binding for the top screen's mode (a disabled one says why), else typing into
    /// the open field.
    func handle(_ key: Key) -> Reaction {
        if key == .resize { return .redraw }
        let screen = top
        if let b = Keymap.binding(for: key, in: screen.mode) {
            if let req = b.requires, let reason = screen.unavailable(req) {
                // A disabled Space in the filter bar is just a typed space.
                if let c = key.typedCharacter, let r = screen.type(c, self) { return r }
                ctx.say(reason, .warning)
                return .redraw
            }
            if b.command != .quit { quitWarned = false }
            if b.command.writes, let why = ctx.writeRefusal {
                ctx.say(Localized("未保存：\(why)", "Not saved: \(why)"), .error)
                return .redraw
            }
            return apply(b.command)
        }
        if let c = key.typedCharacter, let r = screen.type(c, self) { return r }
        return []
    }

    /// A command for the top screen; what it does not know falls through to the shared handling.
    func apply(_ command: Command) -> Reaction {
        if let r = top.handle(command, self) { return r }
        switch command {
        case .help:
            push(HelpOverlay())
        case .toggleLanguage:
            ctx.lang = ctx.lang == .zh ? .en : .zh
        case .openFilter:
            push(FilterOverlay(list: list, lang: ctx.lang))
        case .quit:
            return quit()
        default:
            return []
        }
        return .redraw
    }

    /// q: quits, unless something is still unsaved (then once more to drop it).
    func quit() -> Reaction {
        let n = ctx.writes.pending.count
        if n > 0, !quitWarned {
            quitWarned = true
            let why = reconnecting ? Localized("服务器连接中断，正在重连", "the server cannot be reached, reconnecting")
                                   : Localized("数据库忙，正在重试", "database busy, retrying")
            ctx.say(Localized("还有 \(n) 项修改未保存（\(why.zh)）；再按 q 放弃它们并退出",
                              "\(n) change(s) not saved yet (\(why.en)); press q again to drop them and quit"), .error)
            return .redraw
        }
        return .quit
    }

    // MARK: reactions

    /// Runs what a reaction asks, in order: persist before anything is drawn.
    func perform(_ r: Reaction) {
        if r.contains(.persist) { persist() }
        if r.contains(.export) { runExport() }
        takeBackground()
        if r.contains(.refilter) { refilter(list) }
    }

    /// Queries the list on top again (and the dashboards counting its filter); throws what failed.
    func refilter() throws {
        try list.refilter(self)
        for case let d as DashboardScreen in stack where d.list === list { d.track(self) }
    }

    /// Makes sure the statistics index is loaded: waits for the background load, else loads here.
    func ensureIndex() {
        guard !ctx.live.isLoaded else { return }
        while indexJob?.isRunning == true, !takeBackground() { usleep(1000) }
        if !ctx.live.isLoaded {
            do {
                try ctx.live.load(from: ctx.store)
                for l in lists { try l.recomputeStatistics(self) }
            } catch {
                ctx.failed(Localized("统计失败", "Statistics failed"), error)
            }
        }
    }

    /// Queries a list again, and the dashboards counting its filter.
    func refilter(_ l: ReviewListScreen) {
        if l === stack.first { filterMemory?.save(l.rememberedFilter, preset: l.periodPreset) }
        do {
            try l.refilter(self)
            for case let d as DashboardScreen in stack where d.list === l { d.track(self) }
        } catch {
            ctx.failed(Localized("查询失败", "Query failed"), error)
        }
    }

    /// Commits the queued writes; the rows and the figures move only after each commit.
    func persist() {
        // Others' changes first, so ours moves the figures from the state they left.
        if !ctx.writes.pending.isEmpty { syncOthers() }
        let current = list
        let (outcomes, stall) = ctx.writes.persist(store: ctx.store, reviewer: ctx.reviewer) { current.row($0) }
        var known: [(key: RecordKey, record: InteractionRecord)] = []
        for o in outcomes {
            switch o {
            case .saved(let w, let change, let record):
                if let record {
                    for l in lists { l.replaceRow(w.key, record) }
                    known.append((w.key, record))
                }
                ctx.say(change?.savedText ?? Localized("已保存（连接中断前已提交）", "Saved (committed before the connection went)"), .ok)
            case .unchanged(let w):
                switch w.op {
                case .review, .restore: break
                default: ctx.say(Localized("无变化", "unchanged"))
                }
            case .failed(_, StoreError.sampleComplete(let id)):
                // Another two reviewers were quicker: the record needs no third label.
                ctx.say(Localized("记录 \(id) 是双评样本，已有两人标注，不再需要你的标注", "Record \(id) already has its two double-review labels: yours is not needed"),
                        .warning)
            case .failed(_, let error):
                ctx.failed(Localized("未保存", "Not saved"), error)
            case .refused(let w, let why):
                // Never silent: the selection goes back to the record and `y` confirms, `n` leaves
                // their work as it is (several after an outage: one at a time, each on its record).
                ask(ConfirmOverlay(write: w, reason: why))
            }
        }
        // What was saved before a stall moves the figures; the stall's words come last.
        if case .unreachable = stall, known.isEmpty {} else { catchUp(known: known) }
        let n = ctx.writes.pending.count
        switch stall {
        case .busy:
            ctx.say(Localized("数据库忙（另一进程正在写入），\(n) 项未保存，正在重试…",
                              "Database busy (another process is writing): \(n) change(s) not saved yet, retrying…"), .error)
        case .unreachable(let why):
            reconnecting = true
            ctx.say(Localized("⟳ 正在重连数据库服务器… \(n) 项未保存，连上后自动提交（\(why)）",
                              "⟳ Reconnecting to the database server… \(n) change(s) not saved yet, committed once it is back (\(why))"), .error)
        case nil:
            // Back after an outage: said unless a queued write met something to answer (another's
            // work to confirm) or failed — that message stays.
            if reconnecting {
                reconnecting = false
                let saved = outcomes.filter { if case .saved = $0 { true } else { false } }.count
                if saved == outcomes.count {
                    ctx.say(Localized("已重新连上服务器，排队的 \(saved) 项已保存", "Reconnected: \(saved) queued change(s) saved"), .ok)
                }
            }
        }
    }

    /// Moves the figures by the label history since they were last moved (ours and others'), and
    /// has the rows of records others changed meanwhile read again (the history says which).
    private func catchUp(known: [(key: RecordKey, record: InteractionRecord)] = [], othersCommitted: Bool = false) {
        do {
            let update = try ctx.live.catchUp(store: ctx.store, known: known)
            let others = update.recordIds.subtracting(known.map(\.record.id))
            // Others' leases are not in the history: read again only when others committed.
            for l in lists { l.othersChanged(others, leases: othersCommitted) }
            if othersCommitted { ctx.sampleExists = try ctx.store.sampleExists() }
            // Only double-review changes can change how many wait for a supervisor.
            if !update.actions.isDisjoint(with: [.vote, .adjudicate, .sendBack]) { ctx.disputes = try ctx.store.disputeCount() }
            if update.imported { for l in lists { l.recordsArrived(self) } }
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    /// A screen wrote to the store itself (an adjudication): the figures and rows follow.
    func ownWriteDone() { catchUp() }

    /// Picks up other processes' commits (SQLite's data_version): the shown rows are read again
    /// and the figures move by the history. True when something changed.
    @discardableResult
    func syncOthers() -> Bool {
        do {
            let counter = try ctx.store.changeCounter()
            guard counter != lastChangeCounter else { return false }
            lastChangeCounter = counter
        } catch {
            ctx.failed(AppContext.cannotRead, error)
            return true
        }
        // Until the statistics index (which holds the history cursor) is loaded, every row.
        if ctx.live.isLoaded {
            catchUp(othersCommitted: true)
        } else {
            for l in lists { l.dropRows() }
        }
        return true
    }

    /// Called when no key came for a while: background results, the filter bar's pause, queued
    /// writes, other reviewers' commits. True when the screen must be drawn again.
    func tick() -> Bool {
        var changed = takeBackground()
        if list.refilterDue {
            refilter(list)
            changed = true
        }
        if !ctx.writes.pending.isEmpty {
            persist()
            changed = true
        }
        let others = syncOthers()
        list.holdSelection()
        // The poll found the file replaced (a copy renamed over it): said once, before a key is lost.
        if !saidReplaced, let replaced = ctx.replacedMessage {
            saidReplaced = true
            ctx.say(replaced, .error)
            changed = true
        }
        return others || changed
    }

    /// Whether the status line has said that the database file was replaced.
    private var saidReplaced = false

    /// Installs finished background work: the index, a list's keys for its figures.
    @discardableResult
    func takeBackground() -> Bool {
        var changed = false
        if let job = indexJob, let result = job.take() {
            indexJob = nil
            changed = true
            do {
                let (index, seq) = try result.get()
                try ctx.live.install(index, seq: seq, store: ctx.store)
                for l in lists where l.countsByKeys { try l.recomputeStatistics(self) }
            } catch {
                ctx.failed(Localized("统计失败", "Statistics failed"), error)
            }
            HeapTrim.now()
        }
        for l in lists where l.takeKeys(self) { changed = true }
        for l in lists where l.takeSearch(self) { changed = true }
        for k in stack.compactMap({ $0 as? KnowledgeScreen }) where k.takeGaps() { changed = true }
        if let job = integrityJob, let result = job.take() {
            integrityJob = nil
            HeapTrim.now()
            if case .success(let problems) = result, let first = problems.first {
                ctx.damageFound = first
                textIndexBuilder?.stop()
                textIndexBuilder = nil
                ctx.textIndexing = nil
                ctx.say(Localized("数据库已损坏，不再写入任何内容：\(first)", "The database is damaged; nothing more will be written: \(first)"), .error)
                changed = true
            }
        }
        if let b = textIndexBuilder {
            let (p, failure) = b.state
            if let failure {
                textIndexBuilder = nil
                ctx.textIndexing = nil
                ctx.failed(Localized("全文索引未能建立（搜索仍然正确，只是较慢）", "The text index could not be built (searches stay right, only slower)"), failure)
                changed = true
            } else if p.isComplete {
                textIndexBuilder = nil
                ctx.textIndexing = nil
                ctx.say(Localized("全文索引已建立", "Text index built"), .ok)
                changed = true
            } else if Int(p.fraction * 100) != Int((ctx.textIndexing?.fraction ?? 0) * 100) {
                ctx.textIndexing = p
                changed = true
            }
        }
        return changed
    }

    /// Exports the current filter (all of its records, not only the loaded ones), showing progress.
    func runExport() {
        guard let request = exportRequest else { return }
        exportRequest = nil
        var last = Date.distantPast
        let filter = list.filter
        do {
            let s = try RecordExporter.export(
                store: ctx.store, filter: filter, format: request.format, path: request.path, overwrite: request.overwrite,
                describe: filter.describedPairs, rules: ctx.rules, by: ctx.reviewer
            ) { done, total in
                guard Date().timeIntervalSince(last) > 0.1 else { return }
                last = Date()
                self.ctx.say(Localized("正在导出 \(grouped(done))/\(grouped(total)) 条…", "Exporting \(grouped(done))/\(grouped(total))…"))
                self.ctx.onProgress?()
            }
            ctx.say(Localized(String(format: "已导出 %@ 条到 %@（%.1f 秒）", grouped(s.rows), s.file, s.seconds),
                              String(format: "Exported %@ records to %@ (%.1f s)", grouped(s.rows), s.file, s.seconds)), .ok)
        } catch {
            ctx.failed(Localized("导出失败", "Export failed"), error)
        }
    }

    /// Runs the editor for the pending edit (the app has handed it the terminal).
    func runPendingEdit() {
        guard let edit = pendingEdit else { return }
        pendingEdit = nil
        (topmost(KnowledgeScreen.self) ?? KnowledgeScreen(ctx)).runEdit(edit, self)
    }
}

/// An export asked for in the app (the file prompt, then perhaps the overwrite question).
struct ExportRequest {
    let path: String
    let format: ExportFormat
    var overwrite = false
}

/// Screens that keep figures in `LiveStatistics` let go of them when they leave the stack.
protocol Tracking {
    func stopTracking(_ session: ReviewSession)
}
