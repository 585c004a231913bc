/// Phrases found in text by longest match at each position (通州湾示范区 before 通州): the place
/// names a question is normalised by, the greetings it drops, the areas it names. Phrases are
/// kept by their first scalar; a bit per BMP scalar says which can begin one, so most positions
/// cost one bit test instead of a dictionary miss (the knowledge index build of 10,000 entries
/// spent ~8% of its time in those misses: perf, `bench --only kb`).
public struct LongestMatch<Value: Sendable>: Sendable {
    private let table: [UInt32: [(phrase: [UInt32], value: Value)]]
    private let firsts: [UInt64]

    public init(_ phrases: [(String, Value)]) {
        var t: [UInt32: [(phrase: [UInt32], value: Value)]] = [:]
        for (text, value) in phrases {
            let s = text.unicodeScalars.map(\.value)
            guard let first = s.first, !(t[first]?.contains { $0.phrase == s } ?? false) else { continue }
            t[first, default: []].append((s, value))
        }
        table = t.mapValues { $0.sorted { $0.phrase.count > $1.phrase.count } }
        var bits = [UInt64](repeating: 0, count: 1024)
        for first in t.keys where first < 0x10000 { bits[Int(first >> 6)] |= 1 << UInt64(first & 63) }
        firsts = bits
    }

    /// The longest phrase starting at `i`, as its length and value.
    @inline(__always)
    public func match(_ s: [UInt32], at i: Int) -> (length: Int, value: Value)? {
        let v = s[i]
        if v < 0x10000, firsts.withUnsafeBufferPointer({ $0[Int(v >> 6)] }) & (1 << UInt64(v & 63)) == 0 { return nil }
        guard let candidates = table[v] else { return nil }
        for c in candidates where i + c.phrase.count <= s.count {
            var same = true
            for k in 1..<max(1, c.phrase.count) where s[i + k] != c.phrase[k] { same = false; break }
            if same { return (c.phrase.count, c.value) }
        }
        return nil
    }
}
