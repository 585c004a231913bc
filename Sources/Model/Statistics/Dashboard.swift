// Reason this file is long (503 lines, not one file per feature part): a board's query, its tables and the one pass over the statistics index
// that fills them all together (splitting the pass would read the index once per table).
/// What a dashboard or report counts: the review filter's organisations, period and business type
/// (and label or status when a report asks), optionally only some records (a text search's).
public struct DashboardQuery: Equatable, Sendable {
    public var filter: RecordFilter
    /// Only these records (a text or topic filter, which the index cannot test itself); the review
    /// list's own keys when they are the same, not a copy.
    public var keys: KeyList?
    /// The trend's step; nil chooses it from the period's length.
    public var bucket: TimeBucket?
    public var top: Int

    public init(filter: RecordFilter, keys: KeyList? = nil, bucket: TimeBucket? = nil, top: Int = 10) {
        self.filter = filter
        self.keys = keys
        self.bucket = bucket
        self.top = top
    }

    public init(filter: RecordFilter, keys: [RecordKey]?, bucket: TimeBucket? = nil, top: Int = 10) {
        self.init(filter: filter, keys: keys.map { KeyList($0) }, bucket: bucket, top: top)
    }

    /// Whether the index must be given the filter's keys (it cannot test text or topic itself).
    public static func needsKeys(_ f: RecordFilter) -> Bool { !f.textQuery.isEmpty || f.topic != nil || f.assignee != nil }
}

/// How a table groups records.
public enum Grouping: String, CaseIterable, Sendable {
    case org, biz1, biz2, day, week, month
}

/// One TOP10 hot question.
public struct HotQuestion: Equatable, Sendable {
    public let topic: Int64
    public var count: Int { tally.valid }
    public internal(set) var tally: Tally
    /// A record asked in the most common wording, and one carrying the topic's standard question.
    public let wordingKey: RecordKey
    /// Filled by `Dashboard.resolveTexts`: the most common wording, and the standard question /
    /// knowledge id when the group is by those.
    public internal(set) var wording: String = ""
    public internal(set) var standardQuestion: String?
    public internal(set) var knowledgeId: String?
    /// How many distinct wordings the group has.
    public let wordings: Int
    /// 未命中TOP10 only: the organisations that asked, with how many times, most first (ties by
    /// name); empty in the hot list.
    public internal(set) var askedBy: [OrgCount] = []

    /// What a table shows first: the standard question, else the most common wording.
    public var title: String { standardQuestion ?? wording }
}

/// An organisation and how many of a group's questions it asked.
public struct OrgCount: Equatable, Sendable {
    public let org: String
    public let count: Int

    public init(org: String, count: Int) {
        self.org = org
        self.count = count
    }
}

/// Every figure of the supervisors' dashboard for one query, from one pass over the index, kept
/// as counts per contribution class so a label change moves it without counting again.
public struct Dashboard: Sendable {
    public let query: DashboardQuery
    public private(set) var bucket: TimeBucket
    /// The days the trend covers (the period, or the records' first and last day).
    public let firstDay: Int32
    public let lastDay: Int32
    public private(set) var hot: [HotQuestion]
    /// TOP N among the questions the bot did not answer from its knowledge (no hit, or a fallback),
    /// grouped by normalised question text: what the knowledge base lacks (issue 16, point 13).
    /// Only the bureau's own questions: not small talk, not those whose business type is
    /// 非人社事项 (`HitRules.outOfScopeLevel1`) and not those labelled 非人社职能 — the bureau's
    /// knowledge base is not meant to answer 电动车上牌 or 营业执照. Every one is a miss, so a
    /// hit rate means nothing here: a table shows the count, its share of `missedTotal`, the
    /// most common wording and `askedBy`. Counted when the board is made (a label moves it at the
    /// next count, not live).
    public private(set) var missed: [HotQuestion] = []
    /// Every in-scope miss the query selects (what `missed` shares are of).
    public private(set) var missedTotal = 0
    let classes = StatisticsIndex.classCount
    private(set) var orgCounts: [Int32]
    private(set) var pairCounts: [Int32]
    private(set) var dayCounts: [Int32]
    let orgNames: [String]
    let bizPairs: [(biz1: String?, biz2: String?)]
    let pairLevel1: [UInt16]
    let biz1Names: [String?]
    /// Positions (in the index) of the records the query selects, when it gave keys.
    private let member: [Bool]?
    private let hotRank: [UInt32: Int]

