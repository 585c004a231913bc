import Foundation

/// A small, fast, seedable generator (SplitMix64), so a seed gives the same data on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    public mutating func pick<T>(_ a: [T]) -> T { a[Int(next() % UInt64(a.count))] }
    public mutating func int(_ r: ClosedRange<Int>) -> Int { r.lowerBound + Int(next() % UInt64(r.count)) }
}

/// A synthetic log export shaped like the bureau's (domain.md §6, §9): every organisation (some
/// under legacy names), the 90 days before `end`, every business type, fallbacks, personal data to
/// mask, answers of 150–1,500 characters with a few over 5,000 and one over 32,767, and the odd
/// hard character (emoji, CJK extension B, a control character). Rows come out as a vendor would
/// write them; labels come separately, for the demo database only.
public struct DemoGenerator {
    public static let header: [LogField] = [
        .recordId, .sessionId, .turn, .askedAt, .channel, .org, .question, .answer, .knowledgeId,
        .standardQuestion, .fallback, .biz1, .biz2, .satisfaction,
    ]

    let seed: UInt64
    let end: Int64
    /// Rows in the whole dataset: row i's time grows with i, as in a real log export.
    let count: Int
    let orgPool: [String]
    let types: [(String, String, [String])]

    /// `end`: the newest time; `count` records spread over the 90 days before it, oldest first.
    public init(seed: UInt64, end: Int64, count: Int, reference: ReferenceData = .bundled) {
        self.seed = seed
        self.end = end
        self.count = max(1, count)
        // Weighted: the county-level units get most traffic; legacy names appear as they do in old logs.
        var pool: [String] = []
        for o in reference.organisations.all {
            let w = o.kind == "county" ? 6 : (o.kind == "city" ? 4 : 1)
            pool += Array(repeating: o.name, count: w)
        }
        pool += ["港闸区", "海门市", "海安县", "如东市"]
        orgPool = pool
        types = reference.taxonomy.level1.flatMap { l1 in
            l1.level2.compactMap { l2 in DemoCorpus.questions[l1.name]?[l2].map { (l1.name, l2, $0) } }
        }
    }

    /// Demo labels for a generated record (about a third labelled, some reviewed).
    public struct DemoLabel {
        /// The label the record ends with (the second reviewer's, when reviewed).
        public let label: Label
        public let reviewer: String
        public let labeledAt: Int64
        public let reviewedBy: String?
        /// The labeller's own label: for a reviewed record, sometimes not the one the review kept.
        public var firstLabel: Label = .correct
    }

