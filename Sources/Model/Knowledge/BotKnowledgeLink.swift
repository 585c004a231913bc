/// What the bot answered from, in the knowledge base's terms: a log record's 命中知识 id (the
/// bot's own, `KB00790`) and the entry that carries it (`KB-00041`, 如皋市), with what a reviewer
/// should look at — the bot used the 全市 answer although the asker's county has an entry of its
/// own in force (a likely 理解错误 or 业务缺失), or another county's answer.
public struct BotKnowledgeLink: Equatable, Sendable {
    public enum Concern: Equatable, Sendable {
        /// The bot answered from the 全市 entry; `county` has its own entry of the topic in force.
        case cityWideUsed(county: String, entry: String)
        /// The bot answered from another county's entry than the asker's (`used` is its region).
        case otherCounty(used: String, asked: String)
    }

    /// The bot's id as the log wrote it.
    public let botId: String
    /// Our entry carrying it; nil: no entry carries the id yet (link it in the editor).
    public let entry: KnowledgeEntry?
    public let concern: Concern?

    /// `机器人答自 KB00790 = 本库 KB-00041（全市）`, or that the id is not linked.
    public var text: String {
        guard let e = entry else { return "机器人答自 \(botId)：本库没有条目关联这个编号（可在条目的「\(KnowledgeEntry.botIdField)」填写）" }
        return "机器人答自 \(botId) = 本库 \(e.id)（\(e.region)）"
    }

    public var englishText: String {
        guard let e = entry else { return "bot answered from \(botId): no entry of ours carries that id (set it in the entry's bot id field)" }
        return "bot answered from \(botId) = our \(e.id) (\(e.region))"
    }

    /// The concern in words, nil when there is none.
    public var concernText: String? {
        switch concern {
        case .cityWideUsed(let county, let id)?: "机器人用了全市答案，但\(county)有本地条目 \(id)：可能是「理解错误」或「业务缺失」"
        case .otherCounty(let used, let asked)?: "机器人用了\(used)的答案，提问属于\(asked)：可能是「理解错误」"
        case nil: nil
        }
    }

    public var englishConcernText: String? {
        switch concern {
        case .cityWideUsed(let county, let id)?: "the bot used the city-wide answer although \(county) has its own entry \(id): likely misunderstood or missing"
        case .otherCounty(let used, let asked)?: "the bot used \(used)'s answer for a question from \(asked): likely misunderstood"
        case nil: nil
        }
    }
}

extension KnowledgeMatcher {
    /// The link for a record's 命中知识 id (nil when it has none), judged for the region its
    /// question is about (`RegionDetector`: a county named in it, else the asker's) on `day`.
    public func botLink(knowledgeId: String?, question: String, askerOrganisation: String?, day: Int64) -> BotKnowledgeLink? {
        guard let id = knowledgeId?.trimmed, !id.isEmpty else { return nil }
        guard let e = entriesByBotId[id] else { return BotKnowledgeLink(botId: id, entry: nil, concern: nil) }
        let region = detector.detect(question: question, askerOrganisation: askerOrganisation).region
        var concern: BotKnowledgeLink.Concern?
        if region != cityWideRegion {
            if e.region == cityWideRegion {
                if let own = entriesByTopic[e.topic]?.first(where: { $0.region == region && $0.inForce(on: day) }) {
                    concern = .cityWideUsed(county: region, entry: own.id)
                }
            } else if e.region != region {
                concern = .otherCounty(used: e.region, asked: region)
            }
        }
        return BotKnowledgeLink(botId: id, entry: e, concern: concern)
    }

    /// The 全市 region's name (the matcher's fallback level).
    public var cityWideRegion: String { cityWide }
}
