import Foundation
import Model
import Testing
@testable import Workbench

/// The knowledge screen driven by keys, with a script standing in for the user's editor.
@Suite struct KnowledgeScreenTests {
    static let today = ShanghaiTime.startOfDay(AppFixture.now)

    /// The fixture with a small knowledge base: 城乡居民养老 for 全市, 海安 and 海门 (海门's ended),
    /// 社保卡挂失 for 全市 only.
    func fixture() throws -> (AppFixture, KnowledgeBase) {
        let f = try AppFixture()
        let kb = KnowledgeBase(store: f.store, reference: .bundled)
        func e(_ region: String, _ topic: String, _ q: String, to: String? = nil) -> KnowledgeEntry {
            KnowledgeEntry(topic: topic, region: region, biz1: "养老保险", biz2: "城乡居民养老保险", standardQuestion: q,
                           similarQuestions: ["居民养老一年交多少钱"], answer: "\(region)：档次与补贴……", policyBasis: "文件",
                           effectiveFrom: ShanghaiTime.parseDay("2024-01-01")!, effectiveTo: to.flatMap(ShanghaiTime.parseDay))
        }
        let topic = "城乡居民养老保险缴费档次"
        for entry in [e("全市", topic, "城乡居民养老保险缴费档次有哪些？"), e("海安市", topic, "海安市城乡居民养老保险缴费档次有哪些？"),
                      e("海门区", topic, "海门城乡居民养老保险缴费档次有哪些？", to: "2025-06-30")] {
            try kb.save(entry, action: .create, by: "管理员", at: AppFixture.now - 86400)
        }
        var card = e("全市", "社保卡挂失补办", "社保卡丢了怎么挂失补办？")
        card.biz1 = "社会保障卡"
        card.biz2 = "挂失补换"
        try kb.save(card, action: .create, by: "管理员", at: AppFixture.now - 86400)
        return (f, kb)
    }

