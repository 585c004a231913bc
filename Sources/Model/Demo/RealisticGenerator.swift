// Reason this file is long (475 lines, not one file per feature part): the lexicon, the sentence maker, the answer pool and the rows all draw
// from one seeded sequence per row; apart, each would need the generator's state passed in.
import Foundation

/// Word frequencies of a published Chinese lexicon: the 25,000 most frequent all-ideograph words
/// of jieba 0.42.1's `dict.txt` (MIT licence; the resource's header says where it came from and
/// carries the notice; `docs/tools/make_lexicon.py` makes it). Words are drawn by frequency, so
/// text made of them has the Zipf-like word and character statistics of real Chinese.
public struct Lexicon: Sendable {
    public let words: [String]
    public let frequencies: [UInt64]
    /// Each word's UTF-8 and its length in characters (all are ideographs: one scalar each).
    let utf8: [[UInt8]]
    let lengths: [Int]
    /// Running totals of `frequencies`: word i is drawn when a number below `total` falls in
    /// [cumulative[i-1], cumulative[i]).
    let cumulative: [UInt64]
    public var total: UInt64 { cumulative.last ?? 0 }

    public struct FormatError: Error, CustomStringConvertible {
        public let line: Int
        public let text: String
        public var description: String { "词表第 \(line) 行格式不对 (lexicon line \(line): want \"word frequency\"): \(text)" }
    }

