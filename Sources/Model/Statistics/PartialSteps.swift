/// A step of a trend (a week or a month) that the period covers only in part: the period starts
/// after the step's first day, or ends before its last. Its counts are not comparable with a
/// whole step's (a last week of 3 days is not a collapse).
public struct PartialStep: Equatable, Sendable {
    /// The step's first day (where the trend puts it).
    public let start: Int32
    /// The days of the step inside the period.
    public let from: Int32
    public let to: Int32
    /// How many days a whole step has (7 for a week, 28–31 for a month).
    public let fullDays: Int

    public var days: Int { Int(to) - Int(from) + 1 }
}

extension TimeBucket {
    /// The first and the last step of a trend over `firstDay`…`lastDay`, each when it is partial
    /// (nil when whole; always nil for days). A period inside one step gives the same step twice.
    public func partialSteps(firstDay: Int32, lastDay: Int32) -> (first: PartialStep?, last: PartialStep?) {
        guard self != .day, lastDay >= firstDay else { return (nil, nil) }
        func step(_ start: Int32) -> PartialStep {
            let end = next(after: start) - 1
            return PartialStep(start: start, from: max(start, firstDay), to: min(end, lastDay), fullDays: Int(end) - Int(start) + 1)
        }
        let firstStart = start(of: firstDay), lastStart = start(of: lastDay)
        let first = firstStart != firstDay ? step(firstStart) : nil
        let last = next(after: lastStart) != lastDay + 1 ? step(lastStart) : nil
        return (first, last)
    }

    /// The partial step that starts on `start`, if any (for marking a point or a row).
    public func partialStep(starting start: Int32, firstDay: Int32, lastDay: Int32) -> PartialStep? {
        let p = partialSteps(firstDay: firstDay, lastDay: lastDay)
        return [p.first, p.last].compactMap { $0 }.first { $0.start == start }
    }
}

extension Dashboard {
    /// The trend's partial first and last steps (`TimeBucket.partialSteps` over the board's period).
    public var partialSteps: (first: PartialStep?, last: PartialStep?) {
        bucket.partialSteps(firstDay: firstDay, lastDay: lastDay)
    }
}
