/// One record as the statistics index holds it: what the figures group and count by.
public struct StatisticsRow: Equatable, Sendable {
    public var key: RecordKey
    public var askedAt: Int64
    public var org: String
    /// The effective business type (the reviewer's correction first).
    public var biz1: String?
    public var biz2: String?
    public var label: Label?
    public var status: ReviewStatus
    public var facts: RecordFacts

    public init(key: RecordKey, askedAt: Int64, org: String, biz1: String?, biz2: String?, label: Label?,
                status: ReviewStatus, facts: RecordFacts) {
        self.key = key
        self.askedAt = askedAt
        self.org = org
        self.biz1 = biz1
        self.biz2 = biz2
        self.label = label
        self.status = status
        self.facts = facts
    }
}

/// The statistics engine's memory: every record reduced to a few small integers in columns (18
/// bytes a record), so a whole dashboard — per organisation, per business type, per day and the
/// hot questions — is counted in one pass over arrays instead of a query over the table.
///
/// Measured at 1,000,000 records (bench): SQLite's GROUP BY over the same columns took 1.5–1.8 s;
/// one pass here takes a few milliseconds. It is loaded once (the rows after the last key it has,
/// so imports are added, not reloaded) and kept in step with label changes by `update`, which
/// the review screen feeds from its own saves and from the label history of other processes.
///
/// A record costs: its day 2 bytes (days since 1970 to 2149; a day outside widens the column to
/// 4), organisation 1, business-type pair 2, label, status and hit class together 1 — 6 bytes —
/// and, for the hot questions only, its topic code 4 and wording hash 8. Its key costs nothing:
/// keys are the store's rowids, dense, kept as runs of consecutive keys (`KeyRuns`). The columns
/// are reserved at their final size before loading, so no doubling leaves copies behind. The
/// app's index (`LiveStatistics`) is made without the two hot-question columns, which only a
/// board with a TOP N reads: they are read from the store when the first such board is counted
/// (`loadTopics`). Issue 36: the app reviewing 1,000,000 records in 64 MB.
public final class StatisticsIndex: @unchecked Sendable {
    // Dictionaries of names: organisations and business-type pairs are coded in the columns.
    public private(set) var orgNames: [String] = []
    private var orgCode: [String: UInt8] = [:]
    /// Business-type pairs (level 1, level 2); `nil` level 1 is 未分类.
    public private(set) var bizPairs: [(biz1: String?, biz2: String?)] = []
    private var bizCode: [PairKey: UInt16] = [:]
    /// Per pair: its level-1 code (into `biz1Names`) and whether it is small talk.
    private(set) var pairLevel1: [UInt16] = []
    private(set) var pairIsSmallTalk: [Bool] = []
    /// Per pair: whether its level 1 is 非人社事项 (`HitRules.outOfScopeLevel1`), small talk included.
    private(set) var pairIsOutOfScope: [Bool] = []
    public private(set) var biz1Names: [String?] = []
    private var biz1Code: [String?: UInt16] = [:]
    private var topicCode: [Int64: UInt32] = [:]
    public private(set) var topicHashes: [Int64] = []

    // The columns, one entry per record in key order.
    private(set) var keys = KeyRuns()
    private(set) var days = DayColumn()
    private(set) var orgs: [UInt8] = []
    private(set) var bizs: [UInt16] = []
    /// Label (0 none, 1…4 in `Label.allCases` order) in the low 3 bits, status in the next 2
    /// (`labelStatusCode`), the hit class (0…3) in bits 5 and 6.
    private(set) var marks: [UInt8] = []
    private(set) var topics: [UInt32] = []
    private(set) var wordings: [Int64] = []
    /// Whether `topics` and `wordings` are held (TOP N can be counted).
    public private(set) var hasTopics: Bool

    public private(set) var minDay: Int32 = .max
    public private(set) var maxDay: Int32 = .min
    public let rules: HitRules

    private struct PairKey: Hashable {
        var a: String?
        var b: String?
    }

    /// `topics`: hold the hot-question columns from the start (else `loadTopics` reads them).
    public init(rules: HitRules, topics: Bool = true) {
        self.rules = rules
        hasTopics = topics
    }

    public var count: Int { orgs.count }
    public var lastKey: RecordKey { keys.last ?? 0 }

    /// Loads what the store has after the last key already here (all of it the first time), into
    /// columns reserved for the store's count first.
    public func load(from store: any RecordStore) throws {
        let expected = try store.totalCount() - count
        if expected > 0 { reserve(count + expected) }
        try store.statisticsRows(after: lastKey) { append($0) }
    }

