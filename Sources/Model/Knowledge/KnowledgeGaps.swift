/// Records labelled 业务缺失 that ask the same thing in the same region: the knowledge editors'
/// backlog, what the knowledge screen's 缺口 view and a report could both show.
public struct KnowledgeGap: Equatable, Sendable {
    /// The most common wording of the question.
    public let wording: String
    public let region: String
    public let count: Int
    public let latest: Int64
    /// The most common (effective) business type of its records.
    public let businessType: BusinessType
    /// What the knowledge base answers for it today (`KB-00012 县区口径`), nil: nothing.
    public let answeredBy: String?

    public var biz1: String? { businessType.level1 }
    public var biz2: String? { businessType.level2 }
}

extension KnowledgeBase {
    /// The gap backlog: the newest `limit` 业务缺失 records grouped by normalised question and the
    /// region it asks about, largest group first (then the most recent), at most `top` groups;
    /// each with what `matcher` answers for it on `day`. Also says how many records were read.
    public func gaps(records: any RecordStore, matcher: KnowledgeMatcher?, day: Int64, limit: Int = 20_000, top: Int = 500)
        throws -> (gaps: [KnowledgeGap], recordsRead: Int)
    {
        let keys = try records.keys(RecordFilter(label: .missingKnowledge))
        let newest = Array(keys.prefix(limit))
        let detector = RegionDetector(organisations: reference.organisations)
        let topics = QuestionTopic(organisations: reference.organisations)
        struct Group {
            let region: String
            var count = 0
            var latest: Int64 = 0
            var wordings: [String: Int] = [:]
            var types: [BusinessType: Int] = [:]
        }
        var groups: [String: Group] = [:]
        var order: [String] = []
        for start in stride(from: 0, to: newest.count, by: 1000) {
            let chunk = Array(newest[start..<min(newest.count, start + 1000)])
            let found = try records.records(keys: chunk)
            for key in chunk {
                guard let r = found[key] else { continue }
                let region = detector.detect(question: r.question, askerOrganisation: r.org).region
                let id = region + "\u{1}" + topics.normalised(r.question)
                var g = groups[id] ?? { order.append(id); return Group(region: region) }()
                g.count += 1
                g.latest = max(g.latest, r.askedAt)
                g.wordings[r.question, default: 0] += 1
                g.types[r.effectiveBusinessType, default: 0] += 1
                groups[id] = g
            }
        }
        let ranked = order.compactMap { groups[$0] }.sorted { ($0.count, $0.latest) > ($1.count, $1.latest) }
        let gaps = ranked.prefix(top).map { g -> KnowledgeGap in
            // Ties go to the smallest text, so the same data always shows the same wording.
            let wording = g.wordings.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? ""
            let type = g.types.max { $0.value != $1.value ? $0.value < $1.value : $0.key.text > $1.key.text }?.key
            let m = matcher?.match(wording, askerOrganisation: g.region, day: day)
            let answered = m.flatMap { m in m.entry.map { "\($0.id) \(m.levelText)" } }
            return KnowledgeGap(wording: wording, region: g.region, count: g.count, latest: g.latest,
                                businessType: type ?? BusinessType(nil, nil), answeredBy: answered)
        }
        return (gaps, newest.count)
    }
}
