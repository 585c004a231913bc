/// A business type: level 1 and, under it, level 2 (`养老保险/城乡居民养老保险`). The one place
/// that writes it as `一级/二级` and reads it back, for the list, the detail, the history's `biz`
/// rows, filters and the knowledge base.
public struct BusinessType: Hashable, Sendable, CustomStringConvertible {
    public var level1: String?
    /// Only meaningful under a level 1.
    public var level2: String?

    public init(_ level1: String?, _ level2: String?) {
        self.level1 = level1
        self.level2 = level1 == nil ? nil : level2
    }

    /// Reads `一级` or `一级/二级` (parts trimmed; an empty part is none).
    public init(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmed }
        let l1 = parts.first.flatMap { $0.isEmpty ? nil : $0 }
        self.init(l1, parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil)
    }

    public var isEmpty: Bool { level1 == nil }

    /// `一级/二级`, `一级`, or "" for none.
    public var text: String { [level1, level2].compactMap { $0 }.joined(separator: "/") }
    public var description: String { text }
}

extension InteractionRecord {
    /// As logged.
    public var businessType: BusinessType { BusinessType(biz1, biz2) }
    /// What statistics use: the reviewer's correction where there is one.
    public var effectiveBusinessType: BusinessType { BusinessType(effectiveBiz1, effectiveBiz2) }
    /// The reviewer's correction (人工修正分类), if any.
    public var correctedBusinessType: BusinessType? {
        correctedBiz1.map { BusinessType($0, correctedBiz2) }
    }
}