    /// Room for `n` records in every column.
    public func reserve(_ n: Int) {
        days.reserve(n)
        orgs.reserveCapacity(n)
        bizs.reserveCapacity(n)
        marks.reserveCapacity(n)
        if hasTopics {
            topics.reserveCapacity(n)
            wordings.reserveCapacity(n)
        }
    }

    /// Reads the hot-question columns (topic, wording) of the records here, when not held yet:
    /// 0.3 s at 1,000,000 records, the first time a board with a TOP N is counted.
    public func loadTopics(from store: any RecordStore) throws {
        guard !hasTopics else { return }
        // Codes are given in key order, as `append` gives them.
        var topics = [UInt32](repeating: .max, count: count)
        var wordings = [Int64](repeating: 0, count: count)
        var filled = 0
        try store.statisticsTopics(through: lastKey) { key, topic, wording in
            guard let i = index(of: key), topics[i] == .max else { return }
            topics[i] = code(topic: topic)
            wordings[i] = wording
            filled += 1
        }
        // A record the store no longer has (none is deleted today) counts under topic 0.
        if filled < count { for i in topics.indices where topics[i] == .max { topics[i] = code(topic: 0) } }
        self.topics = topics
        self.wordings = wordings
        hasTopics = true
    }

    /// Lets go of the hot-question columns (the last board with a TOP N is gone): 12 bytes a
    /// record. Topic codes go with them; `loadTopics` gives them again in the same order.
    public func dropTopics() {
        guard hasTopics else { return }
        topics = []
        wordings = []
        topicHashes = []
        topicCode = [:]
        hasTopics = false
    }

    public static func day(of askedAt: Int64) -> Int32 {
        let local = askedAt + ShanghaiTime.offsetSeconds
        return Int32(local >= 0 ? local / 86400 : (local - 86399) / 86400)
    }

    static func labelStatusCode(_ label: Label?, _ status: ReviewStatus) -> UInt8 {
        let l: UInt8 = label.map { UInt8(Tally.index($0) + 1) } ?? 0
        let s: UInt8 = switch status {
        case .unlabeled: 0
        case .labeled: 1
        case .reviewed: 2
        }
        return l | s << 3
    }

    /// The label and status code (`labelStatusCode`) of a mark.
    @inline(__always) static func labelStatus(_ mark: UInt8) -> UInt8 { mark & 0x1F }
    /// The hit class of a mark.
    @inline(__always) static func hitClass(_ mark: UInt8) -> UInt8 { mark >> 5 }

    func labelStatus(at i: Int) -> UInt8 { Self.labelStatus(marks[i]) }
    func hitClass(at i: Int) -> UInt8 { Self.hitClass(marks[i]) }

    func code(org: String) -> UInt8 {
        if let c = orgCode[org] { return c }
        // More than 255 distinct names would be unknown organisations by the hundred: they share
        // the last code rather than stop the count.
        guard orgNames.count < 255 else { return 254 }
        let c = UInt8(orgNames.count)
        orgNames.append(org)
        orgCode[org] = c
        return c
    }

    func code(biz1: String?, biz2: String?) -> UInt16 {
        let k = PairKey(a: biz1, b: biz2)
        if let c = bizCode[k] { return c }
        guard bizPairs.count < Int(UInt16.max) else { return UInt16.max - 1 }
        let c = UInt16(bizPairs.count)
        bizPairs.append((biz1, biz2))
        bizCode[k] = c
        let l1: UInt16
        if let e = biz1Code[biz1] {
            l1 = e
        } else {
            l1 = UInt16(biz1Names.count)
            biz1Names.append(biz1)
            biz1Code[biz1] = l1
        }
        pairLevel1.append(l1)
        pairIsSmallTalk.append(biz1 == rules.smallTalkLevel1 && biz2 == rules.smallTalkLevel2)
        pairIsOutOfScope.append(biz1 == rules.outOfScopeLevel1)
        return c
    }

    func code(topic: Int64) -> UInt32 {
        if let c = topicCode[topic] { return c }
        let c = UInt32(topicHashes.count)
        topicHashes.append(topic)
        topicCode[topic] = c
        return c
    }

    public func append(_ r: StatisticsRow) {
        keys.append(r.key)
        let d = Self.day(of: r.askedAt)
        days.append(d)
        minDay = min(minDay, d)
        maxDay = max(maxDay, d)
        orgs.append(code(org: r.org))
        bizs.append(code(biz1: r.biz1, biz2: r.biz2))
        marks.append(Self.labelStatusCode(r.label, r.status) | (r.facts.hitClass & 3) << 5)
        if hasTopics {
            topics.append(code(topic: r.facts.topic))
            wordings.append(r.facts.wording)
        }
    }

