/// Records labelled 业务缺失 that ask the same thing, by meaning: the knowledge editors' backlog,
/// what the knowledge screen's 缺口 view and a report could both show.
public struct KnowledgeGap: Equatable, Sendable {
    /// The most common wording of the question.
    public let wording: String
    /// The region asked about: the only one, or the 全市 region when several counties asked.
    public let region: String
    public let count: Int
    public let latest: Int64
    /// The most common (effective) business type of its records.
    public let businessType: BusinessType
    /// What the knowledge base answers for it today (`KB-00012 县区口径`), nil: nothing.
    public let answeredBy: String?
    /// Who asked: each region with its count, most first.
    public var regions: [RegionCount] = []
    /// How many different wordings (after normalising) were grouped into this gap.
    public var wordings = 1
    /// The knowledge base's answer is only a weak match (不确定).
    public var uncertain = false

    /// What the bot answered these questions from: its knowledge ids with their counts, most
    /// first, each with our entry carrying it (nil: not linked).
    public var botAnswers: [BotAnswer] = []

    public struct RegionCount: Equatable, Sendable {
        public let region: String
        public let count: Int
    }

    public struct BotAnswer: Equatable, Sendable {
        public let botId: String
        public let count: Int
        public let entryId: String?
        public let entryRegion: String?
    }

    /// `KB00790 = KB-00041（全市）×5 · KB00123 未关联 ×2`, empty when the bot used no knowledge.
    public var botAnswersText: String {
        botAnswers.map { b in
            b.botId + (b.entryId.map { " = \($0)（\(b.entryRegion ?? "")）" } ?? " 未关联 ") + "×\(b.count)"
        }.joined(separator: " · ")
    }

    public var biz1: String? { businessType.level1 }
    public var biz2: String? { businessType.level2 }

    /// `如皋市 5 · 海门区 2`.
    public var regionsText: String { regions.map { "\($0.region) \($0.count)" }.joined(separator: " · ") }
}

extension KnowledgeBase {
    /// Two wordings are one gap when their bigrams, after normalising and the synonyms, overlap
    /// this much (Dice coefficient): 丧葬费怎么领 and 丧葬补助金怎么申领 are one; 丧葬费怎么领 and
    /// 抚恤金怎么领 are not (docs/decisions.md, issue 17).
    public static let gapSimilarity = 0.6