    // MARK: computing

    public init(index: StatisticsIndex, query: DashboardQuery) {
        precondition(query.top == 0 || index.hasTopics, "TOP N needs the index's topics (loadTopics)")
        self.query = query
        let f = query.filter
        let orgAllowed: [Bool]? = f.orgs.isEmpty ? nil : index.orgNames.map { f.orgs.contains($0) }
        let pairAllowed: [Bool] = index.bizPairs.map { Self.pairMatches($0, f) }
        let wantLabel: UInt8? = f.label.map { UInt8(Tally.index($0) + 1) }
        let wantStatus: UInt8? = f.status.map { StatisticsIndex.labelStatusCode(nil, $0) >> 3 }
        let loDay = f.fromDay.map { StatisticsIndex.day(of: $0) } ?? Int32.min
        let hiDay = f.toDay.map { StatisticsIndex.day(of: $0) } ?? Int32.max

        // The trend's range: the period, or the index's days (narrowed to the records found below).
        let rangeLo = f.fromDay != nil ? loDay : (index.count > 0 ? index.minDay : 0)
        let rangeHi = f.toDay != nil ? hiDay : (index.count > 0 ? index.maxDay : 0)
        let span = max(0, Int(rangeHi) - Int(rangeLo) + 1)
        // A period of decades would make a huge day table; such a query is not a dashboard's.
        let dayTable = min(span, 366 * 20)

        let c = StatisticsIndex.classCount
        var orgCounts = [Int32](repeating: 0, count: index.orgNames.count * c)
        var pairCounts = [Int32](repeating: 0, count: index.bizPairs.count * c)
        var dayCounts = [Int32](repeating: 0, count: dayTable * c)
        // Topics are counted only when TOP N is asked for (the review panel asks for none).
        let countTopics = query.top > 0
        var topicCounts = [Int32](repeating: 0, count: countTopics ? index.topicHashes.count : 0)
        var missCounts = [Int32](repeating: 0, count: countTopics ? index.topicHashes.count : 0)
        var firstSeen = Int32.max, lastSeen = Int32.min
        var missedTotal = 0
        let outOfScope = index.pairIsOutOfScope
        let outOfScopeLabel = UInt8(Tally.index(.outOfScope) + 1)
        /// An in-scope miss (hit classes 0 and 2: by the log, by the fallback template).
        @inline(__always) func inScopeMiss(_ hit: UInt8, _ pair: UInt16, _ ls: UInt8) -> Bool {
            hit & 1 == 0 && !outOfScope[Int(pair)] && ls & 7 != outOfScopeLabel
        }

        var member: [Bool]? = nil
        if let keys = query.keys {
            var m = [Bool](repeating: false, count: index.count)
            for k in keys { if let i = index.index(of: k) { m[i] = true } }
            member = m
        }
        self.member = member

        @inline(__always) func passes(_ i: Int, _ d: Int32, _ org: UInt8, _ pair: UInt16, _ ls: UInt8) -> Bool {
            if d < loDay || d > hiDay { return false }
            if let orgAllowed, !orgAllowed[Int(org)] { return false }
            if !pairAllowed[Int(pair)] { return false }
            if let wantLabel, ls & 7 != wantLabel { return false }
            if let wantStatus, ls >> 3 != wantStatus { return false }
            return true
        }

        let smallTalk = index.pairIsSmallTalk
        index.days.withReader { days in
        index.orgs.withUnsafeBufferPointer { orgs in
        index.bizs.withUnsafeBufferPointer { bizs in
        index.marks.withUnsafeBufferPointer { marks in
        index.topics.withUnsafeBufferPointer { topics in
            orgCounts.withUnsafeMutableBufferPointer { oc in
            pairCounts.withUnsafeMutableBufferPointer { pc in
            dayCounts.withUnsafeMutableBufferPointer { dc in
            topicCounts.withUnsafeMutableBufferPointer { tc in
            missCounts.withUnsafeMutableBufferPointer { mc in
                // The day comes in: a pass over every record reads it from the column's own
                // width, so the loop does not ask which width on every record (+12% it cost).
                func visit(_ i: Int, _ d: Int32) {
                    // `passes`, each column read only when the one before let the record through.
                    if d < loDay || d > hiDay { return }
                    let o = orgs[i]
                    if let orgAllowed, !orgAllowed[Int(o)] { return }
                    let p = bizs[i]
                    if !pairAllowed[Int(p)] { return }
                    let m = marks[i]
                    let l = StatisticsIndex.labelStatus(m)
                    if let wantLabel, l & 7 != wantLabel { return }
                    if let wantStatus, l >> 3 != wantStatus { return }
                    let talk = smallTalk[Int(p)]
                    let cls = StatisticsIndex.contributionClass(smallTalk: talk, mark: m)
                    oc[Int(o) * c + cls] += 1
                    pc[Int(p) * c + cls] += 1
                    let di = Int(d) - Int(rangeLo)
                    if di >= 0 && di < dayTable { dc[di * c + cls] += 1 }
                    if d < firstSeen { firstSeen = d }
                    if d > lastSeen { lastSeen = d }
                    if countTopics, !talk {
                        tc[Int(topics[i])] += 1
                        if inScopeMiss(StatisticsIndex.hitClass(m), p, l) {
                            mc[Int(topics[i])] += 1
                            missedTotal += 1
                        }
                    }
                }
                if let keys = query.keys {
                    for k in keys { if let i = index.index(of: k) { visit(i, days[i]) } }
                } else if let wide = days.wide {
                    for i in 0..<wide.count { visit(i, wide[i]) }
                } else {
                    let narrow = days.narrow
                    for i in 0..<narrow.count { visit(i, Int32(narrow[i])) }
                }
            } } } } }
        } } } } }

        // Without a period the trend spans the records found (not the whole index).
        let first: Int32, last: Int32
        if firstSeen > lastSeen {
            (first, last) = (f.fromDay != nil ? rangeLo : 0, f.toDay != nil ? rangeHi : -1)
        } else {
            first = f.fromDay != nil ? rangeLo : firstSeen
            last = f.toDay != nil ? rangeHi : lastSeen
        }
        firstDay = first
        lastDay = last
        if first != rangeLo, span > 0 {
            // Move the day table to start at `first` (cheap: a few hundred days).
            let shift = Int(first) - Int(rangeLo)
            let days = max(0, Int(last) - Int(first) + 1)
            var moved = [Int32](repeating: 0, count: min(days, dayTable) * c)
            for d in 0..<min(days, dayTable) where (d + shift) < dayTable {
                for k in 0..<c { moved[d * c + k] = dayCounts[(d + shift) * c + k] }
            }
            dayCounts = moved
        }
        bucket = query.bucket ?? TimeBucket.auto(spanDays: max(1, Int(last) - Int(first) + 1))

        // TOP N topics by valid questions (and by missed ones); ties by first appearance, so the
        // order is stable.
        func best(of counts: [Int32]) -> [(count: Int32, topic: UInt32)] {
            var out: [(count: Int32, topic: UInt32)] = []
            guard query.top > 0 else { return out }
            counts.withUnsafeBufferPointer { tc in
                for t in 0..<tc.count where tc[t] > 0 {
                    let n = tc[t]
                    if out.count == query.top, let worst = out.last, worst.count >= n { continue }
                    let at = out.firstIndex { $0.count < n } ?? out.count
                    out.insert((n, UInt32(t)), at: at)
                    if out.count > query.top { out.removeLast() }
                }
            }
            return out
        }
        let lists = [best(of: topicCounts), best(of: missCounts)]
        var rank: [UInt32: Int] = [:]
        for (r, b) in lists[0].enumerated() { rank[b.topic] = r }
        hotRank = rank
        // The same as arrays by topic code for the second pass: a dictionary lookup per record
        // was most of a recompute's 25-30 ms at 1,000,000 records.
        let anyTop = !lists[0].isEmpty || !lists[1].isEmpty
        var rankOf = lists.map { list -> [Int16] in
            var a = [Int16](repeating: -1, count: anyTop ? index.topicHashes.count : 0)
            for (r, b) in list.enumerated() { a[Int(b.topic)] = Int16(r) }
            return a
        }
        // Second pass over the listed topics' records: their tallies and wordings (the missed
        // list counts only its misses).
        var counts = lists.map { [Int32](repeating: 0, count: $0.count * c) }
        var wordingCounts = lists.map { [[Int64: (n: Int, key: RecordKey)]](repeating: [:], count: $0.count) }
        // Who asked each missed topic: counts by organisation code.
        var missedOrgs = [[Int]](repeating: [Int](repeating: 0, count: index.orgNames.count), count: lists[1].count)
        if anyTop {
            func visit(_ i: Int) {
                let topic = Int(index.topics[i])
                guard rankOf[0][topic] >= 0 || rankOf[1][topic] >= 0 else { return }
                let p = index.bizs[i]
                let ls = index.labelStatus(at: i)
                guard !smallTalk[Int(p)], passes(i, index.days[i], index.orgs[i], p, ls) else { return }
                for l in 0..<2 {
                    let r = Int(rankOf[l][topic])
                    guard r >= 0, l == 0 || inScopeMiss(index.hitClass(at: i), p, ls) else { continue }
                    counts[l][r * c + index.contributionClass(i)] += 1
                    if l == 1 { missedOrgs[r][Int(index.orgs[i])] += 1 }
                    let w = index.wordings[i]
                    if let e = wordingCounts[l][r][w] { wordingCounts[l][r][w] = (e.n + 1, e.key) }
                    else { wordingCounts[l][r][w] = (1, index.key(at: i)) }
                }
            }
            if let keys = query.keys {
                for k in keys { if let i = index.index(of: k) { visit(i) } }
            } else {
                for i in 0..<index.count { visit(i) }
            }
        }
        rankOf = []
        let made = (0..<2).map { l in
            lists[l].enumerated().map { r, b -> HotQuestion in
                let common = wordingCounts[l][r].max { $0.value.n != $1.value.n ? $0.value.n < $1.value.n : $0.value.key > $1.value.key }
                let t = counts[l].withUnsafeBufferPointer { StatisticsIndex.tally(UnsafeBufferPointer(rebasing: $0[(r * c)..<(r * c + c)])) }
                return HotQuestion(topic: index.topicHashes[Int(b.topic)], tally: t, wordingKey: common?.value.key ?? 0,
                                   wordings: wordingCounts[l][r].count)
            }
        }
        hot = made[0]
        missed = made[1]
        for r in missed.indices {
            missed[r].askedBy = missedOrgs[r].enumerated().filter { $0.element > 0 }
                .map { OrgCount(org: index.orgNames[$0.offset], count: $0.element) }
                .sorted { $0.count != $1.count ? $0.count > $1.count : $0.org < $1.org }
        }
        self.missedTotal = missedTotal
        let hotCounts = counts[0]
        self.hotCounts = hotCounts
        self.orgCounts = orgCounts
        self.pairCounts = pairCounts
        self.dayCounts = dayCounts
        orgNames = index.orgNames
        bizPairs = index.bizPairs
        pairLevel1 = index.pairLevel1
        biz1Names = index.biz1Names
        orgAllowedNames = Set(f.orgs)
        if query.bucket == nil { bucket = Self.step(by: self) }
    }

