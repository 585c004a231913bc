/// The width of one step of a trend: a day, a week (Monday to Sunday) or a calendar month.
/// Days are Asia/Shanghai calendar days counted from 1970-01-01 (`StatisticsIndex.day(of:)`).
public enum TimeBucket: String, CaseIterable, Sendable {
    case day, week, month

    /// Chosen from the period's length: days up to a month, weeks up to half a year, then months.
    public static func auto(spanDays: Int) -> TimeBucket {
        spanDays <= 31 ? .day : spanDays <= 183 ? .week : .month
    }

    /// The first day of the bucket that holds `day`.
    public func start(of day: Int32) -> Int32 {
        switch self {
        case .day:
            return day
        case .week:
            // 1970-01-01 was a Thursday: day 4 is the first Monday.
            let sinceMonday = (Int(day) - 4) %% 7
            return day - Int32(sinceMonday)
        case .month:
            let (y, m, _) = ShanghaiTime.civilFromDays(Int64(day))
            return Int32(ShanghaiTime.daysFromCivil(y, m, 1))
        }
    }

    /// The first day of the next bucket.
    public func next(after start: Int32) -> Int32 {
        switch self {
        case .day: return start + 1
        case .week: return start + 7
        case .month:
            let (y, m, _) = ShanghaiTime.civilFromDays(Int64(start))
            return Int32(m == 12 ? ShanghaiTime.daysFromCivil(y + 1, 1, 1) : ShanghaiTime.daysFromCivil(y, m + 1, 1))
        }
    }

    /// A short axis label: `12-01` for a day or the week starting then, `2025-12` for a month.
    public func label(_ start: Int32) -> String {
        let (y, m, d) = ShanghaiTime.civilFromDays(Int64(start))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return self == .month ? "\(y)-\(two(m))" : "\(two(m))-\(two(d))"
    }

    /// `2025-12-01`, for tables and exports.
    public static func date(_ day: Int32) -> String {
        let (y, m, d) = ShanghaiTime.civilFromDays(Int64(day))
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d))"
    }
}

infix operator %% : MultiplicationPrecedence

/// Remainder that is never negative (for days before 1970).
@inline(__always)
func %% (a: Int, b: Int) -> Int {
    let r = a % b
    return r < 0 ? r + b : r
}
