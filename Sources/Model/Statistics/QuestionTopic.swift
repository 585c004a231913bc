/// What a question is about, for TOP10 hot questions (domain.md §3): the matched knowledge id or
/// standard question when the log has one, else the question's normalised text — full-width
/// characters made half-width, punctuation and spaces stripped, letters lower-cased, greetings
/// dropped and place names replaced by a slot, so "如皋市灵活就业怎么交社保？" and "海门 灵活就业怎么交社保" are one topic.
///
/// Topics are stored as 64-bit FNV-1a hashes (stable across processes, unlike Swift's `Hasher`),
/// computed once at import: the statistics index then groups a million records by an integer.
public struct QuestionTopic: Sendable {
    /// What a place name becomes in a normalised question.
    public static let slot: Character = "〇"

    /// Place names (longest first, so 通州湾示范区 wins over 通州), and the greetings dropped.
    private let places: LongestMatch<Void>

    /// Greetings and fillers that do not change what is asked ("你好，", "请问", "急！"): dropped, so
    /// "你好，人才公寓怎么申请？" and "人才公寓怎么申请" are one topic.
    public static let fillers = ["你好", "您好", "请问", "麻烦问下", "麻烦问一下", "问一下", "想问下", "想问一下", "我想问",
                                 "咨询一下", "谢谢", "在线等", "急"]
    private static let fillerTable = LongestMatch(fillers.map { ($0, ()) })

    public init(organisations: Organisations) {
        var names = Set<String>()
        for o in organisations.all {
            names.insert(o.name)
            names.formUnion(o.aliases)
        }
        names.formUnion(organisations.legacy.keys)
        places = LongestMatch(names.filter { $0.unicodeScalars.count >= 2 }.sorted().map { ($0, ()) })
    }

    public static let bundled = QuestionTopic(organisations: ReferenceData.bundled.organisations)

    /// The normalised text of a question.
    public func normalised(_ question: String) -> String {
        var out = String.UnicodeScalarView()
        for v in normalisedScalars(question) { out.append(Unicode.Scalar(v)!) }
        return String(out)
    }

    /// The same, as scalar values (the knowledge matcher's n-grams need no String).
    public func normalisedScalars(_ question: String) -> [UInt32] {
        var folded: [UInt32] = []
        folded.reserveCapacity(question.unicodeScalars.count)
        for var s in question.unicodeScalars {
            if s.value >= 0xFF01 && s.value <= 0xFF5E { s = Unicode.Scalar(s.value - 0xFEE0)! }
            if s.value < 0x80 {
                let v = UInt8(s.value)
                if (v >= 0x30 && v <= 0x39) || (v >= 0x61 && v <= 0x7A) || v == 0x2A { folded.append(s.value); continue }
                if v >= 0x41 && v <= 0x5A { folded.append(UInt32(v + 0x20)); continue }
                continue  // ASCII punctuation, spaces and controls
            }
            if Self.isStripped(s) { continue }
            folded.append(s.value)
        }
        var out: [UInt32] = []
        out.reserveCapacity(folded.count)
        let slot = Self.slot.unicodeScalars.first!.value
        var i = 0
        while i < folded.count {
            if let m = places.match(folded, at: i) {
                out.append(slot)
                i += m.length
            } else if let m = Self.fillerTable.match(folded, at: i) {
                i += m.length
            } else {
                out.append(folded[i])
                i += 1
            }
        }
        return out
    }

    /// Punctuation, symbols and spaces outside ASCII (、。？！「」… and the ideographic space).
    static func isStripped(_ s: Unicode.Scalar) -> Bool {
        if s.value >= 0x3000 && s.value <= 0x303F { return true }
        if s.value >= 0x4E00 && s.value <= 0x9FFF { return false }  // the common case, decided fast
        switch s.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control, .format,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    /// The grouping key: `k:` knowledge id, `s:` standard question, or `q:` normalised question.
    public func key(knowledgeId: String?, standardQuestion: String?, question: String) -> String {
        if let k = knowledgeId?.trimmed, !k.isEmpty { return "k:" + k }
        if let s = standardQuestion?.trimmed, !s.isEmpty { return "s:" + s }
        return "q:" + normalised(question)
    }

    public func topic(of r: InteractionRecord) -> Int64 {
        Self.hash(key(knowledgeId: r.knowledgeId, standardQuestion: r.standardQuestion, question: r.question))
    }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func hash(_ s: String) -> Int64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var copy = s
        copy.withUTF8 { bytes in
            for b in bytes {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        return Int64(bitPattern: h)
    }
}

/// What the statistics need of a record that never changes after import: how its hit was decided
/// and which topic and wording it has. Stored with the record, so counting never reads the texts.
public struct RecordFacts: Equatable, Sendable {
    /// 0 a miss by the log, 1 a hit by the log, 2 a miss and 3 a hit by the fallback-template test.
    public var hitClass: UInt8
    public var topic: Int64
    /// The hash of the question as asked (after masking): "the most common wording" of a topic.
    public var wording: Int64

    public init(hitClass: UInt8, topic: Int64, wording: Int64) {
        self.hitClass = hitClass
        self.topic = topic
        self.wording = wording
    }

    public var isHit: Bool { hitClass == 1 || hitClass == 3 }
    public var byTemplate: Bool { hitClass >= 2 }

    /// Computes the facts; `rules` gives the fallback phrases, `topics` the place names.
    public static func of(_ r: InteractionRecord, rules: HitRules, topics: QuestionTopic) -> RecordFacts {
        let cls: UInt8
        switch HitRules.logged(r) {
        case true?: cls = 1
        case false?: cls = 0
        case nil: cls = rules.looksLikeFallback(r.answer) ? 2 : 3
        }
        return RecordFacts(hitClass: cls, topic: topics.topic(of: r), wording: QuestionTopic.hash(r.question))
    }
}
