import Foundation
import Testing
@testable import Model

@Suite struct RegionDetectionTests {
    let d = RegionDetector.bundled

    @Test(arguments: [
        // (question, asker, region, ambiguous)
        ("如皋市城乡居民养老保险交多少", nil, "如皋市", false),
        ("我是如皋的，养老保险交多少", "海门区", "如皋市", false),  // the text wins over the asker
        ("海门市这边社保中心在哪", nil, "海门区", false),          // legacy name, normalised first
        ("海安县的人才补贴", nil, "海安市", false),
        ("如东市失业金怎么领", nil, "如东县", false),              // the typo 如东市
        ("港闸区的社保中心搬到哪里去了？", "如皋市", "全市", false),  // legacy 港闸 → 崇川区 → 全市
        ("崇川区办退休要什么材料", "海门区", "全市", false),
        ("通州湾示范区的创业补贴", "通州区", "全市", false),        // a zone, not 通州
        ("我在开发区上班，社保怎么交", "启东市", "全市", false),
        ("社保卡丢了怎么补办", "启东市", "启东市", false),          // the asker's organisation
        ("社保卡丢了怎么补办", "南通经济技术开发区", "全市", false),
        ("社保卡丢了怎么补办", nil, "全市", false),
        ("上海交的社保怎么转回南通", "海安市", "海安市", false),      // naming the city narrows nothing
        ("户口在海安，人在启东上班，社保怎么转", "启东市", "启东市", true),
        ("户口在海安，人在启东上班，社保怎么转", "如皋市", "海安市", true),  // else the first named
    ] as [(String, String?, String, Bool)])
    func regionOfAQuestion(question: String, asker: String?, region: String, ambiguous: Bool) {
        let r = d.detect(question: question, askerOrganisation: asker)
        #expect(r.region == region, "\(question): \(r.reason)")
        #expect(r.ambiguous == ambiguous)
    }

    @Test func theReasonSaysWhy() {
        #expect(d.detect(question: "如皋灵活就业", askerOrganisation: nil).reason == "问题中提到「如皋」")
        #expect(d.detect(question: "灵活就业", askerOrganisation: "如皋").reason == "提问者所属机构 如皋市")
        #expect(d.detect(question: "灵活就业", askerOrganisation: nil).reason == "未指明区域")
    }
}

@Suite struct KnowledgeBaseTests {
    let day = ShanghaiTime.parseDay("2025-12-01")!
    let today = ShanghaiTime.parse("2025-12-01 10:00")!

    func entry(_ region: String, _ topic: String = "城乡居民养老保险缴费档次", answer: String? = nil, from: String = "2024-01-01",
               to: String? = nil, state: KnowledgeEntry.State = .active) -> KnowledgeEntry {
        KnowledgeEntry(topic: topic, region: region, biz1: "养老保险", biz2: "城乡居民养老保险",
                       standardQuestion: "\(region == "全市" ? "" : region)城乡居民养老保险缴费档次和补贴是多少？",
                       similarQuestions: ["居民养老一年交多少钱", "农村养老保险政府补贴多少"],
                       answer: answer ?? "\(region)的档次与补贴……", policyBasis: "文件", effectiveFrom: ShanghaiTime.parseDay(from)!,
                       effectiveTo: to.flatMap(ShanghaiTime.parseDay), state: state)
    }

    func base(_ dir: TempDir, _ kind: StoreKind = .sqlite, _ entries: [KnowledgeEntry]) throws -> (any TestStore, KnowledgeBase) {
        let store = try makeStore(dir, kind)
        let kb = KnowledgeBase(store: store, reference: .bundled)
        for e in entries { try kb.save(e, action: .create, by: "管理员", at: today) }
        return (store, kb)
    }

    @Test(arguments: StoreKind.all) func aCountyEntryOverridesTheCityWideOneAndOthersFallBack(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (_, kb) = try base(dir, kind, [entry("全市"), entry("如皋市"), entry("海门区", to: "2025-06-30")])
        let m = try kb.matcher()
        let own = m.match("如皋居民养老保险一年交多少钱", day: day)
        #expect(own.level == .county("如皋市") && own.entry?.region == "如皋市" && own.levelText == "县区口径：如皋市")
        let none = m.match("启东居民养老保险一年交多少钱", day: day)
        #expect(none.level == .cityWide && none.entry?.region == "全市" && none.why.contains("启东市没有该主题的本地条目"))
        // 海门's entry ended on 06-30: on 12-01 the 全市 entry answers, and says why.
        let ended = m.match("海门居民养老保险一年交多少钱", day: day)
        #expect(ended.level == .cityWide && ended.why.contains("不在有效期内"))
        let before = m.match("海门居民养老保险一年交多少钱", day: ShanghaiTime.parseDay("2025-06-01")!)
        #expect(before.level == .county("海门区"))
        // An asker from 如皋 with no county in the text gets 如皋's entry.
        #expect(m.match("居民养老一年交多少钱", askerOrganisation: "如皋市", day: day).level == .county("如皋市"))
        // Nothing alike: no match, with the runner-up shown.
        let far = m.match("明天天气怎么样", day: day)
        #expect(far.level == .noMatch && far.entry == nil)
    }