    /// The bytes its columns and dictionaries hold (capacities, not counts), for the bench.
    public var footprint: Int {
        func bytes<T>(_ a: [T]) -> Int { a.capacity * MemoryLayout<T>.stride }
        return keys.footprint + days.footprint + bytes(orgs) + bytes(bizs) + bytes(marks) + bytes(topics) + bytes(wordings)
            + bytes(topicHashes) + topicCode.capacity * 12
    }

    /// Where a key is in the columns, or nil.
    public func index(of key: RecordKey) -> Int? { keys.index(of: key) }

    /// The key at a position in the columns.
    public func key(at i: Int) -> RecordKey { keys[i] }

    /// What a record looked like before and after a change, for screens that keep figures.
    public struct Change: Sendable {
        public let index: Int
        public let oldClass: Int
        public let newClass: Int
        public let oldBiz: UInt16
        public let newBiz: UInt16
        public let oldLabelStatus: UInt8
        public let newLabelStatus: UInt8
    }

    /// A record's label, status or business type changed; returns nil when the key is not here
    /// (a record imported after the last load) or nothing the statistics see changed.
    @discardableResult
    public func update(key: RecordKey, label: Label?, status: ReviewStatus, biz1: String?, biz2: String?) -> Change? {
        guard let i = index(of: key) else { return nil }
        let oldLS = labelStatus(at: i), oldBiz = bizs[i]
        let newLS = Self.labelStatusCode(label, status)
        let newBiz = code(biz1: biz1, biz2: biz2)
        guard oldLS != newLS || oldBiz != newBiz else { return nil }
        let oldClass = contributionClass(i)
        marks[i] = marks[i] & ~0x1F | newLS
        bizs[i] = newBiz
        return Change(index: i, oldClass: oldClass, newClass: contributionClass(i), oldBiz: oldBiz, newBiz: newBiz,
                      oldLabelStatus: oldLS, newLabelStatus: newLS)
    }

    /// A record's stored organisation changed (`workbench orgs --apply`); true when it did here.
    /// Figures grouped or filtered by organisation are counted again by the caller.
    @discardableResult
    public func update(key: RecordKey, org: String) -> Bool {
        guard let i = index(of: key) else { return false }
        let c = code(org: org)
        guard orgs[i] != c else { return false }
        orgs[i] = c
        return true
    }

    // MARK: contribution classes

    /// A record's part in a tally as one number: small talk × hit class × label (2 × 4 × 5).
    static let classCount = 40

    @inline(__always)
    func contributionClass(_ i: Int) -> Int {
        Self.contributionClass(smallTalk: pairIsSmallTalk[Int(bizs[i])], mark: marks[i])
    }

    @inline(__always)
    static func contributionClass(smallTalk: Bool, mark: UInt8) -> Int {
        (smallTalk ? 20 : 0) + Int(mark >> 5) * 5 + Int(mark & 7)
    }

    static let contributions: [Tally.Contribution] = (0..<classCount).map { c in
        let label = c % 5 == 0 ? nil : Label.allCases[c % 5 - 1]
        let hit = (c % 20) / 5
        return Tally.Contribution(smallTalk: c >= 20, hit: hit == 1 || hit == 3, byTemplate: hit >= 2, label: label)
    }

    /// A tally from 40 class counts.
    static func tally(_ counts: UnsafeBufferPointer<Int32>) -> Tally {
        var t = Tally()
        for c in 0..<classCount where counts[c] != 0 { t.add(contributions[c], times: Int(counts[c])) }
        return t
    }

    /// The record's stored facts and codes, for tests and for resolving hot-question texts.
    public func row(at i: Int) -> (key: RecordKey, day: Int32, org: String, biz1: String?, biz2: String?,
                                   label: Label?, status: ReviewStatus, hitClass: UInt8, topic: Int64, wording: Int64)
    {
        let ls = labelStatus(at: i)
        let label = ls & 7 == 0 ? nil : Label.allCases[Int(ls & 7) - 1]
        let status: ReviewStatus = switch ls >> 3 {
        case 1: .labeled
        case 2: .reviewed
        default: .unlabeled
        }
        let pair = bizPairs[Int(bizs[i])]
        return (keys[i], days[i], orgNames[Int(orgs[i])], pair.biz1, pair.biz2, label, status, hitClass(at: i),
                hasTopics ? topicHashes[Int(topics[i])] : 0, hasTopics ? wordings[i] : 0)
    }
}

