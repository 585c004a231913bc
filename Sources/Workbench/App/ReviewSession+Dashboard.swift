import Foundation
import Model

/// The dashboard's part of the session: opening it, its keys, and keeping its figures in step.
extension ReviewSession {
    /// The dashboard uses the review filter's organisations, period and business type only.
    var dashboardFilter: RecordFilter {
        RecordFilter(orgs: filter.orgs, fromDay: filter.fromDay, toDay: filter.toDay, biz1: filter.biz1, biz2: filter.biz2)
    }

    /// The review filter's conditions the dashboard leaves out (status, label, text, topic).
    var dashboardIgnoresSomeFilter: Bool {
        filter.status != nil || filter.label != nil || filter.text != nil || filter.topic != nil
    }

    var dashboardCounting: Bool { dashboard != nil && (statsIndex == nil || dashboard?.board == nil) }

    var orgOrder: [String] { reference.organisations.names }

    var backDisabledReason: Localized? {
        returnTo == nil ? Localized("没有可返回的看板", "nothing to go back to") : nil
    }

    var dashboardAcceptDisabledReason: Localized? {
        guard let d = dashboard else { return nil }
        if d.view == .trend { return Localized("趋势图没有可打开的行", "the trend has no rows to open") }
        if d.rowCount(orgOrder) == 0 { return Localized("没有数据", "no data") }
        return nil
    }

    func openDashboard() {
        if dashboard == nil { dashboard = returnTo?.dashboard ?? DashboardState() }
        returnTo = nil
        ensureIndex()
        computeDashboard()
    }

    /// Loads the index the first time (on another thread in the app).
    func ensureIndex() {
        guard statsIndex == nil, indexLoader == nil else { return }
        if backgroundIndex, let other = try? store.openAnother() {
            indexLoader = IndexLoader(store: other, rules: rules)
            return
        }
        do {
            let loaded = try IndexLoader.loadHere(store: store, rules: rules)
            statsIndex = loaded.index
            indexSeq = loaded.historySeq
            syncIndex()
        } catch {
            message = Message(text: Localized("统计失败：\(error)", "Statistics failed: \(error)"), role: .error)
        }
    }

    /// Installs a finished background load. True when the screen must be drawn again.
    func takeIndex() -> Bool {
        guard let loader = indexLoader, let result = loader.take() else { return false }
        indexLoader = nil
        switch result {
        case .success(let loaded):
            statsIndex = loaded.index
            indexSeq = loaded.historySeq
            syncIndex()
            if dashboard != nil { computeDashboard() }
            // A count still running in SQL is overtaken: the index counts the filter at once.
            if statisticsPending { try? recompute() }
        case .failure(let error):
            message = Message(text: Localized("统计失败：\(error)", "Statistics failed: \(error)"), role: .error)
        }
        return true
    }

    /// Counts the dashboard again from the index (10–30 ms at 1,000,000 records).
    func computeDashboard() {
        guard var d = dashboard else { return }
        guard let index = statsIndex else {
            d.board = nil
            dashboard = d
            return
        }
        var board = Dashboard(index: index, query: DashboardQuery(filter: dashboardFilter, bucket: d.bucket))
        do { try board.resolveTexts(store) } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
        d.board = board
        for v in DashboardState.View.allCases {
            d.selection[v] = max(0, min(d.selection[v] ?? 0, { var e = d; e.view = v; return e.rowCount(orgOrder) }() - 1))
        }
        dashboard = d
    }

    /// Moves the index (and the dashboard's figures) by the label history since it was last read:
    /// our own saves and other processes' alike. New records are loaded and counted again.
    func syncIndex() {
        guard let index = statsIndex else { return }
        do {
            var recount = false
            if try store.lastRecordKey() != index.lastKey {
                try index.load(from: store)
                recount = true
            }
            let (changes, last) = try store.historySince(indexSeq)
            indexSeq = last
            let ids = Array(Set(changes.map(\.recordId)))
            for row in try store.statisticsRows(recordIds: ids) {
                guard let ch = index.update(key: row.key, label: row.label, status: row.status, biz1: row.biz1, biz2: row.biz2)
                else { continue }
                if dashboard?.board?.apply(ch, index: index) == false { recount = true }
            }
            if recount, dashboard != nil { computeDashboard() }
        } catch {
            message = Message(text: Localized("读取失败：\(error)", "Cannot read: \(error)"), role: .error)
        }
    }

