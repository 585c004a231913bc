import Foundation

/// Synonyms and colloquial forms the knowledge editors keep (`synonyms.json` in the reference
/// data): groups whose first member is the standard form. The matcher rewrites every other
/// member to it, in the asked question and in the stored questions alike, so 丧葬费 finds
/// 丧葬补助金 and 礼拜六 finds 周末 (issue 17).
public struct Synonyms: Sendable {
    public let groups: [[String]]
    /// Particles and politeness dropped before matching (啊, 的, 帮忙): a word no stored question
    /// has lowers a question's coverage, so 海门人才市场在哪啊 would look weaker than it is.
    public let drop: [String]

    public init(groups: [[String]] = [], drop: [String] = []) {
        self.groups = groups.filter { $0.count >= 2 }
        self.drop = drop
    }

    private struct File: Decodable {
        let groups: [[String]]
        let drop: [String]?
    }

    public init(json: Data) throws {
        let f = try JSONDecoder().decode(File.self, from: json)
        self.init(groups: f.groups, drop: f.drop ?? [])
    }

    /// How many written forms map to a standard one.
    public var pairCount: Int { groups.reduce(0) { $0 + $1.count - 1 } }

    public static let file = "synonyms.json"
}

/// The synonyms as a longest-match table over normalised scalars (built with the matcher's
/// normaliser, so a form is folded exactly as a question is).
struct SynonymTable: Sendable {
    /// A rewrite seen in one text: the form as written and the standard form it became.
    struct Use: Hashable, Sendable {
        let written: String
        let standard: String
        /// The standard form's normalised scalars (what a stored question is searched for).
        var target: [UInt32] = []
    }

    private let table: LongestMatch<Int32>
    private let standard: [[UInt32]]
    private let written: [String]
    private let standardText: [String]
    let isEmpty: Bool

    init(_ synonyms: Synonyms, normalise: (String) -> [UInt32]) {
        var phrases: [(String, Int32)] = []
        var standard: [[UInt32]] = []
        var written: [String] = []
        var standardText: [String] = []
        // A dropped word is a form whose standard form is empty.
        for g in synonyms.groups + synonyms.drop.map({ ["", $0] }) {
            let target = g[0].isEmpty ? [] : normalise(g[0])
            guard !target.isEmpty || g[0].isEmpty else { continue }
            for form in g where !form.isEmpty {
                let s = normalise(form)
                guard !s.isEmpty else { continue }
                phrases.append((String(String.UnicodeScalarView(s.compactMap(Unicode.Scalar.init))), Int32(standard.count)))
                standard.append(target)
                written.append(form)
                standardText.append(g[0])
            }
        }
        // The first group that names a form keeps it (LongestMatch keeps the first of equal phrases).
        table = LongestMatch(phrases)
        self.standard = standard
        self.written = written
        self.standardText = standardText
        isEmpty = phrases.isEmpty
    }

    /// `s` with every form replaced by its standard form (longest first, left to right); the
    /// rewrites that changed something are added to `uses`.
    func rewrite(_ s: [UInt32], uses: inout [Use]) -> [UInt32] {
        guard !isEmpty else { return s }
        var out: [UInt32] = []
        out.reserveCapacity(s.count + 8)
        var i = 0
        while i < s.count {
            if let m = table.match(s, at: i) {
                let target = standard[Int(m.value)]
                out.append(contentsOf: target)
                if written[Int(m.value)] != standardText[Int(m.value)], !target.isEmpty {
                    uses.append(Use(written: written[Int(m.value)], standard: standardText[Int(m.value)], target: target))
                }
                i += m.length
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