    @Test(arguments: StoreKind.all) func retiredAndDraftEntriesAnswerNothing(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (_, kb) = try base(dir, kind, [entry("全市", from: "2026-01-01"), entry("如皋市", state: .draft)])
        let m = try kb.matcher()
        // Only the 全市 entry is active, and it starts in 2026.
        #expect(m.match("如皋居民养老保险一年交多少钱", day: day).level == .notInForce)
        #expect(m.match("如皋居民养老保险一年交多少钱", day: ShanghaiTime.parseDay("2026-02-01")!).level == .cityWide)
    }

    @Test(arguments: StoreKind.all) func everyEditIsAVersionWithWhoWhenAndTheDiff(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (store, kb) = try base(dir, kind, [entry("如皋市")])
        let id = try #require(try store.knowledgeEntries().first?.id)
        var e = try #require(try store.knowledgeEntry(id: id))
        e.answer = "如皋市的档次与补贴……\n新增：2026 年起补贴提高。"
        try kb.save(e, action: .edit, by: "李强", at: today + 3600)
        // The same text again makes no version.
        #expect(try kb.save(e, action: .edit, by: "李强", at: today + 7200) == nil)
        _ = try kb.setDates(id: id, from: ShanghaiTime.parseDay("2024-01-01")!, to: ShanghaiTime.parseDay("2026-12-31"), by: "王芳", at: today + 9000)
        _ = try kb.retire(id: id, by: "王芳", at: today + 9999)
        let h = try store.knowledgeHistory(id: id)
        #expect(h.map(\.entry.version) == [1, 2, 3, 4])
        #expect(h.map(\.action) == [.create, .edit, .dates, .retire])
        #expect(h[1].entry.updatedBy == "李强" && h[1].entry.updatedAt == today + 3600)
        let diff = KnowledgeEntry.diff(h[0].entry, h[1].entry)
        #expect(diff.contains("  + 新增：2026 年起补贴提高。"))
        #expect(KnowledgeEntry.diff(h[1].entry, h[2].entry) == ["失效日期: （空） → 2026-12-31"])
        #expect(try store.knowledgeEntry(id: id)?.state == .retired)
        // Old versions stay as they were: the history table refuses changes.
        #expect(throws: (any Error).self) {
            try rawExecute(store, "UPDATE kb_version SET answer = 'x'")
        }
    }

    @Test(arguments: StoreKind.all) func invalidEditsAreRefusedWithTheReasonAndTheTextIsKept(_ kind: StoreKind) throws {
        let e = entry("如皋市")
        var text = e.editableText()
        text = text.replacingOccurrences(of: "区域: 如皋市", with: "区域: 如高市")
            .replacingOccurrences(of: "失效日期: ", with: "失效日期: 2020-01-01")
        let edited = try #require(try e.applyingEditedText(text))
        #expect(throws: KnowledgeValidationError.self) { try edited.validate(reference: .bundled) }
        do { try edited.validate(reference: .bundled) } catch let err as KnowledgeValidationError {
            #expect(err.reasons.contains { $0.contains("未知区域「如高市」") })
            #expect(err.reasons.contains { $0.contains("早于生效日期") })
        }
        // An empty answer and an unreadable date: reasons, never a half-saved entry.
        let noAnswer = e.editableText().components(separatedBy: "【答案】")[0] + "【答案】（到文件末尾）\n\n"
        #expect(throws: KnowledgeValidationError.self) { try e.applyingEditedText(noAnswer)!.validate(reference: .bundled) }
        let badDate = e.editableText().replacingOccurrences(of: "生效日期: 2024-01-01", with: "生效日期: 明年")
        #expect(throws: KnowledgeValidationError.self) { try e.applyingEditedText(badDate) }
        // The round trip of an untouched text changes nothing; an emptied file cancels.
        #expect(try e.applyingEditedText(e.editableText()) == e)
        #expect(try e.applyingEditedText("# 只有说明\n\n") == nil)
    }

    @Test func staleMeansPastTheEndOrNotReviewedForLong() {
        let today = ShanghaiTime.parseDay("2025-12-01")!
        var e = entry("如皋市", to: "2025-11-30")
        e.updatedAt = today
        #expect(e.isStale(today: today, days: 180))
        e.effectiveTo = nil
        e.lastReviewedAt = today - 200 * 86400
        e.updatedAt = today - 200 * 86400
        #expect(e.isStale(today: today, days: 180) && !e.isStale(today: today, days: 365))
        e.state = .retired
        #expect(!e.isStale(today: today, days: 180))
    }

    @Test func importAndExportRoundTripEveryFormat() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (store, kb) = try base(dir, .sqlite, [entry("全市"), entry("如皋市", answer: "第一行\n第二行，带逗号、\"引号\"")])
        for format in KnowledgeBase.ExportFormat.allCases {
            let path = dir.path("kb.\(format.rawValue)")
            #expect(try kb.export(to: path, format: format) == 2)
            let other = TempDir()
            defer { other.cleanup() }
            let (otherStore, otherKB) = try base(other, .sqlite, [])
            let s = try otherKB.importFile(path, by: "导入", at: today)
            #expect(s.created == 2 && s.problems.isEmpty, "\(format): \(s.problems)")
            let a = try store.knowledgeEntries().map(\.fieldValues), b = try otherStore.knowledgeEntries().map(\.fieldValues)
            #expect(a == b, "\(format)")
            // Importing the same file again changes nothing.
            #expect(try otherKB.importFile(path, by: "导入", at: today).unchanged == 2)
        }
    }

    @Test func importReportsBadRowsByNumberAndKeepsTheGoodOnes() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (store, kb) = try base(dir, .sqlite, [])
        let csv = dir.write("kb.csv", """
            区域,一级业务类型,二级业务类型,主题,标准问,相似问,答案,政策依据,生效日期,失效日期,状态
            如皋,养老保险,城乡居民养老保险,居民养老档次,如皋居民养老交多少,"居民养老一年多少钱
            农村养老补贴",按档次缴纳……,皋人社发〔2024〕1号,2024-01-01,,生效
            如高市,养老保险,城乡居民养老保险,居民养老档次,交多少,,答案,,2024-01-01,,生效
            全市,养老保险,城乡居民养老保险,居民养老档次,交多少,,,,2024-01-01,2023-01-01,生效
            """)
        let s = try kb.importFile(csv, by: "导入", at: today)
        #expect(s.created == 1 && s.problems.count == 2)
        #expect(s.problems[0].hasPrefix("第 4 行") && s.problems[0].contains("未知区域「如高市」"))
        #expect(s.problems[1].hasPrefix("第 5 行") && s.problems[1].contains("答案为空") && s.problems[1].contains("早于生效日期"))
        let e = try #require(try store.knowledgeEntries().first)
        #expect(e.region == "如皋市" && e.similarQuestions == ["居民养老一年多少钱", "农村养老补贴"])
    }

    /// Issue 15 case 14: an id is never a path.
    @Test func entryIdsAreNamesNotPaths() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let (_, kb) = try base(dir, .sqlite, [])
        let csv = dir.write("ids.csv", """
            条目ID,区域,一级业务类型,二级业务类型,主题,标准问,相似问,答案,政策依据,生效日期,失效日期,状态
            ../x,全市,养老保险,城乡居民养老保险,居民养老档次,交多少,,答案,,2024-01-01,,生效
            a/b,全市,养老保险,城乡居民养老保险,居民养老档次,交多少呢,,答案,,2024-01-01,,生效
            KB-00012.v2,全市,养老保险,城乡居民养老保险,居民养老档次,交多少啊,,答案,,2024-01-01,,生效
            """)
        let s = try kb.importFile(csv, by: "导入", at: today)
        #expect(s.created == 1 && s.problems.count == 2, "\(s.created) \(s.updated) \(s.problems)")
        #expect(s.problems.allSatisfy { $0.contains("条目ID") })
        #expect(KnowledgeEntry.idProblem("如皋-养老01") == nil && KnowledgeEntry.idProblem("..") != nil && KnowledgeEntry.idProblem("x\u{1B}]52") != nil)
    }

    @Test func theDemoKnowledgeBaseCoversTheTaxonomyWithCountyVariants() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        let n = try DemoData.populateKnowledge(store: store, reference: .bundled, today: today)
        let all = try store.knowledgeEntries()
        #expect(n == all.count && n > 150)
        let biz1 = Set(all.compactMap(\.biz1))
        #expect(biz1.count == ReferenceData.bundled.taxonomy.level1.count)
        let regions = Set(all.map(\.region))
        #expect(regions == Set(ReferenceData.bundled.organisations.kbRegions))
        #expect(all.contains { $0.state == .draft } && all.contains { $0.state == .retired })
        #expect(all.contains { $0.isStale(today: ShanghaiTime.startOfDay(today), days: 180) })
        // Every entry is valid as saved.
        for e in all { try e.validate(reference: .bundled) }
    }
}
