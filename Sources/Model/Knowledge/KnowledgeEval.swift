import Foundation

/// `kb eval`: region detection and topic matching measured on a question set (问题, 提问机构,
/// 期望区域, 期望主题; an empty topic means no topic should match).
public enum KnowledgeEval {
    public struct Case: Sendable {
        public let line: Int
        public let question: String
        public let org: String?
        public let region: String
        public let topic: String?
    }

    public struct Result: Sendable {
        public var total = 0
        public var regionRight = 0
        public var withTopic = 0
        public var top1 = 0
        public var top3 = 0
        public var without = 0
        public var rejected = 0
        public var ambiguous = 0
        /// Matches flagged 不确定, and matches given as certain that were wrong (a wrong topic, or a
        /// topic for an out-of-knowledge-base question): what a reviewer would be misled by.
        public var uncertain = 0
        public var uncertainWrong = 0
        public var certainWrong = 0
        public var misses: [String] = []
        public var seconds = 0.0

        func pct(_ a: Int, _ b: Int) -> String { b == 0 ? "—" : String(format: "%.1f%% (%d/%d)", Double(a) * 100 / Double(b), a, b) }

        public var summary: [String] {
            [
                "问题 \(total) 条 (questions)",
                "区域识别准确率 (region accuracy): \(pct(regionRight, total))；其中提到多个区县 \(ambiguous) 条",
                "主题 top-1 准确率 (topic top-1): \(pct(top1, withTopic))",
                "主题 top-3 准确率 (topic top-3): \(pct(top3, withTopic))",
                "知识库外问题正确地不匹配 (out-of-KB questions left unmatched): \(pct(rejected, without))",
                "标为不确定 (flagged uncertain): \(uncertain) 条，其中确实答错 \(uncertainWrong) 条；确定但答错 (wrong and not flagged): \(certainWrong) 条",
                String(format: "平均每题 %.2f ms (per question)", total == 0 ? 0 : seconds * 1000 / Double(total)),
            ]
        }
    }

    public static func read(_ path: String) throws -> [Case] {
        try KnowledgeBase.readTable(path, required: [["问题"], ["期望区域"]]).map { line, row in
            guard let q = row["问题"], !q.trimmed.isEmpty else {
                throw FileError(file: path, reason: "第 \(line) 行：「问题」为空 (line \(line): no question)")
            }
            let topic = row["期望主题"]?.trimmed ?? ""
            return Case(line: line, question: q, org: row["提问机构"].flatMap { $0.trimmed.isEmpty ? nil : $0.trimmed },
                        region: row["期望区域"]?.trimmed ?? "", topic: topic.isEmpty ? nil : topic)
        }
    }

    public static func run(_ cases: [Case], matcher: KnowledgeMatcher, day: Int64) -> Result {
        var r = Result()
        let t0 = Date()
        for c in cases {
            r.total += 1
            let m = matcher.match(c.question, askerOrganisation: c.org, day: day)
            if m.region.ambiguous { r.ambiguous += 1 }
            if m.region.region == c.region { r.regionRight += 1 } else {
                r.misses.append("区域 第\(c.line)行 「\(c.question)」 期望 \(c.region)，得到 \(m.region.region)（\(m.region.reason)）")
            }
            let ranked = [m.best].compactMap { $0 } + m.runnersUp
            let wrong = m.level != .noMatch && ranked.first?.topic != c.topic
            if m.uncertain {
                r.uncertain += 1
                if wrong { r.uncertainWrong += 1 }
            } else if wrong {
                r.certainWrong += 1
            }
            if let want = c.topic {
                r.withTopic += 1
                let accepted = m.level != .noMatch
                if accepted, ranked.first?.topic == want { r.top1 += 1 } else {
                    r.misses.append("主题 第\(c.line)行 「\(c.question)」 期望「\(want)」，得到「\(accepted ? ranked.first?.topic ?? "无" : "无（相似度不足）")」")
                }
                if ranked.prefix(3).contains(where: { $0.topic == want }) { r.top3 += 1 }
            } else {
                r.without += 1
                if m.level == .noMatch { r.rejected += 1 } else {
                    r.misses.append("库外 第\(c.line)行 「\(c.question)」 不应匹配，得到「\(ranked.first?.topic ?? "")」")
                }
            }
        }
        r.seconds = Date().timeIntervalSince(t0)
        return r
    }
}
