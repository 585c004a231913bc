/// Record keys in a list's order, held in 4 bytes a key while every key fits in 32 bits (a store's
/// rowids to 4,294,967,295), else in 8. The review list holds every key its filter selects — a
/// million at full size — so they are 4 MB instead of 8 (issue 36: the app in 64 MB).
public struct KeyList: RandomAccessCollection, Equatable, Sendable {
    private var narrow: [UInt32] = []
    /// Every key, once one did not fit in 32 bits.
    private var wide: [RecordKey]?

    public init() {}

    public init<S: Sequence>(_ keys: S) where S.Element == RecordKey {
        reserveCapacity(keys.underestimatedCount)
        for k in keys { append(k) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { wide?.count ?? narrow.count }

    @inline(__always)
    public subscript(i: Int) -> RecordKey {
        if let wide { return wide[i] }
        return RecordKey(narrow[i])
    }

    public mutating func append(_ key: RecordKey) {
        if wide == nil, let k = UInt32(exactly: key) {
            narrow.append(k)
            return
        }
        if wide == nil {
            var w: [RecordKey] = []
            w.reserveCapacity(Swift.max(narrow.capacity, narrow.count + 1))
            w.append(contentsOf: narrow.lazy.map(RecordKey.init))
            wide = w
            narrow = []
        }
        wide!.append(key)
    }

    public mutating func reserveCapacity(_ n: Int) {
        if wide != nil { wide!.reserveCapacity(n) } else { narrow.reserveCapacity(n) }
    }

    /// The bytes it holds (capacity, not count).
    public var footprint: Int { narrow.capacity * 4 + (wide?.capacity ?? 0) * 8 }

    public static func == (a: KeyList, b: KeyList) -> Bool { a.elementsEqual(b) }
    public static func == (a: KeyList, b: [RecordKey]) -> Bool { a.elementsEqual(b) }

    /// Where each key is in the list (the first place, when a key is listed twice).
    public func positions() -> KeyPositions { KeyPositions(self) }
}

/// Where keys are in a `KeyList`, made once for many look-ups: a table over the keys' range
/// (4 bytes a key in it) when the list fills that range well, else a dictionary — a dictionary of
/// a million keys took 32 MB, the table over them 4 MB.
public struct KeyPositions: Sendable {
    private var base: RecordKey = 0
    private var table: [Int32] = []
    private var map: [RecordKey: Int] = [:]

    init(_ keys: KeyList) {
        guard let lo = keys.min(), let hi = keys.max() else { return }
        // A dictionary entry costs about 32 bytes, a table slot 4.
        let span = hi.subtractingReportingOverflow(lo)
        if !span.overflow, span.partialValue < RecordKey(Int32.max), span.partialValue / 8 <= RecordKey(keys.count) {
            base = lo
            table = [Int32](repeating: -1, count: Int(span.partialValue) + 1)
            for i in keys.indices.reversed() { table[Int(keys[i] - lo)] = Int32(i) }
        } else {
            map.reserveCapacity(keys.count)
            for i in keys.indices.reversed() { map[keys[i]] = i }
        }
    }

    public subscript(key: RecordKey) -> Int? {
        guard !table.isEmpty else { return map[key] }
        let (offset, overflow) = key.subtractingReportingOverflow(base)
        guard !overflow, offset >= 0, offset < RecordKey(table.count) else { return nil }
        let p = table[Int(offset)]
        return p >= 0 ? Int(p) : nil
    }
}
