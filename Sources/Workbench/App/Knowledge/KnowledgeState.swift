import Foundation
import Model

/// The knowledge screen as the session holds it: the entries, the matcher built from them, which
/// view (entries by region × business type, the coverage matrix, the gap backlog), the open
/// entry and its history, and an edit waiting for the editor.
struct KnowledgeState {
    enum View: Int, CaseIterable, Sendable {
        case entries, coverage, gaps

        var title: Localized {
            switch self {
            case .entries: Localized("知识条目", "Entries")
            case .coverage: Localized("覆盖矩阵", "Coverage")
            case .gaps: Localized("缺口（业务缺失）", "Gaps (missing KB)")
            }
        }
    }

    /// Records labelled 业务缺失 that ask the same thing in the same region (Model's gap backlog).
    typealias Gap = KnowledgeGap

    var view: View = .entries
    /// The entries as read; the topics and the entries view's rows are derived when they change.
    var entries: [KnowledgeEntry] = [] {
        didSet { topics = Self.topics(of: entries) }
    }
    var matcher: KnowledgeMatcher?
    /// Topics in business-type order, each with its entries by region.
    private(set) var topics: [Topic] = []
    /// The entries view's rows (`refresh`), for today and the stale limit.
    private(set) var visible: [KnowledgeEntry] = []
    var selection: [View: Int] = [:]
    /// Entries view: one region only (nil: all), and stale ones only.
    var region: String?
    /// Entries view: one level-1 business type only (nil: all).
    var biz1: String?
    var staleOnly = false
    /// Coverage view: the selected region column (0 = 全市).
    var column = 0
    var gaps: [Gap]?
    /// How many 业务缺失 records the backlog read (the newest first, at most `gapLimit`).
    var gapRecords = 0
    /// The backlog is being read in the background: records read and in all.
    var gapLoading: (Int, Int)?
    static let gapLimit = 20_000
    /// The entry shown in full, with its history lines.
    var openEntry: KnowledgeEntry?
    var history: [String] = []
    var detailScroll = ScrollOffset()
    /// `x` once asks, twice retires.
    var retireArmed = false

    var selected: Int { selection[view] ?? 0 }

    typealias Topic = (topic: String, biz: String, byRegion: [String: [KnowledgeEntry]])

    /// In force today, and stale (the header's counts).
    private(set) var inForce = 0
    private(set) var stale = 0
    /// The coverage matrix: per topic, a cell per region (`regions` order).
    private(set) var coverage: [[CoverageCell]] = []
    /// Per region, how many topics have an own entry.
    private(set) var ownTopics: [Int] = []

    /// Derives what the views show (after the entries, a filter or the day changed), so drawing
    /// only reads.
    mutating func refresh(today: Int64, staleDays: Int, regions: [String], cityWide: String) {
        visible = visibleEntries(today: today, staleDays: staleDays)
        inForce = entries.filter { $0.inForce(on: today) }.count
        stale = entries.filter { $0.isStale(today: today, days: staleDays) }.count
        coverage = topics.map { t in
            regions.map { CoverageCell.of(t.byRegion, region: $0, cityWide: cityWide, today: today, staleDays: staleDays) }
        }
        ownTopics = regions.indices.map { i in
            coverage.filter { if case .own = $0[i] { return true } else { return false } }.count
        }
    }

    func visibleEntries(today: Int64, staleDays: Int) -> [KnowledgeEntry] {
        entries.filter { e in
            (region == nil || e.region == region) && (biz1 == nil || e.biz1 == biz1)
                && (!staleOnly || e.isStale(today: today, days: staleDays))
        }.sorted { a, b in
            (a.biz1 ?? "", a.biz2 ?? "", a.topic, a.region) < (b.biz1 ?? "", b.biz2 ?? "", b.topic, b.region)
        }
    }

    static func topics(of entries: [KnowledgeEntry]) -> [Topic] {
        var order: [String] = []
        var map: [String: [String: [KnowledgeEntry]]] = [:]
        var biz: [String: String] = [:]
        for e in entries {
            if map[e.topic] == nil { order.append(e.topic); biz[e.topic] = e.businessType }
            map[e.topic, default: [:]][e.region, default: []].append(e)
        }
        return order.sorted { (biz[$0]!, $0) < (biz[$1]!, $1) }.map { ($0, biz[$0]!, map[$0]!) }
    }

    var rowCount: Int {
        switch view {
        case .entries: visible.count
        case .coverage: topics.count
        case .gaps: gaps?.count ?? 0
        }
    }
}

/// What the coverage matrix shows for one topic in one region.
enum CoverageCell: Equatable {
    /// The region's own entry answers (stale: past its end or not reviewed for long).
    case own(stale: Bool)
    /// No own entry in force: the 全市 entry answers.
    case fallsBack
    /// The region's own entry has passed its end date (or not started): the 全市 entry answers
    /// meanwhile, but the county's answer is stale, not missing (issue 17: 如东县 KB-00116).
    case expired
    /// Nothing in force answers there.
    case none

    static func of(_ byRegion: [String: [KnowledgeEntry]], region: String, cityWide: String, today: Int64, staleDays: Int)
        -> CoverageCell
    {
        if let own = byRegion[region]?.first(where: { $0.inForce(on: today) }) {
            return .own(stale: own.isStale(today: today, days: staleDays))
        }
        let lapsed = region != cityWide && byRegion[region]?.contains(where: { $0.state == .active }) == true
        if lapsed { return .expired }
        if region != cityWide, byRegion[cityWide]?.contains(where: { $0.inForce(on: today) }) == true { return .fallsBack }
        return .none
    }
}
