/// How a record counts in the statistics (domain.md §3): small talk is left out of every figure,
/// and a record is a 命中 (hit) when the log grounds the answer in a knowledge entry and the answer
/// is not a fallback. When the log says nothing either way, a fallback-template test on the
/// answer's opening decides, and the figure says so. The SQL store mirrors these rules
/// (`SQLiteRecordStore.tallies`); a test checks the two agree.
public struct HitRules: Sendable, Equatable {
    public var smallTalkLevel1: String
    public var smallTalkLevel2: String
    /// Phrases that mark the bot's fallback answer, looked for in its first `templateWindow` characters.
    public var fallbackPhrases: [String]
    public static let templateWindow = 100

    public static let defaultFallbackPhrases = [
        "很抱歉，暂未", "暂未查询到", "暂未找到", "还在学习中", "无法回答您的问题", "没有找到相关",
    ]

    public init(taxonomy: Taxonomy, fallbackPhrases: [String] = HitRules.defaultFallbackPhrases) {
        smallTalkLevel1 = taxonomy.smallTalk.level1
        smallTalkLevel2 = taxonomy.smallTalk.level2
        self.fallbackPhrases = fallbackPhrases
    }

    public init(smallTalkLevel1: String, smallTalkLevel2: String, fallbackPhrases: [String]) {
        self.smallTalkLevel1 = smallTalkLevel1
        self.smallTalkLevel2 = smallTalkLevel2
        self.fallbackPhrases = fallbackPhrases
    }

    /// The bundled taxonomy's small talk and the default phrases.
    public static let defaultPhrases = HitRules(taxonomy: ReferenceData.bundled.taxonomy)

    /// The level-1 business type of questions that are not the bureau's (非人社事项): small talk's
    /// own level 1, where the taxonomy keeps 公积金, 税务, 公安户籍 … too. Its questions are not
    /// what the bureau's knowledge base lacks (未命中TOP10 leaves them out).
    public var outOfScopeLevel1: String { smallTalkLevel1 }

    public func isSmallTalk(_ r: InteractionRecord) -> Bool {
        r.effectiveBiz1 == smallTalkLevel1 && r.effectiveBiz2 == smallTalkLevel2
    }

    /// What the log says, in the order the SQL store tests it; nil when it says nothing.
    static func logged(_ r: InteractionRecord) -> Bool? {
        if r.fallback == true { return false }
        let matched = !(r.knowledgeId ?? "").isEmpty || !(r.standardQuestion ?? "").isEmpty
        if r.hitFlag == true || matched { return true }
        if r.hitFlag == false { return false }
        if r.fallback == false { return true }
        return nil
    }

    public func looksLikeFallback(_ answer: String) -> Bool {
        let opening = answer.prefix(Self.templateWindow)
        return fallbackPhrases.contains { opening.contains($0) }
    }

    /// The record's part in a tally.
    public func contribution(of r: InteractionRecord) -> Tally.Contribution {
        let logged = Self.logged(r)
        return Tally.Contribution(
            smallTalk: isSmallTalk(r), hit: logged ?? !looksLikeFallback(r.answer), byTemplate: logged == nil,
            label: r.label)
    }
}
