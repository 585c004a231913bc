import Foundation

/// What the knowledge base answers for a question: the topic found by similarity, then the entry
/// of the question's region when it has one in force on the question's date, else the 全市 entry.
public struct KnowledgeMatch: Sendable {
    public enum Level: Equatable, Sendable {
        /// 县区口径: the county's own entry.
        case county(String)
        /// 全市口径: the city-wide entry (the county has none in force, or the question is city-wide).
        case cityWide
        /// A topic was found but no entry of it is in force on the date.
        case notInForce
        /// Nothing in the knowledge base is close enough.
        case noMatch
    }

    public struct Candidate: Equatable, Sendable {
        public let topic: String
        public let score: Double
        /// The share of the question's weight (IDF) its best-matching stored question covers.
        public let coverage: Double
    }

    public let region: RegionDetector.Result
    public let best: Candidate?
    public let runnersUp: [Candidate]
    public let entry: KnowledgeEntry?
    public let level: Level
    /// Why this level answered, in the words the screen shows.
    public let why: String

    /// `县区口径：如皋市`, `全市口径`, or what is missing.
    public var levelText: String {
        switch level {
        case .county(let c): "县区口径：\(c)"
        case .cityWide: "全市口径"
        case .notInForce: "无生效条目"
        case .noMatch: "知识库中没有相近的主题"
        }
    }
}

/// Finds a question's topic among the standard and similar questions of the entries in force:
/// BM25 over character unigrams and bigrams (Chinese has no spaces), after the question is
/// normalised as for TOP10 (place names become a slot, so 如皋 and 海门 questions share a topic;
/// greetings are dropped). Built once (≤ 200 ms target for 10,000 entries), then read-only.
public final class KnowledgeMatcher: @unchecked Sendable {
    public let detector: RegionDetector
    let normaliser: QuestionTopic
    let cityWide: String
    /// Entries by topic (every region and state), and the topics' names.
    public private(set) var entriesByTopic: [String: [KnowledgeEntry]] = [:]
    private var topicNames: [String] = []

    // The index: one document per stored question, each belonging to a topic.
    private var docTopic: [Int32] = []
    private var docLength: [Float] = []
    private var postings: [UInt64: [(doc: Int32, tf: UInt16)]] = [:]
    private var averageLength: Float = 1
    /// Each document's weight: the IDF of its distinct terms, summed (for the share a question covers).
    private var docWeight: [Float] = []

    static let k1: Float = 1.2
    static let b: Float = 0.75
    /// Below this coverage the best topic is not taken as the question's (tuned on the eval set).
    public static let defaultMinimumCoverage = 0.2
    public var minimumCoverage = KnowledgeMatcher.defaultMinimumCoverage


    public init(entries: [KnowledgeEntry], organisations: Organisations) {
        detector = RegionDetector(organisations: organisations)
        normaliser = QuestionTopic(organisations: organisations)
        cityWide = organisations.cityWideRegion
        // Topics in order of first appearance (deterministic, and no sort of Chinese strings);
        // each topic's name hashed once (hashing Chinese strings was a seventh of the build).
        var topicIndex: [String: Int32] = [:]
        var grouped: [[KnowledgeEntry]] = []
        for e in entries {
            if let i = topicIndex[e.topic] {
                grouped[Int(i)].append(e)
            } else {
                topicIndex[e.topic] = Int32(grouped.count)
                topicNames.append(e.topic)
                grouped.append([e])
            }
        }
        entriesByTopic = Dictionary(uniqueKeysWithValues: zip(topicNames, grouped))
        var total: Float = 0
        postings.reserveCapacity(entries.count * 12)
        for (t, group) in grouped.enumerated() {
            // Retired and draft entries answer nothing: their questions are not indexed.
            var questions: [String] = []
            for e in group where e.state == .active {
                for q in [e.standardQuestion] + e.similarQuestions where !questions.contains(q) { questions.append(q) }
            }
            for q in questions {
                var terms = terms(of: q)
                guard !terms.isEmpty else { continue }
                let doc = Int32(docTopic.count)
                docTopic.append(Int32(t))
                docLength.append(Float(terms.count))
                total += Float(terms.count)
                // Term frequencies by sorting (a dictionary per question cost a fifth of the build).
                terms.sort()
                var k = 0
                while k < terms.count {
                    var j = k + 1
                    while j < terms.count, terms[j] == terms[k] { j += 1 }
                    postings[terms[k], default: []].append((doc, UInt16(min(j - k, Int(UInt16.max)))))
                    k = j
                }
            }
        }
        averageLength = docTopic.isEmpty ? 1 : total / Float(docTopic.count)
        docWeight = [Float](repeating: 0, count: docTopic.count)
        let n = Float(docTopic.count)
        for (term, list) in postings {
            let idf = Self.weight(term) * log(1 + (n - Float(list.count) + 0.5) / (Float(list.count) + 0.5))
            for (doc, _) in list { docWeight[Int(doc)] += idf }
        }
    }

    /// Bigrams carry the meaning; single characters help with typos, at a third of the weight.
    static func weight(_ term: UInt64) -> Float { term >> 63 == 1 ? 1.0 : 0.35 }