    /// The gap backlog: the newest `limit` 业务缺失 records grouped by meaning (the normalised
    /// question, then wordings whose bigrams after the synonyms are close), largest group first
    /// (then the most recent), at most `top` groups; each with who asked and what `matcher`
    /// answers for it on `day`. `progress` hears records read so far and in all. Also says how
    /// many records were read.
    public func gaps(records: any RecordStore, matcher: KnowledgeMatcher?, day: Int64, limit: Int = 20_000, top: Int = 500,
                     progress: ((Int, Int) -> Void)? = nil) throws -> (gaps: [KnowledgeGap], recordsRead: Int)
    {
        let keys = try records.keys(RecordFilter(label: .missingKnowledge))
        let newest = Array(keys.prefix(limit))
        let detector = RegionDetector(organisations: reference.organisations)
        let topics = QuestionTopic(organisations: reference.organisations)
        struct Group {
            var count = 0
            var latest: Int64 = 0
            var wordings: [String: Int] = [:]
            var types: [BusinessType: Int] = [:]
            var regions: [String: Int] = [:]
            var bots: [String: Int] = [:]
            var normalised = 1
            mutating func add(_ o: Group) {
                count += o.count
                latest = max(latest, o.latest)
                wordings.merge(o.wordings, uniquingKeysWith: +)
                types.merge(o.types, uniquingKeysWith: +)
                regions.merge(o.regions, uniquingKeysWith: +)
                bots.merge(o.bots, uniquingKeysWith: +)
                normalised += o.normalised
            }
        }
        // First by the normalised text (cheap, exact).
        var groups: [String: Group] = [:]
        var order: [String] = []
        for start in stride(from: 0, to: newest.count, by: 1000) {
            let chunk = Array(newest[start..<min(newest.count, start + 1000)])
            let found = try records.records(keys: chunk)
            for key in chunk {
                guard let r = found[key] else { continue }
                let region = detector.detect(question: r.question, askerOrganisation: r.org).region
                let id = topics.normalised(r.question)
                var g = groups[id] ?? { order.append(id); return Group() }()
                g.count += 1
                g.latest = max(g.latest, r.askedAt)
                g.wordings[r.question, default: 0] += 1
                g.types[r.effectiveBusinessType, default: 0] += 1
                g.regions[region, default: 0] += 1
                if let b = r.knowledgeId?.trimmed, !b.isEmpty { g.bots[b, default: 0] += 1 }
                groups[id] = g
            }
            progress?(min(newest.count, start + 1000), newest.count)
        }
        // Then by meaning: each group, largest first, joins the first earlier cluster close enough.
        let exact = order.compactMap { id in groups[id].map { (id, $0) } }.sorted { ($0.1.count, $0.1.latest) > ($1.1.count, $1.1.latest) }
        var clusters: [Group] = []
        var clusterTerms: [Set<UInt64>] = []
        var byTerm: [UInt64: [Int]] = [:]
        for (id, g) in exact {
            // From a wording as asked: the key is already normalised, and normalising it again would
            // strip the place slot.
            let asked = g.wordings.keys.min() ?? id
            let terms = Set((matcher?.terms(of: asked) ?? KnowledgeMatcher.terms(id.unicodeScalars.map(\.value))).filter { $0 >> 63 == 1 })
            var best: (index: Int, score: Double)?
            var seen = Set<Int>()
            for t in terms {
                for c in byTerm[t] ?? [] where seen.insert(c).inserted {
                    let shared = Double(clusterTerms[c].intersection(terms).count)
                    let dice = 2 * shared / Double(clusterTerms[c].count + terms.count)
                    if dice >= Self.gapSimilarity, dice > (best?.score ?? 0) { best = (c, dice) }
                }
            }
            if let b = best, !terms.isEmpty {
                clusters[b.index].add(g)
            } else {
                for t in terms { byTerm[t, default: []].append(clusters.count) }
                clusters.append(g)
                clusterTerms.append(terms)
            }
        }
        let cityWide = reference.organisations.cityWideRegion
        let ranked = clusters.sorted { ($0.count, $0.latest) > ($1.count, $1.latest) }
        let gaps = ranked.prefix(top).map { g -> KnowledgeGap in
            // Ties go to the smallest text, so the same data always shows the same wording.
            let wording = g.wordings.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? ""
            let type = g.types.max { $0.value != $1.value ? $0.value < $1.value : $0.key.text > $1.key.text }?.key
            let regions = g.regions.map { KnowledgeGap.RegionCount(region: $0.key, count: $0.value) }
                .sorted { ($0.count, $1.region) > ($1.count, $0.region) }
            let region = regions.count == 1 ? regions[0].region : cityWide
            let m = matcher?.match(wording, askerOrganisation: region, day: day)
            let answered = m.flatMap { m in m.entry.map { "\($0.id) \(m.levelText)" } }
            var gap = KnowledgeGap(wording: wording, region: region, count: g.count, latest: g.latest,
                                   businessType: type ?? BusinessType(nil, nil), answeredBy: answered)
            gap.regions = regions
            gap.wordings = g.normalised
            gap.uncertain = m?.uncertain ?? false
            gap.botAnswers = g.bots.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { b in
                let e = matcher?.entriesByBotId[b.key]
                return KnowledgeGap.BotAnswer(botId: b.key, count: b.value, entryId: e?.id, entryRegion: e?.region)
            }
            return gap
        }
        return (gaps, newest.count)
    }
}