    /// The trend's step when none is asked for: from the period's length, then coarser until a
    /// typical step holds 20 judged labels (a county-month by day drew mostly hidden points,
    /// n < 20: issue 16, point 5). Steps with no records do not count.
    static func step(by d: Dashboard) -> TimeBucket {
        let all = TimeBucket.allCases
        let finest = all.firstIndex(of: d.bucket) ?? 0
        for b in all[finest...] {
            let judged = d.series(b).map(\.tally.accuracy.denominator).filter { $0 > 0 }.sorted()
            if judged.isEmpty || judged[judged.count / 2] >= Ratio.reliableN { return b }
        }
        return .month
    }

    private var hotCounts: [Int32]
    private let orgAllowedNames: Set<String>

    static func pairMatches(_ pair: (biz1: String?, biz2: String?), _ f: RecordFilter) -> Bool {
        if let b = f.biz1, pair.biz1 != b { return false }
        if let b = f.biz2, pair.biz2 != b { return false }
        return true
    }

    /// Looks up the hot questions' wording and standard question (a few records by key).
    public mutating func resolveTexts(_ store: any RecordStore) throws {
        let found = try store.records(keys: (hot + missed).map(\.wordingKey))
        func fill(_ list: inout [HotQuestion]) {
            for i in list.indices {
                guard let r = found[list[i].wordingKey] else { continue }
                list[i].wording = r.question
                let sq = r.standardQuestion?.trimmed ?? ""
                list[i].standardQuestion = sq.isEmpty ? nil : sq
                let k = r.knowledgeId?.trimmed ?? ""
                list[i].knowledgeId = k.isEmpty ? nil : k
            }
        }
        fill(&hot)
        fill(&missed)
    }

