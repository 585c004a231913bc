import Foundation

/// Timing helpers the bench parts share.
enum BenchTiming {
    /// Milliseconds `body` took.
    static func ms(_ body: () throws -> Void) rethrows -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
    }

    /// The q-quantile (0…1) of `xs`, nearest rank below.
    static func p(_ xs: [Double], _ q: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, Int(Double(s.count - 1) * q))]
    }
}
