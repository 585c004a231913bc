/// Which knowledge-base region a question is about (domain.md §4): an area named in the text wins
/// (full, short or legacy name); else the asker's organisation; else 全市. 崇川区, the zones and the
/// city level resolve to 全市. When several counties are named, the asker's wins if among them,
/// else the first named, and the result says it was ambiguous.
public struct RegionDetector: Sendable {
    public struct Result: Equatable, Sendable {
        public let region: String
        /// Why, in a phrase the screen shows: `问题中提到「如皋」`, `提问者所属机构 如皋市`, `未指明区域`.
        public let reason: String
        public let ambiguous: Bool
        /// The regions the text names, in order of first mention.
        public let mentioned: [String]
    }

    let cityWide: String
    let kbRegions: Set<String>
    let organisations: Organisations
    /// Names, longest first, each with (the name as written, the organisation it means).
    private let names: LongestMatch<(written: String, org: String)>

    public init(organisations: Organisations) {
        self.organisations = organisations
        cityWide = organisations.cityWideRegion
        kbRegions = Set(organisations.kbRegions)
        var all: [(String, String)] = []
        for o in organisations.all {
            all.append((o.name, o.name))
            // Short names (如皋, 海门) and aliases; codes are digits and not how people write.
            for a in o.aliases where a.unicodeScalars.count >= 2 { all.append((a, o.name)) }
            if o.name.count >= 3, o.kind == "county" { all.append((String(o.name.dropLast()), o.name)) }
        }
        for (old, new) in organisations.legacy.sorted(by: { $0.key < $1.key }) { all.append((old, new)) }
        names = LongestMatch(all.map { ($0.0, (written: $0.0, org: $0.1)) })
    }

    public static let bundled = RegionDetector(organisations: ReferenceData.bundled.organisations)

    /// The knowledge-base region of an organisation: itself for the six counties, else 全市.
    public func region(ofOrganisation org: String) -> String {
        let n = organisations.normalise(org)
        return kbRegions.contains(n) ? n : cityWide
    }

    /// Areas the text names, in order, as (what was written, organisation).
    public func mentions(in text: String) -> [(written: String, org: String)] {
        let s = text.unicodeScalars.map(\.value)
        var out: [(String, String)] = []
        var i = 0
        while i < s.count {
            if let m = names.match(s, at: i) {
                out.append(m.value)
                i += m.length
            } else {
                i += 1
            }
        }
        return out
    }

    public func detect(question: String, askerOrganisation: String? = nil) -> Result {
        let found = mentions(in: question)
        var counties: [String] = []
        var firstWritten: [String: String] = [:]
        for m in found {
            let r = region(ofOrganisation: m.org)
            if r != cityWide, !counties.contains(r) { counties.append(r); firstWritten[r] = m.written }
        }
        let asker = askerOrganisation.map { region(ofOrganisation: $0) }
        if counties.count == 1 {
            return Result(region: counties[0], reason: "问题中提到「\(firstWritten[counties[0]]!)」", ambiguous: false,
                          mentioned: counties)
        }
        if counties.count > 1 {
            if let asker, counties.contains(asker) {
                return Result(region: asker, reason: "问题提到多个区县（\(counties.joined(separator: "、"))），取提问者所属的 \(asker)",
                              ambiguous: true, mentioned: counties)
            }
            return Result(region: counties[0], reason: "问题提到多个区县（\(counties.joined(separator: "、"))），取最先提到的 \(counties[0])",
                          ambiguous: true, mentioned: counties)
        }
        // Naming the city itself (南通, 南通市) narrows nothing: the asker's organisation decides.
        let cityLevel = Set(organisations.all.filter { $0.kind == "city" }.map(\.name))
        if let m = found.first(where: { !cityLevel.contains($0.org) }) {
            // Only 崇川 or a zone named: the text still decides, and it says 全市.
            return Result(region: cityWide, reason: "问题中提到「\(m.written)」（\(m.org)，按全市口径）", ambiguous: false, mentioned: [])
        }
        if let askerOrganisation, let asker, !askerOrganisation.trimmed.isEmpty {
            let org = organisations.normalise(askerOrganisation)
            return Result(region: asker, reason: asker == cityWide ? "提问者所属机构 \(org)（按全市口径）" : "提问者所属机构 \(org)",
                          ambiguous: false, mentioned: [])
        }
        return Result(region: cityWide, reason: "未指明区域", ambiguous: false, mentioned: [])
    }
}