    // MARK: reading

    private func tally(_ counts: [Int32], _ group: Int) -> Tally {
        let c = classes
        guard (group + 1) * c <= counts.count else { return Tally() }
        return counts.withUnsafeBufferPointer { StatisticsIndex.tally(UnsafeBufferPointer(rebasing: $0[(group * c)..<(group * c + c)])) }
    }

    /// Every record the query selects.
    public var total: Tally {
        (0..<orgNames.count).reduce(Tally()) { $0 + tally(orgCounts, $1) }
    }

    /// The one row for records whose organisation is not in the reference data (issue 36).
    public static let unregistered = "未登记机构"

    /// Per organisation, in the order of `names` (the reference list); groups without records are
    /// left out unless the filter named them. With `names`, records of any other organisation are
    /// one row, `未登记机构`, at the end (an organisation the filter named keeps its own row);
    /// without, every stored name is its own row.
    public func byOrg(order names: [String] = []) -> [(name: String, tally: Tally)] {
        var out: [(String, Tally)] = []
        var done = Set<String>()
        var unregistered = Tally()
        let registered = Set(names)
        for n in names + orgNames where !done.contains(n) {
            done.insert(n)
            guard let i = orgNames.firstIndex(of: n) else {
                if orgAllowedNames.contains(n) { out.append((n, Tally())) }
                continue
            }
            let t = tally(orgCounts, i)
            if !names.isEmpty, !registered.contains(n), !orgAllowedNames.contains(n) {
                unregistered = unregistered + t
                continue
            }
            if t.records > 0 || orgAllowedNames.contains(n) { out.append((n, t)) }
        }
        if unregistered.records > 0 { out.append((Self.unregistered, unregistered)) }
        return out
    }

