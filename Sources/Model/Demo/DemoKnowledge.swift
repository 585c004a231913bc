/// A synthetic regional knowledge base for the demo: one 全市 topic for each question the demo
/// corpus asks (every business type), each with paraphrased similar questions, and county
/// entries where counties really differ — 城乡居民养老 subsidy tiers, office addresses and hours,
/// local employment and entrepreneurship subsidies, talent policies. Some entries are stale (past
/// their end date or not reviewed for a year), a few are drafts and one is retired, so every
/// state shows on the knowledge screen.
public enum DemoKnowledge {
    /// The six counties and the short names their documents use.
    static let counties: [(name: String, short: String)] = [
        ("海安市", "安"), ("海门区", "海"), ("启东市", "启"), ("如皋市", "皋"), ("如东县", "东"), ("通州区", "通"),
    ]

    /// A topic's name: its standard question without the county slot ("到{县}" reads "到本地").
    public static func topicName(_ template: String) -> String {
        DemoGenerator.standardQuestion(template.replacingOccurrences(of: "到{县}", with: "到本地")
            .replacingOccurrences(of: "在{县}", with: "在本地"))
    }

    /// Paraphrases a reviewer would also expect to match.
    static func similar(_ q: String) -> [String] {
        var out: [String] = []
        let swaps: [(String, String)] = [("怎么", "如何"), ("哪里", "什么地方"), ("多少", "几多"), ("可以", "能不能"),
                                         ("需要", "要"), ("吗？", "不？"), ("什么", "啥")]
        var a = q
        for (x, y) in swaps where a.contains(x) { a = a.replacingOccurrences(of: x, with: y); break }
        if a != q { out.append(a) }
        let stripped = q.replacingOccurrences(of: "？", with: "").replacingOccurrences(of: "。", with: "")
        out.append("请问" + stripped)
        if stripped.count > 8 { out.append(String(stripped.prefix(stripped.count * 2 / 3)) + "相关政策") }
        return out
    }

    public static func entries(reference: ReferenceData = .bundled, today: Int64) -> [KnowledgeEntry] {
        let start = ShanghaiTime.parseDay("2024-01-01")!
        let day: Int64 = 86400
        var out: [KnowledgeEntry] = []
        var n = 0
        let talk = reference.taxonomy.smallTalk
        // The demo bot's knowledge ids (DemoGenerator): KB + five digits of type index × 10 +
        // question index, the types counted as the generator does (every business type with questions).
        var typeIndex = -1
        for l1 in reference.taxonomy.level1 {
            for l2 in l1.level2 {
                guard let templates = DemoCorpus.questions[l1.name]?[l2] else { continue }
                typeIndex += 1
                // Small talk (你好, 在吗) is no knowledge.
                if l1.name == talk.level1 && l2 == talk.level2 { continue }
                for (questionIndex, template) in templates.enumerated() {
                    n += 1
                    let topic = topicName(template)
                    let standard = topic
                    let cityAnswer = """
                        关于“\(l2)”（全市口径）：
                        1. 办理条件：按《南通市\(l1.name)经办规程》执行，材料齐全的当场受理。
                        2. 办理渠道：江苏智慧人社APP、“南通人社”微信公众号，或就近人社服务窗口。
                        3. 办理时限：一般 5 个工作日内办结。
                        如有疑问请拨打12333。
                        """
                    // Most 全市 entries reviewed recently; every ninth not for over a year (stale).
                    let reviewed = n % 9 == 0 ? today - 400 * day : today - Int64(n % 60) * day
                    var city = KnowledgeEntry(
                        topic: topic, region: "全市", biz1: l1.name, biz2: l2, standardQuestion: standard,
                        similarQuestions: similar(standard), answer: cityAnswer,
                        policyBasis: "通人社规〔2024〕\(n % 20 + 1)号", effectiveFrom: start,
                        state: n % 47 == 0 ? .draft : .active, updatedBy: "知识库管理员",
                        updatedAt: reviewed, lastReviewedAt: reviewed)
                    // The bot's id on its 全市 entry; one in eleven not linked yet, as a real table starts.
                    if n % 11 != 0 { city.botIds = [String(format: "KB%05d", typeIndex * 10 + questionIndex)] }
                    out.append(city)
                    // Questions with a county slot are the ones counties answer differently.
                    guard template.contains("{县}") else { continue }
                    for (k, c) in counties.enumerated() where (n + k) % 3 != 0 {
                        out.append(KnowledgeEntry(
                            topic: topic, region: c.name, biz1: l1.name, biz2: l2,
                            standardQuestion: template.replacingOccurrences(of: "{县}", with: c.name).replacingOccurrences(of: "我", with: ""),
                            similarQuestions: [c.name.dropLast() + standard.replacingOccurrences(of: "？", with: "")],
                            answer: """
                                关于“\(l2)”（\(c.name)口径）：
                                1. 本地经办：\(c.name)人社局政务服务中心\(k + 1)号窗口，工作日 8:30-12:00、13:30-17:00。
                                2. 本地规定：按\(c.short)人社发〔2024〕\(k + 3)号执行，与全市规定不同之处以本文件为准。
                                如有疑问请拨打12333或\(c.name)人社服务热线。
                                """,
                            policyBasis: "\(c.short)人社发〔2024〕\(k + 3)号", effectiveFrom: start,
                            // One county variant in five has ended (stale, and the 全市 entry answers).
                            effectiveTo: (n + k) % 5 == 0 ? ShanghaiTime.parseDay("2025-06-30") : nil,
                            updatedBy: "\(c.name)人社局", updatedAt: today - Int64(k * 20) * day,
                            lastReviewedAt: today - Int64(k * 20) * day))
                    }
                }
            }
        }
        out += special(start: start, today: today)
        return out
    }

