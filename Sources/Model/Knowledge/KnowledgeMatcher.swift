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
        /// That stored question (the standard or a similar question), as the editor wrote it.
        public var question: String = ""
        /// It shares a content word with the question (a bigram not made only of question words
        /// such as 怎么办理, 在哪里, 多少): without one a match is 不确定 (护照怎么办理 is not 营业执照怎么办理).
        public var sharesContentWord = true
    }

    public let region: RegionDetector.Result
    public let best: Candidate?
    public let runnersUp: [Candidate]
    public let entry: KnowledgeEntry?
    public let level: Level
    /// Why this level answered, in the words the screen shows.
    public let why: String
    /// The synonyms that made the match (`丧葬费→丧葬补助金`): forms in the question rewritten to a
    /// standard form the matched stored question has.
    public var synonymsUsed: [String] = []
    /// A topic was taken, but weakly (low coverage or a near tie with the runner-up): the screen
    /// says 不确定 and shows the runner-up beside it rather than presenting it as the answer.
    public var uncertain = false

    /// `不确定` and the runner-up, when the match is weak.
    public var uncertainText: String? {
        guard uncertain, let b = best else { return nil }
        let other = runnersUp.first.map { "；次选「\($0.topic)」（覆盖 \(Int(($0.coverage * 100).rounded()))%）" } ?? ""
        return "不确定：最接近「\(b.topic)」，覆盖 \(Int((b.coverage * 100).rounded()))%\(other)"
    }

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
    let synonyms: SynonymTable
    let cityWide: String
    /// Entries by topic (every region and state), and the topics' names.
    public private(set) var entriesByTopic: [String: [KnowledgeEntry]] = [:]
    /// The entry that carries each of the bot's knowledge ids (not retired; an active one first).
    public private(set) var entriesByBotId: [String: KnowledgeEntry] = [:]
    private var topicNames: [String] = []

    // The index: one document per stored question, each belonging to a topic.
    private var docTopic: [Int32] = []
    private var docLength: [Float] = []
    private var postings: [UInt64: [(doc: Int32, tf: UInt16)]] = [:]
    private var averageLength: Float = 1
    /// Each document's weight: the IDF of its distinct terms, summed (for the share a question covers).
    private var docWeight: [Float] = []
    /// Each document's stored question and its normalised, rewritten scalars (which synonyms a match used).
    private var docQuestion: [String] = []
    private var docText: [[UInt32]] = []

    static let k1: Float = 1.2
    static let b: Float = 0.75
    /// Below this coverage the best topic is not taken as the question's (tuned on the eval set).
    public static let defaultMinimumCoverage = 0.2
    public var minimumCoverage = KnowledgeMatcher.defaultMinimumCoverage
    /// Below this coverage (or within `nearTie` of the runner-up's score) a match is 不确定;
    /// chosen on the tuning set (docs/decisions.md, issue 17).
    public static let defaultUncertainCoverage = 0.35
    public var uncertainCoverage = KnowledgeMatcher.defaultUncertainCoverage
    public static let nearTie = 0.92
    /// Whether the questions are indexed (`match` and `rank` can run). Without: only the entries
    /// by topic and by bot id, for `botLink` — what the review screen's detail needs. The index is
    /// the larger part: 25 MB of 33 at 10,000 entries (issue 36).
    public let indexed: Bool

    public init(entries: [KnowledgeEntry], organisations: Organisations, synonyms: Synonyms = Synonyms(), indexed: Bool = true) {
        self.indexed = indexed
        detector = RegionDetector(organisations: organisations)
        let normaliser = QuestionTopic(organisations: organisations)
        self.normaliser = normaliser
        self.synonyms = SynonymTable(synonyms) { normaliser.normalisedScalars($0) }
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
        for e in entries where e.state != .retired {
            for b in e.botIds where entriesByBotId[b] == nil || (entriesByBotId[b]!.state != .active && e.state == .active) {
                entriesByBotId[b] = e
            }
        }
        guard indexed else { return }
        var total: Float = 0
        postings.reserveCapacity(entries.count * 12)
        for (t, group) in grouped.enumerated() {
            // Retired and draft entries answer nothing: their questions are not indexed.
            var questions: [String] = []
            for e in group where e.state == .active {
                for q in [e.standardQuestion] + e.similarQuestions where !questions.contains(q) { questions.append(q) }
            }
            for q in questions {
                var unused: [SynonymTable.Use] = []
                let text = scalars(of: q, uses: &unused)
                var terms = Self.terms(text)
                guard !terms.isEmpty else { continue }
                let doc = Int32(docTopic.count)
                docTopic.append(Int32(t))
                docQuestion.append(q)
                docText.append(text)
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

    /// Characters of the words every question is made of (怎么办理, 在哪里, 需要多少, 可以吗): a
    /// bigram with one of them says how something is asked (or straddles two words: 照怎), not what.
    static let questionWord: Set<UInt32> = Set("怎么办理哪里儿什么多少几可以能需要吗呢是有没不去在到了的和与及或请问如何样个些时候间久长啥咋要用该会".unicodeScalars.map(\.value))

    /// Bigrams carry the meaning; single characters help with typos, at a third of the weight.
    static func weight(_ term: UInt64) -> Float { term >> 63 == 1 ? 1.0 : 0.35 }

    public var topicCount: Int { topicNames.count }
    public var documentCount: Int { docTopic.count }

    /// Unigrams and bigrams of the normalised question (greetings already dropped there), as
    /// integers (a scalar is < 2^21).
    func terms(of question: String) -> [UInt64] {
        var unused: [SynonymTable.Use] = []
        return Self.terms(scalars(of: question, uses: &unused))
    }

    /// The normalised question with the synonyms rewritten to their standard forms.
    func scalars(of question: String, uses: inout [SynonymTable.Use]) -> [UInt32] {
        synonyms.rewrite(normaliser.normalisedScalars(question), uses: &uses)
    }

    static func terms(_ scalars: [UInt32]) -> [UInt64] {
        let s = scalars.map { UInt64($0) }
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
        var unused: [SynonymTable.Use] = []
        return rank(question, limit: limit, uses: &unused).map(\.candidate)
    }

    /// The ranking with each candidate's best document, and the synonyms the question used.
    func rank(_ question: String, limit: Int, uses: inout [SynonymTable.Use]) -> [(candidate: KnowledgeMatch.Candidate, doc: Int)] {
        precondition(indexed, "a matcher made without its index cannot rank")
        let q = Array(Set(Self.terms(scalars(of: question, uses: &uses))))
        guard !q.isEmpty, !docTopic.isEmpty else { return [] }
        let n = Float(docTopic.count)
        var scores = [Float](repeating: 0, count: docTopic.count)
        var matched = [Float](repeating: 0, count: docTopic.count)
        var rare = [Bool](repeating: false, count: docTopic.count)
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
            let isRare = term >> 63 == 1 && !Self.questionWord.contains(UInt32(term >> 21 & 0x1F_FFFF))
                && !Self.questionWord.contains(UInt32(term & 0x1F_FFFF))
            for (doc, tf) in list {
                let d = Int(doc)
                if scores[d] == 0 { touched.append(doc) }
                let f = Float(tf)
                scores[d] += idf * f * (Self.k1 + 1) / (f + Self.k1 * (1 - Self.b + Self.b * docLength[d] / averageLength))
                matched[d] += idf
                if isRare { rare[d] = true }
            }
        }
        // A topic's score is its best question's.
        var best: [Int32: (score: Float, coverage: Float, doc: Int32, rare: Bool)] = [:]
        for doc in touched {
            let d = Int(doc), t = docTopic[d]
            // How much of the question the stored question covers, and how much of the stored
            // question the question covers: a question padded with where the asker lives still
            // covers its stored question well.
            let q = idfTotal > 0 ? matched[d] / idfTotal : 0
            let s = docWeight[d] > 0 ? matched[d] / docWeight[d] : 0
            let cov = q + s > 0 ? 2 * q * s / (q + s) : 0
            if let e = best[t], e.score >= scores[d] { continue }
            best[t] = (scores[d], cov, doc, rare[d])
        }
        // The best `limit` by a running selection: sorting every touched topic cost more than scoring.
        var top: [(key: Int32, value: (score: Float, coverage: Float, doc: Int32, rare: Bool))] = []
        for e in best {
            if top.count == limit, let last = top.last, last.value.score > e.value.score
                || (last.value.score == e.value.score && last.key < e.key) { continue }
            let at = top.firstIndex { $0.value.score < e.value.score || ($0.value.score == e.value.score && $0.key > e.key) } ?? top.count
            top.insert(e, at: at)
            if top.count > limit { top.removeLast() }
        }
        return top
            .map { (KnowledgeMatch.Candidate(topic: topicNames[Int($0.key)], score: Double($0.value.score),
                                             coverage: Double($0.value.coverage), question: docQuestion[Int($0.value.doc)],
                                             sharesContentWord: $0.value.rare),
                    Int($0.value.doc)) }
    }

    /// The answer for a question asked by someone of `askerOrganisation` on `day` (start-of-day epoch).
    public func match(_ question: String, askerOrganisation: String? = nil, day: Int64) -> KnowledgeMatch {
        let region = detector.detect(question: question, askerOrganisation: askerOrganisation)
        var uses: [SynonymTable.Use] = []
        let scored = rank(question, limit: 4, uses: &uses)
        var m = decide(region: region, ranked: scored.map(\.candidate), day: day)
        // The synonyms that count: those whose standard form the matched stored question has.
        if let doc = scored.first?.doc {
            var seen = Set<SynonymTable.Use>()
            for u in uses where seen.insert(u).inserted && Self.contains(docText[doc], u.target) {
                m.synonymsUsed.append("\(u.written)→\(u.standard)")
            }
        }
        m.uncertain = m.level != .noMatch && (m.best.map { b in
            b.coverage < uncertainCoverage || !b.sharesContentWord || (m.runnersUp.first.map { $0.score >= b.score * Self.nearTie } ?? false)
        } ?? false)
        return m
    }

    static func contains(_ s: [UInt32], _ part: [UInt32]) -> Bool {
        guard !part.isEmpty, part.count <= s.count else { return false }
        for i in 0...(s.count - part.count) where s[i..<(i + part.count)].elementsEqual(part) { return true }
        return false
    }

    private func decide(region: RegionDetector.Result, ranked: [KnowledgeMatch.Candidate], day: Int64) -> KnowledgeMatch {
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
