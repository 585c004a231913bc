import Foundation

/// One scale for a set of comparison bars (the counties against each other): from `lo` to `hi`,
/// in whole tens of percent, wide enough for every figure, every reliable 95% interval and the
/// target, at least 20 points wide, so counties a few points apart look different and every bar
/// is measured from the same place. The screen's bars and the HTML report's use it alike.
public struct ComparisonScale: Equatable, Sendable {
    public let lo: Double
    public let hi: Double
    public var span: Double { max(0.0001, hi - lo) }
    public var text: String { "\(Int((lo * 100).rounded()))-\(Int((hi * 100).rounded()))%" }

    public init(lo: Double, hi: Double) {
        self.lo = lo
        self.hi = hi
    }

    public init(fitting ratios: [Ratio], target: Double?) {
        var lows: [Double] = [], highs: [Double] = []
        for r in ratios {
            guard let v = r.value else { continue }
            lows.append(v)
            highs.append(v)
            if r.isReliable, let w = r.wilson95 {
                lows.append(w.lower)
                highs.append(w.upper)
            }
        }
        if let t = target {
            lows.append(t)
            highs.append(t)
        }
        guard let low = lows.min(), let high = highs.max() else {
            self.init(lo: 0, hi: 1)
            return
        }
        var lo = max(0, floor((low - 0.01) * 10) / 10)
        var hi = min(1, ceil((high + 0.01) * 10) / 10)
        // At least 20 points, so a bar's eighth is never a hundredth of a point.
        if hi - lo < 0.2 {
            if hi >= 1 { lo = max(0, hi - 0.2) } else { hi = min(1, lo + 0.2) }
        }
        self.init(lo: lo, hi: hi)
    }
}