    /// Topics the corpus does not ask but the bureau's counties differ on.
    static func special(start: Int64, today: Int64) -> [KnowledgeEntry] {
        let day: Int64 = 86400
        var out: [KnowledgeEntry] = []
        let defs: [(String, String, String, String, [String], (String, Int) -> String)] = [
            ("社保经办服务大厅地址与办公时间", "经办服务", "网点信息", "社保服务大厅在哪里？几点上班？",
             ["社保中心地址在哪", "人社服务大厅周六上班吗", "去哪里办社保业务"],
             { c, k in "\(c)社保服务大厅：\(c)政务服务中心二楼，工作日 8:30-12:00、13:30-17:30；周六上午\(k % 2 == 0 ? "开放" : "不开放")。" }),
            ("城乡居民养老保险缴费档次与政府补贴", "养老保险", "城乡居民养老保险", "城乡居民养老保险缴费档次和政府补贴标准是多少？",
             ["城乡居民养老一年交多少钱", "居民养老保险政府补贴多少", "农村养老保险交哪个档次划算"],
             { c, k in "\(c)城乡居民养老保险缴费档次为每年 \(300 + k * 100) 元至 \(5000 + k * 500) 元共 \(12 + k % 3) 档，政府补贴每人每年 \(30 + k * 10) 元起，选择 1000 元及以上档次的补贴 \(120 + k * 15) 元。" }),
            ("人才引进生活补贴", "人才人事", "人才引进与补贴", "人才引进有什么补贴？怎么申请？",
             ["硕士来工作有生活补贴吗", "博士落户补贴多少钱", "人才购房补贴怎么领"],
             { c, k in "\(c)对新引进的全日制硕士每月发放生活补贴 \(1000 + k * 200) 元、博士 \(2000 + k * 300) 元，最长 3 年；在\(c)首次购房另有购房补贴。" }),
            ("灵活就业人员社保补贴", "就业创业", "灵活就业社保补贴", "灵活就业人员社保补贴怎么申请？补多少？",
             ["打零工交社保有补贴吗", "灵活就业社保补贴申请条件", "就业困难人员社保补贴标准"],
             { c, k in "\(c)就业困难人员灵活就业后缴纳社保的，按实际缴费额的 \(50 + k * 5)% 给予补贴，最长 3 年。" }),
            ("创业担保贷款额度与贴息", "就业创业", "创业补贴与担保贷款", "创业担保贷款能贷多少？利息怎么补？",
             ["创业贷款额度多少", "创业担保贷款贴息政策", "小微企业创业担保贷款"],
             { c, k in "\(c)个人创业担保贷款最高 \(30 + k * 5) 万元，小微企业最高 \(300 + k * 50) 万元，按规定给予贴息。" }),
        ]
        for (i, d) in defs.enumerated() {
            out.append(KnowledgeEntry(
                topic: d.0, region: "全市", biz1: d.1, biz2: d.2, standardQuestion: d.3, similarQuestions: d.4,
                answer: "全市口径：" + d.5("南通市", 0) + "\n如有疑问请拨打12333。", policyBasis: "通人社规〔2024〕\(30 + i)号",
                effectiveFrom: start, updatedBy: "知识库管理员", updatedAt: today - 10 * day, lastReviewedAt: today - 10 * day))
            for (k, c) in counties.enumerated() where (i + k) % 4 != 3 {
                out.append(KnowledgeEntry(
                    topic: d.0, region: c.name, biz1: d.1, biz2: d.2,
                    standardQuestion: c.name + d.3, similarQuestions: d.4.map { String(c.name.dropLast()) + $0 },
                    answer: d.5(c.name, k + 1) + "\n如有疑问请拨打12333。", policyBasis: "\(c.short)人社规〔2024〕\(k + 10)号",
                    effectiveFrom: start, effectiveTo: i == 2 && k == 0 ? ShanghaiTime.parseDay("2025-12-31") : nil,
                    state: i == 4 && k == 5 ? .retired : .active, updatedBy: "\(c.name)人社局",
                    updatedAt: today - Int64(10 + k * 45) * day, lastReviewedAt: today - Int64(10 + k * 45) * day))
            }
        }
        return out
    }

    /// `count` entries for the benchmark: the demo entries, then variants of them on further
    /// topics (distinct wording, so the index grows as a real one would).
    public static func scaled(count: Int, reference: ReferenceData = .bundled, today: Int64) -> [KnowledgeEntry] {
        let base = entries(reference: reference, today: today)
        let words = ["办理", "补贴", "材料", "流程", "条件", "时间", "地点", "标准", "申请", "查询", "变更", "转移", "认定", "审核",
                     "发放", "退休", "参保", "缴费", "待遇", "证明", "窗口", "网上", "手机", "单位", "个人", "外地", "本地", "新政"]
        var out = base
        var rng = SeededRandom(seed: 99)
        var k = 0
        while out.count < count {
            var e = base[k % base.count]
            let n = k / base.count + 1
            let extra = (0..<3).map { _ in rng.pick(words) }.joined()
            e.topic += "（专题\(n)：\(extra)）"
            e.standardQuestion = extra + e.standardQuestion
            e.similarQuestions = e.similarQuestions.map { rng.pick(words) + $0 + rng.pick(words) }
            out.append(e)
            k += 1
        }
        return Array(out.prefix(count))
    }
}