    /// The stored names `byOrg(order:)` counts under `未登记机构`: not in `names`, not named by
    /// the filter, with records in the query (the dashboard's Enter lists their records).
    public func unregisteredNames(order names: [String]) -> [String] {
        let known = Set(names)
        return orgNames.indices.filter { i in
            !known.contains(orgNames[i]) && !orgAllowedNames.contains(orgNames[i]) && tally(orgCounts, i).records > 0
        }.map { orgNames[$0] }
    }

    public static let unclassified = "未分类"

    /// Level-1 business types with records, largest first.
    public func byBiz1() -> [(name: String, tally: Tally)] {
        var sums: [UInt16: Tally] = [:]
        for p in bizPairs.indices {
            let t = tally(pairCounts, p)
            if t.records > 0 { sums[pairLevel1[p], default: Tally()] = sums[pairLevel1[p], default: Tally()] + t }
        }
        return sums.map { (biz1Names[Int($0.key)] ?? Self.unclassified, $0.value) }
            .sorted { $0.1.records != $1.1.records ? $0.1.records > $1.1.records : $0.0 < $1.0 }
    }

    /// Level-2 types under one level 1 (`未分类` for none), largest first.
    public func byBiz2(of level1: String) -> [(name: String, tally: Tally)] {
        var out: [(String, Tally)] = []
        for (p, pair) in bizPairs.enumerated() where (pair.biz1 ?? Self.unclassified) == level1 {
            let t = tally(pairCounts, p)
            if t.records > 0 { out.append((pair.biz2 ?? Self.unclassified, t)) }
        }
        return out.sorted { $0.1.records != $1.1.records ? $0.1.records > $1.1.records : $0.0 < $1.0 }
    }