    public var topicCount: Int { topicNames.count }
    public var documentCount: Int { docTopic.count }

    /// Unigrams and bigrams of the normalised question (greetings already dropped there), as
    /// integers (a scalar is < 2^21).
    func terms(of question: String) -> [UInt64] {
        let s = normaliser.normalisedScalars(question).map { UInt64($0) }
        var out: [UInt64] = []
        out.reserveCapacity(s.count * 2)
        for (i, c) in s.enumerated() {
            out.append(c)
            if i + 1 < s.count { out.append(1 << 63 | c << 21 | s[i + 1]) }
        }
        return out
    }

    /// Topics by score, best first.
    public func rank(_ question: String, limit: Int = 4) -> [KnowledgeMatch.Candidate] {
        let q = Array(Set(terms(of: question)))
        guard !q.isEmpty, !docTopic.isEmpty else { return [] }
        let n = Float(docTopic.count)
        var scores = [Float](repeating: 0, count: docTopic.count)
        var matched = [Float](repeating: 0, count: docTopic.count)
        var idfTotal: Float = 0
        var touched: [Int32] = []
        for term in q {
            let weight = Self.weight(term)
            guard let list = postings[term] else {
                // A term no stored question has still counts in what the question asks.
                idfTotal += weight * log(1 + n / 0.5)
                continue
            }
            let idf = weight * log(1 + (n - Float(list.count) + 0.5) / (Float(list.count) + 0.5))
            idfTotal += idf
            for (doc, tf) in list {
                let d = Int(doc)
                if scores[d] == 0 { touched.append(doc) }
                let f = Float(tf)
                scores[d] += idf * f * (Self.k1 + 1) / (f + Self.k1 * (1 - Self.b + Self.b * docLength[d] / averageLength))
                matched[d] += idf
            }
        }
        // A topic's score is its best question's.
        var best: [Int32: (score: Float, coverage: Float)] = [:]
        for doc in touched {
            let d = Int(doc), t = docTopic[d]
            // How much of the question the stored question covers, and how much of the stored
            // question the question covers: a question padded with where the asker lives still
            // covers its stored question well.
            let q = idfTotal > 0 ? matched[d] / idfTotal : 0
            let s = docWeight[d] > 0 ? matched[d] / docWeight[d] : 0
            let cov = q + s > 0 ? 2 * q * s / (q + s) : 0
            if let e = best[t], e.score >= scores[d] { continue }
            best[t] = (scores[d], cov)
        }
        // The best `limit` by a running selection: sorting every touched topic cost more than scoring.
        var top: [(key: Int32, value: (score: Float, coverage: Float))] = []
        for e in best {
            if top.count == limit, let last = top.last, last.value.score > e.value.score
                || (last.value.score == e.value.score && last.key < e.key) { continue }
            let at = top.firstIndex { $0.value.score < e.value.score || ($0.value.score == e.value.score && $0.key > e.key) } ?? top.count
            top.insert(e, at: at)
            if top.count > limit { top.removeLast() }
        }
        return top
            .map { KnowledgeMatch.Candidate(topic: topicNames[Int($0.key)], score: Double($0.value.score),
                                            coverage: Double($0.value.coverage)) }
    }

    /// The answer for a question asked by someone of `askerOrganisation` on `day` (start-of-day epoch).
    public func match(_ question: String, askerOrganisation: String? = nil, day: Int64) -> KnowledgeMatch {
        let region = detector.detect(question: question, askerOrganisation: askerOrganisation)
        let ranked = rank(question)
        guard let top = ranked.first, top.coverage >= minimumCoverage else {
            return KnowledgeMatch(region: region, best: ranked.first, runnersUp: Array(ranked.dropFirst()), entry: nil,
                                  level: .noMatch, why: "最接近的主题相似度不足（覆盖 \(Int((ranked.first?.coverage ?? 0) * 100))%）")
        }
        let entries = entriesByTopic[top.topic] ?? []
        let date = ShanghaiTime.formatDate(day)
        let runners = Array(ranked.dropFirst())
        if region.region != cityWide {
            if let own = entries.first(where: { $0.region == region.region && $0.inForce(on: day) }) {
                return KnowledgeMatch(region: region, best: top, runnersUp: runners, entry: own, level: .county(region.region),
                                      why: "\(region.reason)；\(region.region)有本地条目，优先于全市")
            }
        }
        if let city = entries.first(where: { $0.region == cityWide && $0.inForce(on: day) }) {
            let because: String
            if region.region == cityWide {
                because = region.reason
            } else if entries.contains(where: { $0.region == region.region && $0.state != .retired }) {
                because = "\(region.reason)；\(region.region)的条目在 \(date) 不在有效期内，使用全市条目"
            } else {
                because = "\(region.reason)；\(region.region)没有该主题的本地条目，使用全市条目"
            }
            return KnowledgeMatch(region: region, best: top, runnersUp: runners, entry: city, level: .cityWide, why: because)
        }
        return KnowledgeMatch(region: region, best: top, runnersUp: runners, entry: nil, level: .notInForce,
                              why: "主题「\(top.topic)」在 \(date) 没有生效的\(region.region)或全市条目")
    }
}
