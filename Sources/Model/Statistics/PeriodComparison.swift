/// 本期 against 上期 (issue 16, point 14): the same filter over the period of the same length just
/// before, per group, for a supervisor's meeting.
public struct PeriodComparison: Sendable {
    public struct Row: Sendable {
        public let name: String
        public let current: Tally
        public let previous: Tally
        /// Change in percentage points of a ratio, nil when either side has no value.
        public func change(_ pick: (Tally) -> Ratio) -> Double? {
            guard let a = pick(current).value, let b = pick(previous).value else { return nil }
            return (a - b) * 100
        }
    }

    public let previousFrom: Int32
    public let previousTo: Int32
    public let rows: [Row]

    /// Rows in the current period's order, then groups that only the previous one had.
    public init(current: [(name: String, tally: Tally)], previous: [(name: String, tally: Tally)], previousFrom: Int32, previousTo: Int32) {
        let before = Dictionary(previous.map { ($0.name, $0.tally) }, uniquingKeysWith: { a, _ in a })
        var rows = current.map { Row(name: $0.name, current: $0.tally, previous: before[$0.name] ?? Tally()) }
        let seen = Set(current.map(\.name))
        rows += previous.filter { !seen.contains($0.name) }.map { Row(name: $0.name, current: Tally(), previous: $0.tally) }
        self.rows = rows
        self.previousFrom = previousFrom
        self.previousTo = previousTo
    }
}

extension RecordFilter {
    /// The same filter over the days just before `first`…`last` (days since 1970, Asia/Shanghai),
    /// as many of them.
    public func previousPeriod(first: Int32, last: Int32) -> (filter: RecordFilter, from: Int32, to: Int32) {
        let length = Int64(last - first + 1)
        var f = self
        let from = Int64(first) - length, to = Int64(first) - 1
        f.fromDay = from * 86400 - ShanghaiTime.offsetSeconds
        f.toDay = to * 86400 - ShanghaiTime.offsetSeconds
        return (f, Int32(from), Int32(to))
    }
}
