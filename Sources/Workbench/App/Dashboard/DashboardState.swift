import Model

/// The supervisors' dashboard as the session holds it: which view, where the selection is, how
/// the counties are sorted, the trend's step, and the figures (a `Dashboard` from the statistics
/// index, moved by each label change rather than counted again).
struct DashboardState {
    enum View: Int, CaseIterable, Sendable {
        case counties, trend, business, hot
        /// 未命中TOP10: the questions the bot answered from no knowledge, most asked first.
        case missed
        /// 审核员/质量 (`w`): outside the Tab cycle, from the label history rather than the board.
        case reviewers
        /// 导出记录 (`x`, supervisors): every export, from the export log.
        case exports

        /// The views Tab steps through.
        static var allCases: [View] { [.counties, .trend, .business, .hot, .missed] }

        var title: Localized {
            switch self {
            case .counties: Localized("区县/机构", "Counties")
            case .trend: Localized("趋势", "Trend")
            case .business: Localized("业务类型", "Business types")
            case .hot: Localized("热点TOP10", "Hot TOP10")
            case .missed: Localized("未命中TOP10", "Missed TOP10")
            case .reviewers: Localized("审核员/质量", "Reviewers")
            case .exports: Localized("导出记录", "Exports")
            }
        }
    }

    /// What the county bars are sorted by (`o` steps through them).
    enum Sort: Int, CaseIterable, Sendable {
        case accuracy, hitRate, volume, name

        var title: Localized {
            switch self {
            case .accuracy: Localized("准确率", "accuracy")
            case .hitRate: Localized("命中率", "hit rate")
            case .volume: Localized("问题量", "questions")
            case .name: Localized("机构顺序", "organisation order")
            }
        }
    }

    var view: View = .counties
    var selection: [View: Int] = [:]
    /// The level-1 business type drilled into (`Enter`), or nil for the level-1 table.
    var level1: String?
    var sort: Sort = .accuracy
    /// nil: chosen from the period's length.
    var bucket: TimeBucket?
    var ascii = false
    /// The figures (`DashboardScreen.state` fills them in from `LiveStatistics`).
    var board: Dashboard?
    /// Our entry for each of the bot's knowledge ids (TOP10 says `KB00790 = 本库 KB-00041`).
    var botEntries: [String: KnowledgeEntry] = [:]
    /// The reviewers' figures, read when the view is opened (`w`) or refreshed (`R`).
    var reviewers: ReviewerFigures?
    /// The export log, newest first (`x`).
    var exports: [ExportLogEntry]?

    var selected: Int { selection[view] ?? 0 }

    /// The county rows in the chosen order; unreliable figures sort after reliable ones.
    func countyRows(_ order: [String]) -> [(name: String, tally: Tally)] {
        guard let board else { return [] }
        let rows = board.byOrg(order: order)
        func key(_ t: Tally) -> Double? {
            switch sort {
            case .accuracy: t.accuracy.value
            case .hitRate: t.hitRate.value
            case .volume: Double(t.valid)
            case .name: nil
            }
        }
        guard sort != .name else { return rows }
        return rows.enumerated().sorted { a, b in
            let ka = key(a.element.tally) ?? -1, kb = key(b.element.tally) ?? -1
            if sort != .volume {
                let ra = a.element.tally.accuracy.isReliable, rb = b.element.tally.accuracy.isReliable
                if ra != rb { return ra }
            }
            return ka != kb ? ka > kb : a.offset < b.offset
        }.map(\.element)
    }

    /// The business-type rows of the current level.
    var businessRows: [(name: String, tally: Tally)] {
        guard let board else { return [] }
        return level1.map { board.byBiz2(of: $0) } ?? board.byBiz1()
    }

    func rowCount(_ order: [String]) -> Int {
        switch view {
        case .counties: countyRows(order).count
        case .trend: 0
        case .business: businessRows.count
        case .hot: board?.hot.count ?? 0
        case .missed: board?.missed.count ?? 0
        case .reviewers: reviewers?.rows.count ?? 0
        case .exports: exports?.count ?? 0
        }
    }
}
