import Foundation

/// A share with its n: the figure, whether n is large enough to trust, and a 95% Wilson interval
/// (domain.md §3: every percentage is shown with its n; below 20 it is marked unreliable).
public struct Ratio: Equatable, Sendable {
    public static let reliableN = 20

    public let numerator: Int
    public let denominator: Int

    public init(_ numerator: Int, of denominator: Int) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public var value: Double? { denominator > 0 ? Double(numerator) / Double(denominator) : nil }
    public var isReliable: Bool { denominator >= Self.reliableN }

    /// Wilson score interval at z = 1.96; nil when n is 0.
    public var wilson95: (lower: Double, upper: Double)? {
        guard denominator > 0 else { return nil }
        let z = 1.959964, n = Double(denominator), p = Double(numerator) / n
        let centre = p + z * z / (2 * n)
        let margin = z * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        let d = 1 + z * z / n
        return (max(0, (centre - margin) / d), min(1, (centre + margin) / d))
    }

    /// `66.7%`, or `—` when there is nothing to divide.
    public var percentText: String {
        guard let v = value else { return "—" }
        return String(format: "%.1f%%", v * 100)
    }

    /// What marks a share whose n is under `reliableN` (the report's footnote explains it).
    public static let unreliableMark = "†"

    /// `66.7% (2/3)†`: the share with its n, marked when n < 20; `—` when there is nothing to divide.
    /// For shares of small counts (a reviewer's agreement, how often they were overturned).
    public var countedText: String {
        guard value != nil else { return "—" }
        return "\(percentText) (\(numerator)/\(denominator))" + (isReliable ? "" : Self.unreliableMark)
    }
}