    /// Row `index` (0-based) of the dataset: the same index and seed always give the same row.
    public func row(_ index: Int) -> (RawLogRow, DemoLabel?) {
        var rng = SeededRandom(seed: seed ^ (UInt64(index) &* 0x2545_F491_4F6C_DD1D))
        // The first rows walk the whole taxonomy, so even a small demo has every business type.
        let typeIndex = index < types.count ? index : rng.int(0...(types.count - 1))
        let (biz1, biz2, qs) = types[typeIndex]
        let org = rng.pick(orgPool)
        let countyNames = ["海安市", "海门区", "启东市", "如皋市", "如东县", "通州区", "如皋", "海门"]
        let questionIndex = rng.int(0...(qs.count - 1))
        var question = qs[questionIndex]
        if question.contains("{县}") {
            question = question.replacingOccurrences(of: "{县}", with: rng.chance(0.7) ? rng.pick(countyNames) : "")
        }
        question = rng.pick(DemoCorpus.prefixes) + question
        if rng.chance(0.03) {
            // Written the ways citizens write them (issue 18): the normaliser masks every form.
            let id = rng.pick(DemoCorpus.ids), mobile = rng.pick(DemoCorpus.mobiles)
            switch rng.int(0...4) {
            case 0: question += "我身份证号是\(id)，手机\(mobile)，麻烦帮我查一下。"
            case 1: question += "我叫\(rng.pick(DemoCorpus.citizens))，身份证\(id.prefix(6)) \(id.dropFirst(6).prefix(8)) \(id.suffix(4))，电话\(mobile.prefix(3))-\(mobile.dropFirst(3).prefix(4))-\(mobile.suffix(4))。"
            case 2: question += "手机\(DemoCorpus.fullWidth(mobile))，身份证\(DemoCorpus.fullWidth(id))，帮我查下。"
            case 3: question += "联系人\(rng.pick(DemoCorpus.citizens))，+86 \(mobile)，住\(rng.pick(["阳光", "紫琅", "濠河"]))小区\(rng.int(1...30))栋\(rng.int(101...2405))室。"
            default: question += "我身份证号是\(id)，手机\(mobile)，麻烦帮我查一下。"
            }
        } else if rng.chance(0.02) {
            question += "有结果请打我电话\(rng.pick(DemoCorpus.mobiles))。"
        }
        let smallTalk = biz2 == "闲聊无效"
        let fallback = index != 1 && !smallTalk && (biz1 == "非人社事项" ? rng.chance(0.5) : rng.chance(0.1))
        var answer: String
        if smallTalk {
            answer = "您好！我是南通人社智能客服，请问有什么可以帮您？😊"
        } else if fallback {
            answer = rng.pick(DemoCorpus.fallbacks)
        } else {
            answer = Self.answer(for: question, topic: biz2, rng: &rng, longIndex: index)
        }
        if rng.chance(0.05) { answer = "<think>用户询问的是\(biz2)相关问题，需要结合本地政策回答。</think>\n" + answer }
        if rng.chance(0.002) { answer += "\n附：生僻字示例「𠮷」「𪚥」，控制字符\u{7}已保留。" }
        if rng.chance(0.01), rng.chance(0.5) { answer += "\n如需帮助请联系经办人，电话\(rng.pick(DemoCorpus.mobiles))。" }

        let askedAt = askedTime(index)
        let session = String(format: "S%012llu", rng.next() % 1_000_000_000_000)
        let hit = !fallback && !smallTalk
        var raw = RawLogRow([:])
        raw[.recordId] = String(format: "17%017llu", (UInt64(index) &* 7919 &+ seed % 10_000) % 100_000_000_000_000_000)
        raw[.sessionId] = session
        raw[.turn] = String(rng.int(1...4))
        raw[.askedAt] = ShanghaiTime.format(askedAt)
        raw[.channel] = rng.pick(DemoCorpus.channels)
        raw[.org] = org
        raw[.question] = question
        raw[.answer] = answer
        // One knowledge entry per question template: its id and standard question go together.
        raw[.knowledgeId] = hit ? String(format: "KB%05d", typeIndex * 10 + questionIndex) : ""
        raw[.standardQuestion] = hit ? Self.standardQuestion(qs[questionIndex]) : ""
        raw[.fallback] = fallback ? "是" : "否"
        raw[.biz1] = biz1
        raw[.biz2] = biz2
        raw[.satisfaction] = rng.chance(0.3) ? String(rng.int(1...5)) : ""

        var label: DemoLabel?
        if rng.chance(0.35) {
            let l: Label
            if biz1 == "非人社事项" { l = rng.chance(0.85) ? .outOfScope : .missingKnowledge }
            else if fallback { l = rng.chance(0.8) ? .missingKnowledge : .misunderstood }
            else { l = rng.chance(0.74) ? .correct : (rng.chance(0.6) ? .misunderstood : .missingKnowledge) }
            let labeledAt = min(askedAt + Int64(rng.int(600...200_000)), end)
            label = DemoLabel(label: l, reviewer: rng.pick(DemoCorpus.reviewers), labeledAt: labeledAt,
                              reviewedBy: rng.chance(0.15) ? rng.pick(DemoCorpus.reviewers) : nil)
            // Drawn last, so every other value of the row is what it was before there was a first label.
            let changed = label?.reviewedBy != nil && rng.chance(0.12)
            label?.firstLabel = changed ? rng.pick(Label.allCases.filter { $0 != l }) : l
        }
        return (raw, label)
    }

    /// Logs are chronological: row i falls on day i·90/count of the 90 days before `end`'s day, and
    /// its place within that day maps to a time of day with office hours busiest (85%) and nights
    /// quiet but not empty.
    func askedTime(_ index: Int) -> Int64 {
        let position = Double(index) / Double(count) * 90
        let day = Int64(position)
        let f = position - Double(day)
        let secondOfDay: Double
        switch f {
        case ..<0.05: secondOfDay = f / 0.05 * 8 * 3600
        case ..<0.90: secondOfDay = 8 * 3600 + (f - 0.05) / 0.85 * 10 * 3600
        default: secondOfDay = 18 * 3600 + (f - 0.90) / 0.10 * 6 * 3600
        }
        // The 90 whole days before the day of `end`: no row lands after `end` (clamping them to it
        // piled the rest of today's rows onto one second).
        let firstDay = ShanghaiTime.startOfDay(end) - 90 * 86400
        return min(firstDay + day * 86400 + Int64(secondOfDay), end)
    }

    static func standardQuestion(_ q: String) -> String {
        q.replacingOccurrences(of: "{县}", with: "").replacingOccurrences(of: "我", with: "")
    }

    /// Markdown-ish answers of 150–1,500 characters; index 1 is over 32,767 characters and about one
    /// in 400 is over 5,000, so the long-answer paths always have data.
    static func answer(for question: String, topic: String, rng: inout SeededRandom, longIndex: Int) -> String {
        var parts = ["您好！关于“\(topic)”的问题，答复如下：", ""]
        let steps = longIndex == 1 ? 1400 : (rng.chance(0.0025) ? rng.int(90...160) : rng.int(2...14))
        for i in 1...steps {
            parts.append("\(i). " + DemoCorpus.answerSteps[(i + Int(rng.next() % 5)) % DemoCorpus.answerSteps.count])
        }
        parts.append("")
        parts.append("如有疑问请拨打12333人社服务热线，或到当地人社服务窗口咨询。")
        return parts.joined(separator: "\n")
    }
}