    func applyDashboard(_ command: Command) -> Reaction {
        guard var d = dashboard else { return [] }
        message = nil
        let rows = d.rowCount(orgOrder)
        func move(_ to: Int) { d.selection[d.view] = max(0, min(to, rows - 1)) }
        switch command {
        case .nextView, .previousView:
            let all = DashboardState.View.allCases
            d.view = all[(d.view.rawValue + (command == .nextView ? 1 : all.count - 1)) % all.count]
        case .down: move(d.selected + 1)
        case .up: move(d.selected - 1)
        case .pageDown: move(d.selected + 10)
        case .pageUp: move(d.selected - 10)
        case .top: move(0)
        case .bottom: move(rows - 1)
        case .cycleSort:
            d.sort = DashboardState.Sort(rawValue: (d.sort.rawValue + 1) % DashboardState.Sort.allCases.count)!
            message = Message(text: Localized("区县按\(d.sort.title.zh)排序", "Counties sorted by \(d.sort.title.en)"), role: .status)
        case .cycleBucket:
            let order: [TimeBucket?] = [nil, .day, .week, .month]
            d.bucket = order[((order.firstIndex { $0 == d.bucket } ?? 0) + 1) % order.count]
            dashboard = d
            computeDashboard()
            return .redraw
        case .toggleAscii:
            d.ascii.toggle()
        case .accept:
            return openFromDashboard(d)
        case .cancel:
            if d.view == .business, d.level1 != nil {
                d.level1 = nil
                d.selection[.business] = 0
            } else {
                dashboard = nil
                return .redraw
            }
        case .closeDashboard:
            dashboard = nil
            return .redraw
        case .openFilter:
            filterForm = FilterForm(filter: filter, preset: periodPreset, lang: lang)
        case .help:
            openHelp()
        case .toggleLanguage:
            switchLanguage()
        case .refresh:
            dashboard = d
            syncIndex()
            computeDashboard()
            return .redraw
        case .quit:
            return applyReviewQuit()
        default:
            return []
        }
        dashboard = d
        return .redraw
    }

    /// Enter: a level-1 type shows its level 2; a county, a level-2 type or a hot question opens
    /// the review list of its records (Esc there comes back).
    private func openFromDashboard(_ d: DashboardState) -> Reaction {
        var d = d
        var f = filter
        f.status = nil
        f.label = nil
        f.text = nil
        switch d.view {
        case .trend:
            return []
        case .counties:
            let rows = d.countyRows(orgOrder)
            guard rows.indices.contains(d.selected) else { return [] }
            f.orgs = [rows[d.selected].name]
        case .business:
            let rows = d.businessRows
            guard rows.indices.contains(d.selected) else { return [] }
            guard let l1 = d.level1 else {
                d.level1 = rows[d.selected].name
                d.selection[.business] = 0
                dashboard = d
                return .redraw
            }
            f.biz1 = l1 == Dashboard.unclassified ? nil : l1
            f.biz2 = rows[d.selected].name == Dashboard.unclassified ? nil : rows[d.selected].name
        case .hot:
            guard let hot = d.board?.hot, hot.indices.contains(d.selected) else { return [] }
            f.topic = TopicFilter(hash: hot[d.selected].topic, title: hot[d.selected].title)
        }
        returnTo = (filter, periodPreset, d)
        filter = f
        dashboard = nil
        focus = .list
        message = Message(text: Localized("Esc 返回看板", "Esc goes back to the dashboard"), role: .status)
        return [.refilter, .redraw]
    }

    /// Esc in a list opened from the dashboard.
    func goBack() -> Reaction {
        guard let back = returnTo else { return [] }
        filter = back.filter
        periodPreset = back.preset
        returnTo = nil
        dashboard = back.dashboard
        ensureIndex()
        return [.refilter, .redraw]
    }
}