    /// Every level-2 type as `一级/二级`, largest first.
    public func byBiz2() -> [(name: String, tally: Tally)] {
        byBiz1().flatMap { l1 in byBiz2(of: l1.name).map { ("\(l1.name)/\($0.name)", $0.tally) } }
            .sorted { $0.1.records != $1.1.records ? $0.1.records > $1.1.records : $0.0 < $1.0 }
    }

    /// The trend: one tally per bucket from the first day to the last, empty buckets included.
    public func series(_ bucket: TimeBucket? = nil) -> [(start: Int32, tally: Tally)] {
        let b = bucket ?? self.bucket
        guard lastDay >= firstDay else { return [] }
        var out: [(Int32, Tally)] = []
        var start = b.start(of: firstDay)
        while start <= lastDay {
            let next = b.next(after: start)
            var t = Tally()
            for d in max(start, firstDay)..<min(next, lastDay + 1) { t = t + tally(dayCounts, Int(d - firstDay)) }
            out.append((start, t))
            start = next
        }
        return out
    }

    /// The table a report's `--by` asks for.
    public func groups(_ g: Grouping, orgOrder: [String] = []) -> [(name: String, tally: Tally)] {
        switch g {
        case .org: byOrg(order: orgOrder)
        case .biz1: byBiz1()
        case .biz2: byBiz2()
        case .day, .week, .month:
            series(TimeBucket(rawValue: g.rawValue)!).map { (TimeBucket.date($0.start), $0.tally) }
        }
    }

    // MARK: keeping up

    /// Moves the figures by one record's change (`StatisticsIndex.update`). Returns false when the
    /// change moves the record in or out of the query (a label filter, a business-type correction
    /// under a business-type filter): then the caller computes the dashboard again.
    public mutating func apply(_ ch: StatisticsIndex.Change, index: StatisticsIndex) -> Bool {
        let i = ch.index
        if let member, i >= member.count || !member[i] { return true }
        let f = query.filter
        let d = index.days[i]
        if let lo = f.fromDay.map({ StatisticsIndex.day(of: $0) }), d < lo { return true }
        if let hi = f.toDay.map({ StatisticsIndex.day(of: $0) }), d > hi { return true }
        let org = index.orgNames[Int(index.orgs[i])]
        if !f.orgs.isEmpty, !f.orgs.contains(org) { return true }
        func selected(_ pair: UInt16, _ ls: UInt8) -> Bool {
            guard Self.pairMatches(index.bizPairs[Int(pair)], f) else { return false }
            if let l = f.label, ls & 7 != UInt8(Tally.index(l) + 1) { return false }
            if let s = f.status, ls >> 3 != StatisticsIndex.labelStatusCode(nil, s) >> 3 { return false }
            return true
        }
        let before = selected(ch.oldBiz, ch.oldLabelStatus), after = selected(ch.newBiz, ch.newLabelStatus)
        if !before && !after { return true }
        let talkChanged = index.pairIsSmallTalk[Int(ch.oldBiz)] != index.pairIsSmallTalk[Int(ch.newBiz)]
        // New codes (an organisation or type first seen after computing) also need a recount.
        guard before == after, !talkChanged, Int(ch.newBiz) < bizPairs.count, Int(index.orgs[i]) < orgNames.count
        else { return false }
        let c = classes
        let o = Int(index.orgs[i])
        orgCounts[o * c + ch.oldClass] -= 1
        orgCounts[o * c + ch.newClass] += 1
        pairCounts[Int(ch.oldBiz) * c + ch.oldClass] -= 1
        pairCounts[Int(ch.newBiz) * c + ch.newClass] += 1
        let di = Int(d) - Int(firstDay)
        if di >= 0, (di + 1) * c <= dayCounts.count {
            dayCounts[di * c + ch.oldClass] -= 1
            dayCounts[di * c + ch.newClass] += 1
        }
        if !hotRank.isEmpty, !index.pairIsSmallTalk[Int(ch.newBiz)], let r = hotRank[index.topics[i]] {
            hotCounts[r * c + ch.oldClass] -= 1
            hotCounts[r * c + ch.newClass] += 1
            hot[r].tally = tally(hotCounts, r)
        }
        return true
    }
}