    func editor(_ dir: URL, _ name: String, _ script: String) -> String {
        let path = dir.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data("#!/bin/sh\n\(script)\n".utf8), attributes: [.posixPermissions: 0o755])
        return path
    }

    @Test func browseEntriesCoverageAndAnEntryWithItsHistory() throws {
        let (f, _) = try fixture()
        let s = f.session
        f.press([.char("K")])
        #expect(s.mode == .knowledge && s.knowledge?.entries.count == 4)
        var screen = f.draw(width: 120, height: 40).dump()
        #expect(screen.contains("区域差异知识库") && screen.contains("城乡居民养老保险缴费档次"))
        // A region by its initials, its pinyin, the start of its name; empty for all (issue 17).
        f.press([.char("r")] + typed("ha") + [.enter])
        #expect(s.knowledge?.region == "海安市" && s.knowledge?.visibleEntries(today: Self.today, staleDays: 180).count == 1)
        f.press([.char("r")] + typed("rugao") + [.enter])
        #expect(s.knowledge?.region == "如皋市" && s.mode == .knowledge)
        f.press([.char("r")] + typed("启东") + [.enter])
        #expect(s.knowledge?.region == "启东市")
        // 如 could be 如皋 or 如东: said, and the prompt stays with the text to go on.
        f.press([.char("r")] + typed("如") + [.enter])
        #expect(s.knowledge?.region == "启东市" && s.mode == .prompt)
        f.press(typed("东") + [.enter])
        #expect(s.knowledge?.region == "如东县" && s.mode == .knowledge)
        f.press([.char("r"), .char("q"), .char("s"), .enter])
        #expect(s.knowledge?.region == "全市")
        f.press([.char("r"), .enter])
        #expect(s.knowledge?.region == nil)
        f.press([.char("b")])  // the first level-1 type: 社会保险(综合), which has no entry here
        #expect(s.knowledge?.biz1 == "社会保险(综合)" && s.knowledge?.visibleEntries(today: Self.today, staleDays: 180).isEmpty == true)
        f.press(Array(repeating: Key.char("b"), count: ReferenceData.bundled.taxonomy.level1.count))
        #expect(s.knowledge?.biz1 == nil)
        // Coverage: 海安 has its own entry, 海门's ended (stale, the 全市 entry answers meanwhile), 启东 falls back.
        f.press([.tab])
        let topics = try #require(s.knowledge?.topics)
        let pension = try #require(topics.first { $0.topic == "城乡居民养老保险缴费档次" })
        func cell(_ r: String) -> CoverageCell {
            CoverageCell.of(pension.byRegion, region: r, cityWide: "全市", today: Self.today, staleDays: 180)
        }
        #expect(cell("全市") == .own(stale: false) && cell("海安市") == .own(stale: false))
        #expect(cell("海门区") == .expired && cell("启东市") == .fallsBack)
        screen = f.draw(width: 120, height: 40).dump()
        #expect(screen.contains("● 本地条目") && screen.contains("○") && screen.contains("○!"))
        // Enter on 海安's column opens 海安's entry, with its history.
        let row = topics.firstIndex { $0.topic == "城乡居民养老保险缴费档次" }!
        f.press(Array(repeating: Key.down, count: row) + [.right, .enter])
        #expect(s.knowledge?.openEntry?.region == "海安市")
        screen = f.draw(width: 120, height: 40).dump()
        #expect(screen.contains("版本历史") && screen.contains("版本 1 · 新建 · 管理员"))
        f.press([.escape, .escape])
        #expect(s.mode == .list)
    }

    @Test func anEditInTheEditorIsANewVersionAndARefusedOneKeepsTheText() throws {
        let (f, kb) = try fixture()
        let s = f.session
        let dir = f.dir
        f.press([.char("K")])
        let id = try #require(s.selectedKnowledgeEntry?.id)
        // Refused: unknown region and an end before the start; the user's new answer is kept.
        s.editorCommand = editor(dir, "bad.sh", "sed -i 's/^区域: .*/区域: 如高市/; s/^失效日期: .*/失效日期: 2020-01-01/; s/档次与补贴……/我写的答案/' \"$1\"")
        f.press([.char("e")])
        let refused = try #require(s.message)
        #expect(refused.role == .error && refused.text.zh.contains("未知区域「如高市」") && refused.text.zh.contains("早于生效日期"))
        #expect(try kb.store.knowledgeHistory(id: id).count == 1)
        #expect(s.keptEditText[id]?.text.contains("我写的答案") == true)
        // `e` again starts from the kept text (with the reasons on top); fixed, it saves.
        s.editorCommand = editor(dir, "fix.sh", """
            grep -q '我写的答案' "$1" && grep -q '# 未保存：未知区域' "$1" || exit 3
            sed -i 's/^区域: .*/区域: 全市/; s/^失效日期: .*/失效日期: /' "$1"
            """)
        f.press([.char("e")])
        #expect(s.message?.role == .ok, "\(String(describing: s.message))")
        let h = try kb.store.knowledgeHistory(id: id)
        #expect(h.count == 2 && h[1].entry.answer.contains("我写的答案") && h[1].entry.updatedBy == "张敏")
        #expect(s.keptEditText[id] == nil)
        // An editor that leaves the file as it was: no new version.
        s.editorCommand = "true"
        f.press([.char("e")])
        #expect(try kb.store.knowledgeHistory(id: id).count == 2)
    }

    @Test func datesRetireAndReviewAreVersionsToo() throws {
        let (f, kb) = try fixture()
        let s = f.session
        f.press([.char("K"), .enter])
        let id = try #require(s.knowledge?.openEntry?.id)
        f.press([.char("d"), .ctrl("u")] + typed("2024-01-01~2020-12-31") + [.enter])
        #expect(s.prompt != nil && s.message?.role == .error)  // refused, the prompt stays
        f.press([.ctrl("u")] + typed("2024-01-01~2026-12-31") + [.enter])
        #expect(try kb.store.knowledgeEntry(id: id)?.effectiveTo == ShanghaiTime.parseDay("2026-12-31"))
        f.press([.char("v")])
        #expect(try kb.store.knowledgeEntry(id: id)?.lastReviewedAt == AppFixture.now)
        f.press([.char("x")])
        #expect(try kb.store.knowledgeEntry(id: id)?.state == .active)  // once only asks
        f.press([.char("x")])
        #expect(try kb.store.knowledgeEntry(id: id)?.state == .retired)
        #expect(try kb.store.knowledgeHistory(id: id).map(\.action) == [.create, .dates, .review, .retire])
        #expect(f.draw(width: 120, height: 40).dump().contains("停用"))
    }

    @Test func theGapBacklogDraftsAnEntryForTheRegionAndQuestion() throws {
        let (f, kb) = try fixture()
        let s = f.session
        // R001 and one more asking the same (a greeting, 如皋 for 如皋市, other punctuation): one group.
        try f.store.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "G1", askedAt: AppFixture.now - 100, org: "海门区",
                                                  question: "你好，我在如皋打零工 想自己交职工养老保险 缴费基数能选哪几档", answer: "很抱歉，暂未找到。"))
        }
        try f.store.setLabel(.missingKnowledge, recordId: "R001", reviewer: "张敏", at: AppFixture.now)
        try f.store.setLabel(.missingKnowledge, recordId: "G1", reviewer: "张敏", at: AppFixture.now)
        f.press([.char("K"), .backTab])
        let gaps = try #require(s.knowledge?.gaps)
        #expect(gaps.count == 1 && gaps[0].count == 2 && gaps[0].region == "如皋市")
        let draft = f.dir.appendingPathComponent("draft.txt").path
        s.editorCommand = editor(f.dir, "draft.sh", """
            cp "$1" '\(draft)'
            sed -i 's/^【答案】.*/&\\n如皋灵活就业人员可按 60%-300% 选择缴费基数。/' "$1"
            """)
        f.press([.char("n")])
        let written = try String(contentsOfFile: draft, encoding: .utf8)
        #expect(written.contains("区域: 如皋市") && written.contains("状态: 草稿") && written.contains("打零工"))
        let saved = try kb.store.knowledgeEntries().last
        #expect(saved?.region == "如皋市" && saved?.state == .draft && saved?.answer.contains("60%-300%") == true)
        #expect(s.knowledge?.openEntry?.id == saved?.id)
    }

    @Test func mShowsWhichEntryAndLevelAnswerTheSelectedQuestion() throws {
        let (f, _) = try fixture()
        let s = f.session
        // R002: 海安市城乡居民养老保险今年的缴费档次有哪些？ — 海安 has its own entry.
        f.press([.down, .char("M")])
        let lines = try #require(s.overlay?.lines.map(\.0))
        #expect(lines.contains { $0.hasPrefix("【县区口径：海安市】") })
        #expect(lines.contains { $0.contains("海安市：档次与补贴") })
        let screen = f.draw(width: 100, height: 30)
        #expect(screen.dump().contains("知识匹配") && screen.isWellFormed)
        f.press([.escape])
        #expect(s.overlay == nil && s.mode == .list)
    }

    /// Issue 17: the bot's 命中知识 id read as our entry, and a 全市 answer where the county has its own flagged.
    @Test func theDetailAndMSayWhatTheBotAnsweredFromAndFlagACityWideAnswer() throws {
        let (f, kb) = try fixture()
        let s = f.session
        var city = try #require(try kb.store.knowledgeEntries().first { $0.region == "全市" && $0.topic == "城乡居民养老保险缴费档次" })
        city.botIds = ["KB00031"]
        try kb.save(city, action: .edit, by: "管理员", at: AppFixture.now - 3600)
        // R002: asked in 海安市, answered from KB00031 = our 全市 entry, while 海安 has its own.
        f.press([.down])
        let detail = s.list.detailLines.map(\.text).joined()
        #expect(detail.contains("机器人答自 KB00031 = 本库 \(city.id)（全市）"), "\(detail)")
        #expect(s.list.detailLines.contains { $0.role == .warning && $0.text.hasPrefix("⚠ 机器人用了全市答案，但海安市有本地条目") })
        f.press([.char("M")])
        let lines = try #require(s.overlay?.lines.map(\.0))
        #expect(lines.contains { $0.hasPrefix("注意：机器人用了全市答案，但海安市有本地条目") })
        #expect(f.draw(width: 80, height: 24).isWellFormed)
        f.press([.escape])
        // R001 (KB00012) is no entry's: said as not linked, no concern.
        f.press([.up])
        #expect(s.list.detailLines.contains { $0.text.contains("本库没有条目关联") }
                && !s.list.detailLines.contains { $0.text.hasPrefix("⚠") })
    }
}