/// The keys of the index's positions as runs of consecutive keys: a run is its first key and the
/// position it starts at. A store's keys are rowids, dense from 1, so a million records are one
/// run or a few (a deleted record splits one): 12 bytes a run, where an array of keys and a table
/// of positions took 12 bytes a record. Keys come in ascending order from a store, so a key is
/// found by a binary search over the runs; keys appended out of order (only tests do) are found
/// through a dictionary made from then on.
struct KeyRuns {
    private var firstKeys: [Int64] = []
    private var starts: [Int32] = []
    private(set) var count = 0
    private(set) var last: Int64?
    /// Key → position, once a key came that was not greater than the one before.
    private var unordered: [Int64: Int32]?

    var footprint: Int { firstKeys.capacity * 8 + starts.capacity * 4 + (unordered?.capacity ?? 0) * 12 }

    mutating func append(_ key: Int64) {
        let i = count
        if let last, last < .max, key == last + 1 {
            // The run goes on.
        } else {
            firstKeys.append(key)
            starts.append(Int32(truncatingIfNeeded: i))
        }
        if let last, key <= last, unordered == nil {
            var map: [Int64: Int32] = [:]
            for p in 0..<i { map[self[p]] = Int32(truncatingIfNeeded: p) }
            unordered = map
        }
        unordered?[key] = Int32(truncatingIfNeeded: i)
        last = key
        count += 1
    }

    /// The run holding position `i`.
    @inline(__always) private func run(at i: Int) -> Int {
        if starts.count == 1 { return 0 }
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if Int(starts[mid]) <= i { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    subscript(i: Int) -> Int64 {
        precondition(i >= 0 && i < count, "position out of range")
        let r = run(at: i)
        return firstKeys[r] + Int64(i - Int(starts[r]))
    }

    func index(of key: Int64) -> Int? {
        if let unordered { return unordered[key].map(Int.init) }
        guard let first = firstKeys.first, key >= first, let last, key <= last else { return nil }
        // The last run starting at or before the key.
        var lo = 0, hi = firstKeys.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if firstKeys[mid] <= key { lo = mid } else { hi = mid - 1 }
        }
        let end = lo + 1 < starts.count ? Int(starts[lo + 1]) : count
        let offset = key - firstKeys[lo]
        return offset < Int64(end - Int(starts[lo])) ? Int(starts[lo]) + Int(offset) : nil
    }
}

/// Days since 1970-01-01 (Shanghai) as two bytes each, which holds every day to 2149; one day
/// outside that moves the whole column to four bytes.
struct DayColumn {
    private(set) var narrow: [UInt16] = []
    private(set) var wide: [Int32]?

    var footprint: Int { narrow.capacity * 2 + (wide?.capacity ?? 0) * 4 }

    mutating func reserve(_ n: Int) {
        if wide != nil { wide!.reserveCapacity(n) } else { narrow.reserveCapacity(n) }
    }

    mutating func append(_ d: Int32) {
        if wide == nil, let n = UInt16(exactly: d) {
            narrow.append(n)
            return
        }
        if wide == nil {
            var w = [Int32]()
            w.reserveCapacity(max(narrow.capacity, narrow.count + 1))
            w.append(contentsOf: narrow.lazy.map(Int32.init))
            wide = w
            narrow = []
        }
        wide!.append(d)
    }

    subscript(i: Int) -> Int32 {
        if let wide { return wide[i] }
        return Int32(narrow[i])
    }

    /// The column as a reader the one-pass loops index without a copy. Inlined: called through,
    /// the loop's counters became boxed captures checked for exclusive access on every record
    /// (a count of 1,000,000 records took 12 ms instead of 3).
    @inline(__always)
    func withReader<R>(_ body: (DayReader) throws -> R) rethrows -> R {
        try narrow.withUnsafeBufferPointer { n in
            if let wide {
                return try wide.withUnsafeBufferPointer { try body(DayReader(narrow: n, wide: $0)) }
            }
            return try body(DayReader(narrow: n, wide: nil))
        }
    }
}

struct DayReader {
    let narrow: UnsafeBufferPointer<UInt16>
    let wide: UnsafeBufferPointer<Int32>?
    var count: Int { wide?.count ?? narrow.count }
    @inline(__always) subscript(i: Int) -> Int32 {
        if let wide { return wide[i] }
        return Int32(narrow[i])
    }
}
