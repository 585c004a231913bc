import Foundation
import Model

/// The supervisors' dashboard on the stack: the figures of the list below it (its organisations,
/// period and business type), a board in `LiveStatistics` that every label moves; its keys here,
/// its state in DashboardState.swift, its drawing in DashboardView.swift.
final class DashboardScreen: Screen, Tracking {
    let ctx: AppContext
    /// The list whose filter it counts (and that `f` edits).
    let list: ReviewListScreen
    let statsName: String
    /// Where it is (view, selection, sort, step); the figures come from `board`.
    var ui = DashboardState()

    init(list: ReviewListScreen, _ session: ReviewSession) {
        ctx = list.ctx
        self.list = list
        statsName = list.ctx.newStatisticsName("dashboard")
        track(session)
        // The knowledge base once (kept until an entry is saved), for TOP10's bot ids.
        _ = try? ctx.knowledgeForLinks()
    }

    var mode: Mode { .dashboard }
    var board: Dashboard? { ctx.live.board(statsName) }
    /// The state with its figures, as the view and the tests read it.
    var state: DashboardState {
        var s = ui
        s.board = board
        s.botEntries = ctx.knowledgeForLinksRead?.matcher.entriesByBotId ?? [:]
        return s
    }
    var counting: Bool { board == nil }
    /// The list's conditions the dashboard leaves out (status, label, text, topic).
    var ignoresSomeFilter: Bool {
        let f = list.filter
        return f.status != nil || f.label != nil || f.text != nil || f.topic != nil
    }

    /// Counts the list's filter (again, when it changed).
    func track(_ session: ReviewSession) {
        do {
            try ctx.live.track(statsName, DashboardQuery(filter: list.dashboardFilter, bucket: ui.bucket), store: ctx.store)
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
        clampSelections()
    }

    func stopTracking(_ session: ReviewSession) {
        try? ctx.live.track(statsName, nil, store: ctx.store)
    }

    /// The reviewers' figures over the dashboard's period (the whole label history is read).
    func loadReviewers() {
        let f = list.dashboardFilter
        do {
            ui.reviewers = try ReviewerFigures.load(ctx.store, from: f.fromDay, to: f.toDay.map { $0 + 86400 })
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    /// A view outside the Tab cycle (`w`, `x`): opened and loaded, or closed back to the counties.
    private func toggle(_ view: DashboardState.View, load: () -> Void) {
        if ui.view == view {
            ui.view = .counties
        } else {
            ui.view = view
            load()
        }
    }

    func loadExports() {
        do {
            ui.exports = try ctx.store.exportLog(limit: 500)
        } catch {
            ctx.failed(AppContext.cannotRead, error)
        }
    }

    private func clampSelections() {
        let s = state
        for v in DashboardState.View.allCases {
            var e = s
            e.view = v
            ui.selection[v] = max(0, min(ui.selection[v] ?? 0, e.rowCount(ctx.orgOrder) - 1))
        }
    }

    func unavailable(_ r: Requirement) -> Localized? {
        if r == .supervisor {
            return ctx.reference.team.notSupervisor(ctx.reviewer).map { Localized("导出记录只给主管看：\($0)", "The export log is for supervisors: \($0)") }
        }
        guard r == .dashboardRow else { return nil }
        if ui.view == .trend { return Localized("趋势图没有可打开的行", "the trend has no rows to open") }
        if ui.view == .reviewers { return Localized("审核员视图没有可打开的行", "the reviewers view has no rows to open") }
        if ui.view == .exports { return Localized("导出记录没有可打开的行", "the export log has no rows to open") }
        if state.rowCount(ctx.orgOrder) == 0 { return Localized("没有数据", "no data") }
        return nil
    }

    func handle(_ command: Command, _ session: ReviewSession) -> Reaction? {
        ctx.message = nil
        var cursor = ListCursor(selected: ui.selected)
        if cursor.move(command, count: state.rowCount(ctx.orgOrder), step: 10) {
            ui.selection[ui.view] = cursor.selected
            return .redraw
        }
        switch command {
        case .nextView, .previousView:
            ui.view = ui.view.cycled(command == .nextView ? 1 : -1)
        case .cycleSort:
            ui.sort = DashboardState.Sort(rawValue: (ui.sort.rawValue + 1) % DashboardState.Sort.allCases.count)!
            ctx.say(Localized("区县按\(ui.sort.title.zh)排序", "Counties sorted by \(ui.sort.title.en)"))
        case .cycleBucket:
            let order: [TimeBucket?] = [nil, .day, .week, .month]
            ui.bucket = order[((order.firstIndex { $0 == ui.bucket } ?? 0) + 1) % order.count]
            track(session)
        case .toggleAscii:
            ui.ascii.toggle()
        case .reviewerFigures:
            toggle(.reviewers, load: loadReviewers)
        case .exportLog:
            toggle(.exports, load: loadExports)
        case .accept:
            return open(session)
        case .cancel:
            if ui.view == .business, ui.level1 != nil {
                ui.level1 = nil
                ui.selection[.business] = 0
            } else {
                session.pop()
            }
        case .closeDashboard:
            session.pop()
        case .refresh:
            session.syncOthers()
            track(session)
            if ui.view == .reviewers { loadReviewers() }
            if ui.view == .exports { loadExports() }
        default:
            return nil
        }
        return .redraw
    }

    /// Enter: a level-1 type shows its level 2; a county, a level-2 type or a hot question opens
    /// a review list of its records above the dashboard (Esc there comes back).
    private func open(_ session: ReviewSession) -> Reaction {
        let s = state
        var f = list.filter
        f.status = nil
        f.label = nil
        f.text = nil
        switch ui.view {
        case .trend, .reviewers, .exports:
            return []
        case .counties:
            let rows = s.countyRows(ctx.orgOrder)
            guard rows.indices.contains(s.selected) else { return [] }
            let name = rows[s.selected].name
            // 未登记机构: the records of every organisation outside the reference data.
            if name == Dashboard.unregistered, !ctx.orgOrder.contains(name), let board {
                f.orgs = board.unregisteredNames(order: ctx.orgOrder)
            } else {
                f.orgs = [name]
            }
        case .business:
            let rows = s.businessRows
            guard rows.indices.contains(s.selected) else { return [] }
            guard let l1 = ui.level1 else {
                ui.level1 = rows[s.selected].name
                ui.selection[.business] = 0
                return .redraw
            }
            f.biz1 = l1 == Dashboard.unclassified ? nil : l1
            f.biz2 = rows[s.selected].name == Dashboard.unclassified ? nil : rows[s.selected].name
        case .hot, .missed:
            guard let hot = ui.view == .hot ? board?.hot : board?.missed, hot.indices.contains(s.selected) else { return [] }
            f.topic = TopicFilter(hash: hot[s.selected].topic, title: hot[s.selected].title)
        }
        let opened = ReviewListScreen(ctx, openedFromDashboard: true)
        opened.filter = f
        opened.periodPreset = list.periodPreset
        session.push(opened)
        ctx.say(Localized("Esc 返回看板", "Esc goes back to the dashboard"))
        return [.refilter, .redraw]
    }
}
