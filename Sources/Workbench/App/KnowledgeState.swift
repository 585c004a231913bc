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
            case .gaps: Localized("缺口（业务缺失）", "Gaps (missing knowledge)")
            }
        }
    }

    /// Records labelled 业务缺失 that ask the same thing in the same region.
    struct Gap: Sendable {
        let wording: String
        let region: String
        let count: Int
        let latest: Int64
        let biz1: String?
        let biz2: String?
        /// What the knowledge base answers for it today (nil: nothing).
        let answeredBy: String?
    }

    var view: View = .entries
    var entries: [KnowledgeEntry] = []
    var matcher: KnowledgeMatcher?
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
    static let gapLimit = 20_000
    /// The entry shown in full, with its history lines.
    var openEntry: KnowledgeEntry?
    var history: [String] = []
    var detailScroll = 0
    /// `x` once asks, twice retires.
    var retireArmed = false

    var selected: Int { selection[view] ?? 0 }

    func visibleEntries(today: Int64, staleDays: Int) -> [KnowledgeEntry] {
        entries.filter { e in
            (region == nil || e.region == region) && (biz1 == nil || e.biz1 == biz1)
                && (!staleOnly || e.isStale(today: today, days: staleDays))
        }.sorted { a, b in
            (a.biz1 ?? "", a.biz2 ?? "", a.topic, a.region) < (b.biz1 ?? "", b.biz2 ?? "", b.topic, b.region)
        }
    }

    /// Topics in business-type order, each with its entries by region.
    var topics: [(topic: String, biz: String, byRegion: [String: [KnowledgeEntry]])] {
        var order: [String] = []
        var map: [String: [String: [KnowledgeEntry]]] = [:]
        var biz: [String: String] = [:]
        for e in entries {
            if map[e.topic] == nil { order.append(e.topic); biz[e.topic] = e.businessType }
            map[e.topic, default: [:]][e.region, default: []].append(e)
        }
        return order.sorted { (biz[$0]!, $0) < (biz[$1]!, $1) }.map { ($0, biz[$0]!, map[$0]!) }
    }

    func rowCount(today: Int64, staleDays: Int) -> Int {
        switch view {
        case .entries: visibleEntries(today: today, staleDays: staleDays).count
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
    /// Nothing in force answers there.
    case none

    static func of(_ byRegion: [String: [KnowledgeEntry]], region: String, cityWide: String, today: Int64, staleDays: Int)
        -> CoverageCell
    {
        if let own = byRegion[region]?.first(where: { $0.inForce(on: today) }) {
            return .own(stale: own.isStale(today: today, days: staleDays))
        }
        if region != cityWide, byRegion[cityWide]?.contains(where: { $0.inForce(on: today) }) == true { return .fallsBack }
        return .none
    }
}