    /// `word frequency` a line; lines starting with `#` and empty lines are skipped.
    public init(text: String) throws {
        var words: [String] = [], freqs: [UInt64] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ")
            guard parts.count == 2, let f = UInt64(parts[1]), f > 0 else { throw FormatError(line: n + 1, text: String(line)) }
            words.append(String(parts[0]))
            freqs.append(f)
        }
        guard !words.isEmpty else { throw FormatError(line: 0, text: "没有词 (no words)") }
        self.words = words
        frequencies = freqs
        utf8 = words.map { Array($0.utf8) }
        lengths = words.map { $0.unicodeScalars.count }
        var running: UInt64 = 0
        cumulative = freqs.map { running += $0; return running }
    }

    /// The bundled lexicon (`Resources/lexicon-zh.txt`).
    public static let bundled: Lexicon = {
        do {
            guard let url = Bundle.module.url(forResource: "lexicon-zh", withExtension: "txt") else {
                throw ReferenceDataError(file: "lexicon-zh.txt", reason: "bundled resource missing")
            }
            return try Lexicon(text: try String(contentsOf: url, encoding: .utf8))
        } catch { fatalError("bundled lexicon is broken: \(error)") }
    }()

    /// A word's index, drawn by frequency.
    @inline(__always)
    func draw(_ rng: inout SeededRandom) -> Int {
        let x = rng.next() % total
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if cumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// A vendor-style log export whose text has the statistics of real Chinese bot logs, for
/// `workbench bench` (its default corpus): words drawn by a real lexicon's frequencies, the
/// domain's topic words mixed in (so searches for 失业金 or 社保卡 hit), punctuation, numbers
/// (12333, landlines, amounts, dates), questions of ~10–40 characters and answers of ~100–600
/// with a long tail — and answers repeated as a bot's are: a pool of knowledge-base answers
/// (popularity Zipf-like) reused, a few fallback and small-talk phrases, and the rest written
/// afresh (some as a pool answer with a personal opening, as a generating bot does), so that
/// about `distinctAnswerShare` of all rows carry an answer no other row has (the issue's real
/// file: 330,564 distinct answers in 1,000,000 rows). Organisations, times, channels and the
/// other columns are the demo generator's. Row `i` depends only on the seed, `i` and the
/// settings, as `DemoGenerator.row` does.
///
/// `.random` is the worst case: uniformly random CJK ideographs of the same lengths, every text
/// distinct.
public struct RealisticGenerator {
    public enum Corpus: String, CaseIterable, Sendable { case realistic, random }

    /// The columns `DemoData.writeCSV` writes, in its order.
    public static let header = DemoGenerator.header

    public let corpus: Corpus
    public let distinctAnswerShare: Double
    let seed: UInt64
    let count: Int
    let demo: DemoGenerator
    let lexicon: Lexicon
    /// Indices into `demo.types`: small talk (闲聊无效) apart from the rest.
    let contentTypes: [Int]
    let smallTalkTypes: [Int]
    /// The knowledge-base answers, with their type and standard question.
    let pool: [PoolEntry]
    /// Running totals of the pool's Zipf weights (entry k: 1 / (k + 1)^0.9: the top ten entries
    /// about a fifth of the pool's rows at 5,000 entries).
    let poolCumulative: [Double]
    /// Pool entries in order of popularity (a seeded shuffle, so the popular ones are of every type).
    let poolByRank: [Int]
    /// Pool entries of each type (index as in `demo.types`).
    let poolByType: [[Int]]
    /// Shares of rows: small talk, fallback, an answer written afresh; the rest from the pool.
    let smallTalkShare = 0.012
    let fallbackShare = 0.05
    let freshShare: Double

    struct PoolEntry {
        let type: Int
        let knowledgeId: String
        let standardQuestion: String
        let answer: String
    }

    /// `count` rows over the 90 days before `end`. `poolSize`: knowledge-base answers
    /// (default count / 50, 10 to 5,000).
    public init(seed: UInt64, end: Int64, count: Int, corpus: Corpus = .realistic, distinctAnswerShare: Double = 0.33,
                poolSize: Int? = nil, lexicon: Lexicon = .bundled, reference: ReferenceData = .bundled) {
        self.seed = seed
        self.count = max(1, count)
        self.corpus = corpus
        self.distinctAnswerShare = min(1, max(0, distinctAnswerShare))
        self.lexicon = lexicon
        demo = DemoGenerator(seed: seed, end: end, count: count, reference: reference)
        let types = demo.types
        smallTalkTypes = types.indices.filter { types[$0].1 == "闲聊无效" }
        contentTypes = types.indices.filter { types[$0].1 != "闲聊无效" }
        let size = max(1, poolSize ?? min(5000, max(10, count / 50)))
        var entries: [PoolEntry] = []
        var byType = [[Int]](repeating: [], count: types.count)
        var generatorForPool = Self.textMaker(lexicon: lexicon)
        for k in 0..<size {
            var rng = SeededRandom(seed: seed &+ 0x5EED_0000 &+ UInt64(k) &* 0x9E37_79B9)
            let t = contentTypes[k % contentTypes.count]
            let (biz1, biz2, qs) = types[t]
            let round = k / contentTypes.count
            let standard: String
            if round < qs.count {
                standard = DemoGenerator.standardQuestion(qs[round])
            } else {
                standard = generatorForPool.question(biz1: biz1, biz2: biz2, length: rng.int(8...18), rng: &rng, prefix: false)
            }
            let answer = generatorForPool.answer(biz1: biz1, biz2: biz2, length: Self.answerLength(&rng), rng: &rng)
            byType[t].append(k)
            entries.append(PoolEntry(type: t, knowledgeId: String(format: "KB%05d", k), standardQuestion: standard, answer: answer))
        }
        pool = entries
        poolByType = byType
        var shuffle = SeededRandom(seed: seed &+ 0x0DE5_0000)
        poolByRank = Array(0..<size).shuffled(using: &shuffle)
        var running = 0.0
        poolCumulative = (0..<size).map { running += 1 / pow(Double($0 + 1), 0.9); return running }
        // Distinct answers: the fresh ones, the pool's (nearly all used at this size), the few
        // fallback and small-talk phrases.
        let fixed = Double(size + Self.fallbacks.count + Self.smallTalkAnswers.count)
        let wanted = (self.distinctAnswerShare * Double(self.count) - fixed) / Double(self.count)
        freshShare = min(1 - smallTalkShare - fallbackShare, max(0, wanted))
    }

    /// Row `index` (0-based).
    public func row(_ index: Int) -> RawLogRow {
        var rng = SeededRandom(seed: seed ^ (UInt64(index) &* 0xD6E8_FEB8_6659_FD93) ^ 0xA5A5_5A5A)
        var maker = Self.textMaker(lexicon: lexicon)
        let types = demo.types
        var raw = RawLogRow([:])
        var typeIndex: Int
        var question: String, answer: String
        var hit: PoolEntry?
        var fallback = false
        switch corpus {
        case .random:
            typeIndex = contentTypes[rng.int(0...(contentTypes.count - 1))]
            question = maker.randomIdeographs(Self.questionLength(&rng), rng: &rng)
            answer = maker.randomIdeographs(index == 1 ? 33_000 : Self.answerLength(&rng), rng: &rng)
            fallback = rng.chance(fallbackShare)
        case .realistic:
            let u = rng.unit()
            if u < smallTalkShare {
                typeIndex = smallTalkTypes.isEmpty ? contentTypes[0] : rng.pick(smallTalkTypes)
                question = rng.pick(Self.smallTalkQuestions)
                answer = rng.pick(Self.smallTalkAnswers)
            } else if u < smallTalkShare + fallbackShare {
                fallback = true
                typeIndex = contentTypes[rng.int(0...(contentTypes.count - 1))]
                question = maker.citizenQuestion(types[typeIndex], length: Self.questionLength(&rng), rng: &rng)
                answer = rng.pick(Self.fallbacks)
            } else if u < smallTalkShare + fallbackShare + freshShare || index == 1 {
                // Written afresh: a generating bot's answer, sometimes a knowledge-base answer
                // with a personal opening; index 1 is over 32,767 characters, as in the demo.
                typeIndex = contentTypes[rng.int(0...(contentTypes.count - 1))]
                let (biz1, biz2, _) = types[typeIndex]
                question = maker.citizenQuestion(types[typeIndex], length: Self.questionLength(&rng), rng: &rng)
                let entries = poolByType[typeIndex]
                if !entries.isEmpty, rng.chance(0.7) { hit = pool[rng.pick(entries)] }
                if index != 1, let hit, rng.chance(0.25) {
                    answer = maker.opening(biz1: biz1, biz2: biz2, rng: &rng) + hit.answer
                } else {
                    answer = maker.answer(biz1: biz1, biz2: biz2, length: index == 1 ? 33_000 : Self.answerLength(&rng), rng: &rng)
                }
            } else {
                // A knowledge-base answer as it stands; citizens ask for it in their own words,
                // or in the standard question's.
                let entry = pool[poolByRank[drawPoolRank(&rng)]]
                hit = entry
                typeIndex = entry.type
                if rng.chance(0.3) {
                    question = rng.pick(DemoCorpus.prefixes) + entry.standardQuestion
                } else {
                    question = maker.citizenQuestion(types[typeIndex], length: Self.questionLength(&rng), rng: &rng)
                }
                answer = entry.answer
            }
        }
        if corpus == .realistic, rng.chance(0.015) {
            // Personal data as citizens write it (the importer masks it).
            let id = rng.pick(DemoCorpus.ids), mobile = rng.pick(DemoCorpus.mobiles)
            switch rng.int(0...2) {
            case 0: question += "我身份证号是\(id)，手机\(mobile)，麻烦帮我查一下。"
            case 1: question += "有结果请打我电话\(mobile)。"
            default: question += "我叫\(rng.pick(DemoCorpus.citizens))，电话\(mobile.prefix(3))-\(mobile.dropFirst(3).prefix(4))-\(mobile.suffix(4))。"
            }
        }
        let (biz1, biz2, _) = types[typeIndex]
        raw[.recordId] = String(format: "17%017llu", (UInt64(index) &* 7919 &+ seed % 10_000) % 100_000_000_000_000_000)
        raw[.sessionId] = String(format: "S%012llu", rng.next() % 1_000_000_000_000)
        raw[.turn] = String(rng.int(1...4))
        raw[.askedAt] = ShanghaiTime.format(demo.askedTime(index))
        raw[.channel] = rng.pick(DemoCorpus.channels)
        raw[.org] = rng.pick(demo.orgPool)
        raw[.question] = question
        raw[.answer] = answer
        raw[.knowledgeId] = hit?.knowledgeId ?? ""
        raw[.standardQuestion] = hit?.standardQuestion ?? ""
        raw[.fallback] = fallback ? "是" : "否"
        raw[.biz1] = biz1
        raw[.biz2] = biz2
        raw[.satisfaction] = rng.chance(0.3) ? String(rng.int(1...5)) : ""
        return raw
    }

    /// Writes `records` rows as a vendor's CSV, with `DemoData.writeCSV`'s columns.
    public static func writeCSV(path: String, records: Int, generator: RealisticGenerator,
                                progress: ((Int) -> Void)? = nil) throws {
        let w = try CSVWriter(path: path)
        try w.writeRow(header.map(\.displayName))
        for i in 0..<records {
            let raw = generator.row(i)
            try w.writeRow(header.map { raw[$0] ?? "" })
            if let progress, i & 4095 == 0 { progress(i) }
        }
        try w.close()
    }

    func drawPoolRank(_ rng: inout SeededRandom) -> Int {
        let x = rng.unit() * poolCumulative[poolCumulative.count - 1]
        var lo = 0, hi = poolCumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if poolCumulative[mid] > x { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// Answer lengths in characters: log-normal, median 210 (90% between ~85 and ~520), one in
    /// 200 three to fifteen times longer (1,000,000 rows: ~0.89 GB, as the issue's real file).
    static func answerLength(_ rng: inout SeededRandom) -> Int {
        var n = 210 * exp(0.55 * rng.normal())
        if rng.chance(0.005) { n *= Double(rng.int(3...15)) }
        return min(12_000, max(40, Int(n)))
    }

    /// Question lengths: median 17 characters, 90% between ~8 and ~36.
    static func questionLength(_ rng: inout SeededRandom) -> Int {
        min(120, max(2, Int(17 * exp(0.45 * rng.normal()))))
    }

    static func textMaker(lexicon: Lexicon) -> TextMaker { TextMaker(lexicon: lexicon) }

    static let fallbacks = DemoCorpus.fallbacks + [
        "抱歉，暂未找到相关信息，建议拨打12333咨询",
        "抱歉，暂未找到相关信息，建议拨打12333咨询。",
        "您好，您的问题我暂时无法回答，建议拨打12333人社服务热线咨询。",
        "很抱歉，我没有理解您的问题，请换个说法试试。",
    ]
    static let smallTalkQuestions = ["你好", "您好", "在吗", "你是机器人吗？", "谢谢", "人工", "转人工", "好的"]
    static let smallTalkAnswers = [
        "您好！我是南通人社智能客服，请问有什么可以帮您？😊",
        "您好，请问有什么可以帮您？",
        "不客气，很高兴为您服务！",
        "您好，人工客服工作时间为工作日9:00-17:00，您也可以拨打12333人社服务热线。",
    ]

    /// The domain's words by first-level business type, mixed into the text so searches hit.
    static let topicWords: [String: [String]] = [
        "社会保险(综合)": ["社保", "参保", "缴费基数", "补缴", "参保证明", "社保缴费", "灵活就业", "单位社保", "社保转移"],
        "养老保险": ["养老金", "养老保险", "退休", "待遇资格认证", "个人账户", "城乡居民养老保险", "个人养老金", "延迟退休", "职业年金"],
        "工伤保险": ["工伤", "工伤认定", "劳动能力鉴定", "伤残等级", "停工留薪期", "工亡", "职业伤害保障", "一次性伤残补助金"],
        "失业保险": ["失业金", "失业保险金", "失业登记", "稳岗返还", "技能提升补贴", "一次性生活补助", "失业保险"],
        "就业创业": ["就业登记", "就业困难人员", "创业担保贷款", "创业补贴", "灵活就业", "公益性岗位", "招聘会", "高校毕业生"],
        "职业技能": ["职业技能培训", "培训补贴", "技能等级认定", "技能证书", "技工院校", "高技能人才"],
        "人才人事": ["人事考试", "事业单位招聘", "人才引进", "人才补贴", "人事档案", "高层次人才", "人才公寓"],
        "职称评审": ["职称", "职称评审", "中级职称", "继续教育", "职称证书"],
        "劳动关系": ["劳动合同", "经济补偿", "试用期", "最低工资", "加班费", "年休假", "劳务派遣"],
        "劳动保障监察": ["欠薪", "劳动监察", "拖欠工资", "农民工工资", "投诉"],
        "调解仲裁": ["劳动仲裁", "仲裁时效", "劳动争议", "调解", "仲裁申请书"],
        "社会保障卡": ["社保卡", "社会保障卡", "电子社保卡", "挂失", "社保卡密码", "即时制卡", "金融账户"],
        "经办服务": ["江苏智慧人社", "人社服务热线", "办事大厅", "经办机构", "网上办理", "办理进度"],
        "非人社事项": ["公积金", "医保", "生育津贴", "个税", "营业执照", "户口迁移", "低保"],
    ]
    static let commonWords = ["人社", "南通", "人社局", "社保", "人社部门", "服务窗口", "身份证", "社会保障卡", "线上", "材料"]
    static let counties = ["海安市", "海门区", "启东市", "如皋市", "如东县", "通州区", "崇川区", "南通市"]

    /// Text from the lexicon: one per row (its scratch buffer is reused within the row). Every
    /// opening has a drawn sentence in it: a fixed one before a pool answer made the same
    /// "fresh" answer for many rows (32.0% distinct at 1,000,000 instead of 33%).
    struct TextMaker {
        let lexicon: Lexicon
        var buffer: [UInt8] = []
        var chars = 0

        init(lexicon: Lexicon) {
            self.lexicon = lexicon
            buffer.reserveCapacity(4096)
        }

        mutating func put(_ s: String) {
            buffer.append(contentsOf: s.utf8)
            chars += s.unicodeScalars.count
        }

        mutating func take() -> String {
            let s = String(decoding: buffer, as: UTF8.self)
            buffer.removeAll(keepingCapacity: true)
            chars = 0
            return s
        }

        mutating func word(_ rng: inout SeededRandom) {
            let i = lexicon.draw(&rng)
            buffer.append(contentsOf: lexicon.utf8[i])
            chars += lexicon.lengths[i]
        }

        func topic(_ biz1: String, _ biz2: String, _ rng: inout SeededRandom) -> String {
            if rng.chance(0.15) { return biz2 }
            if rng.chance(0.15) { return rng.pick(RealisticGenerator.commonWords) }
            return rng.pick(RealisticGenerator.topicWords[biz1] ?? RealisticGenerator.commonWords)
        }

        /// Numbers as answers carry them: the hotline, landlines, amounts, dates, rates, periods.
        func number(_ rng: inout SeededRandom) -> String {
            switch rng.int(0...9) {
            case 0: return "12333"
            case 1: return String(format: "0513-8%07d", rng.int(0...9_999_999))
            case 2: return "\(rng.int(1...60) * 100)元"
            case 3: return "\(rng.int(1...9)),\(String(format: "%03d", rng.int(0...999)))元"
            case 4: return "\(rng.int(2019...2026))年\(rng.int(1...12))月\(rng.int(1...28))日"
            case 5: return "\(rng.int(1...20))%"
            case 6: return "\(rng.pick([5, 7, 10, 15, 20, 30, 60]))个工作日"
            case 7: return rng.pick(["9:00-12:00", "13:30-17:00", "8:30-17:30"])
            case 8: return "\(rng.int(1...30))年"
            default: return "第\(rng.int(1...80))条"
            }
        }

        /// A sentence of one to four clauses of two to eight words, with topic words and numbers.
        mutating func sentence(biz1: String, biz2: String, rng: inout SeededRandom, end: String) {
            let clauses = rng.int(1...4)
            for c in 0..<clauses {
                if c > 0 { put(rng.chance(0.9) ? "，" : "、") }
                for _ in 0..<rng.int(2...8) {
                    let r = rng.unit()
                    if r < 0.09 { put(topic(biz1, biz2, &rng)) }
                    else if r < 0.12 { put(number(&rng)) }
                    else { word(&rng) }
                }
            }
            put(end)
        }

        mutating func opening(biz1: String, biz2: String, rng: inout SeededRandom) -> String {
            switch rng.int(0...3) {
            case 0: put("您好！关于您咨询的“\(biz2)”问题，")
                sentence(biz1: biz1, biz2: biz2, rng: &rng, end: "答复如下：\n")
            case 1: put("您好，\(rng.pick(RealisticGenerator.counties))")
                sentence(biz1: biz1, biz2: biz2, rng: &rng, end: "。\n")
            case 2: put("根据您的描述，")
                sentence(biz1: biz1, biz2: biz2, rng: &rng, end: "。")
            default: put("您好！")
                sentence(biz1: biz1, biz2: biz2, rng: &rng, end: "：\n")
            }
            return take()
        }

        /// An answer of about `length` characters: an opening, sentences (as numbered steps in
        /// two of five), a closing line in half of them.
        mutating func answer(biz1: String, biz2: String, length: Int, rng: inout SeededRandom) -> String {
            if rng.chance(0.03) { put("<think>用户询问的是\(biz2)相关问题，需要结合本地政策回答。</think>\n") }
            if rng.chance(0.6) {
                put(rng.chance(0.5) ? "您好！关于“\(biz2)”的问题，答复如下：\n" : "您好，")
            }
            let steps = rng.chance(0.4)
            var step = 1
            let closing = rng.chance(0.5)
            let target = closing ? max(20, length - 30) : length
            while chars < target {
                if steps {
                    put(buffer.isEmpty || buffer.last == 0x0A ? "\(step). " : "\n\(step). ")
                    step += 1
                }
                let r = rng.unit()
                sentence(biz1: biz1, biz2: biz2, rng: &rng, end: r < 0.86 ? "。" : (r < 0.94 ? "；" : (r < 0.97 ? "！" : "？")))
            }
            if closing {
                put(rng.pick(["\n如有疑问请拨打12333人社服务热线咨询。", "\n如有疑问，可拨打12333或到当地人社服务窗口咨询。",
                              "\n温馨提示：以上内容仅供参考，具体以经办机构审核为准。", "\n您也可以登录江苏智慧人社APP在线办理。"]))
            }
            return take()
        }

        /// A citizen's question of about `length` characters on the type's topic.
        mutating func citizenQuestion(_ type: (String, String, [String]), length: Int, rng: inout SeededRandom) -> String {
            if !type.2.isEmpty, rng.chance(0.12) {
                // The demo's questions, county and prefix as citizens vary them.
                var q = rng.pick(type.2)
                if q.contains("{县}") { q = q.replacingOccurrences(of: "{县}", with: rng.chance(0.6) ? rng.pick(RealisticGenerator.counties) : "") }
                return rng.pick(DemoCorpus.prefixes) + q
            }
            return question(biz1: type.0, biz2: type.1, length: length, rng: &rng, prefix: true)
        }

        mutating func question(biz1: String, biz2: String, length: Int, rng: inout SeededRandom, prefix: Bool) -> String {
            if prefix, rng.chance(0.35) { put(rng.pick(DemoCorpus.prefixes)) }
            if rng.chance(0.2) { put(rng.pick(RealisticGenerator.counties)) }
            let ending = rng.pick(["怎么办？", "吗？", "怎么申请？", "多少钱？", "在哪里办理？", "？", "", "需要什么材料？", "有什么条件", "怎么查询", "可以吗"])
            let topicAt = rng.chance(0.75) ? rng.int(0...2) : -1
            var k = 0
            while chars + ending.unicodeScalars.count < length || k == 0 {
                if k == topicAt { put(topic(biz1, biz2, &rng)) }
                else if rng.chance(0.05) { put(number(&rng)) }
                else { word(&rng) }
                k += 1
                if k > 3, rng.chance(0.08) { put("，") }
            }
            put(ending)
            return take()
        }

        /// Uniformly random CJK unified ideographs (U+4E00–U+9FFF).
        mutating func randomIdeographs(_ n: Int, rng: inout SeededRandom) -> String {
            for _ in 0..<n {
                let v = 0x4E00 + UInt32(rng.next() % 0x5200)
                buffer.append(UInt8(0xE0 | (v >> 12)))
                buffer.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
                buffer.append(UInt8(0x80 | (v & 0x3F)))
            }
            chars += n
            return take()
        }
    }
}

extension SeededRandom {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    /// Standard normal (Box–Muller).
    mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300), u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
