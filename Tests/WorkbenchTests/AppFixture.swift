import Foundation
import Model
@testable import Workbench

/// A small database of hand-written Chinese records (wide text, emoji, a control character, a
/// long answer, a long organisation name) and a session on it with a fixed clock, for screen tests.
final class AppFixture {
    let dir: URL
    let store: SQLiteRecordStore
    let session: ReviewSession
    /// 2025-12-31 20:00 Asia/Shanghai.
    static let now = ShanghaiTime.parse("2025-12-31 20:00:00")!

    static let records: [InteractionRecord] = {
        let t = { (s: String) in ShanghaiTime.parse(s)! }
        var longAnswer = "您好！关于城乡居民养老保险缴费档次，答复如下：\n"
        for i in 1...400 { longAnswer += "\(i). 海安市城乡居民养老保险缴费档次分为每年300元至5000元共十二个档次，政府按档次给予补贴。\n" }
        return [
            InteractionRecord(id: "R001", askedAt: t("2025-12-31 09:30:00"), channel: "微信公众号", org: "如皋市",
                              question: "我在如皋市打零工，想自己交职工养老保险，缴费基数能选哪几档？",
                              answer: "您好！灵活就业人员可在60%至300%之间选择缴费基数。\n如有疑问请拨打12333。",
                              knowledgeId: "KB00012", biz1: "养老保险", biz2: "职工养老参保缴费"),
            InteractionRecord(id: "R002", askedAt: t("2025-12-31 09:10:00"), org: "海安市",
                              question: "海安市城乡居民养老保险今年的缴费档次有哪些？政府给补多少钱？",
                              answer: longAnswer, knowledgeId: "KB00031", biz1: "养老保险", biz2: "城乡居民养老保险"),
            InteractionRecord(id: "R003", askedAt: t("2025-12-30 16:45:00"), org: "南通经济技术开发区",
                              question: "被公司辞退了，领失业金要满足什么条件？能在手机上申请吗？😊",
                              answer: "很抱歉，暂未查询到相关信息，建议您拨打12333人社服务热线咨询。", fallback: true,
                              biz1: "失业保险", biz2: "失业保险金申领"),
            InteractionRecord(id: "R004", askedAt: t("2025-12-30 11:00:00"), org: "通州区",
                              question: "下班骑电动车回家被汽车撞了，对方全责，这个能算工伤吗？",
                              answer: "根据《工伤保险条例》第十四条，在上下班途中受到非本人主要责任的交通事故伤害的，应当认定为工伤。\u{07}",
                              knowledgeId: "KB00044", biz1: "工伤保险", biz2: "工伤认定", label: .correct, reviewer: "李强",
                              labeledAt: t("2025-12-31 08:00:00")),
            InteractionRecord(id: "R005", askedAt: t("2025-12-29 10:20:00"), org: "崇川区",
                              question: "住房公积金能不能取出来交房租？",
                              answer: "住房公积金业务请咨询南通市住房公积金管理中心，电话12329。", knowledgeId: "KB00099",
                              biz1: "非人社事项", biz2: "住房公积金", label: .outOfScope, reviewer: "李强",
                              labeledAt: t("2025-12-31 08:01:00")),
            InteractionRecord(id: "R006", askedAt: t("2025-12-28 14:05:00"), org: "海门区",
                              question: "社保卡丢了怎么补办？", answer: "可携带身份证到就近社保卡服务网点办理挂失补换。",
                              knowledgeId: "KB00061", biz1: "社会保障卡", biz2: "挂失补换"),
            InteractionRecord(id: "R007", askedAt: t("2025-12-27 09:00:00"), org: "启东市",
                              question: "劳动仲裁要收费吗？", answer: "劳动人事争议仲裁不收费。", knowledgeId: "KB00071",
                              biz1: "调解仲裁", biz2: "仲裁条件时效", label: .misunderstood, reviewer: "李强",
                              labeledAt: t("2025-12-31 08:02:00")),
            InteractionRecord(id: "R008", askedAt: t("2025-12-26 15:30:00"), org: "如东县",
                              question: "你好", answer: "您好！我是南通人社智能客服，请问有什么可以帮您？",
                              biz1: "非人社事项", biz2: "闲聊无效"),
        ]
    }()

    /// `todo`: the session as it opens (待办: the unlabelled records); else the whole list, which
    /// most screen tests read (as `T` shows it).
    init(lang: Language = .zh, todo: Bool = false) throws {
        dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-app-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        store = try SQLiteRecordStore(path: dir.appendingPathComponent("fixture.sqlite").path, busyTimeout: 0.2)
        try store.importBatch { sink in for r in Self.records { _ = try sink.insert(r) } }
        session = try ReviewSession(store: store, reference: .bundled, reviewer: "张敏", lang: lang,
                                    location: "fixture.sqlite", clock: { AppFixture.now })
        if !todo { try Self.wholeList(session) }
    }

    /// A session shows the whole list (as `T` does) and holds nothing yet, as before a key is
    /// pressed there: what most screen tests read.
    static func wholeList(_ session: ReviewSession) throws {
        session.list.setTodo(false, hasAssignment: false)
        try session.list.refilter(session)
        session.list.select(0)
        session.list.releaseLeases()
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// Presses keys as a user would (each key's reaction performed), then draws at a size.
    @discardableResult
    func press(_ keys: [Key], width: Int = 120, height: Int = 40) -> Canvas {
        for k in keys {
            ReviewScreen.prepare(session, width: width, height: height)
            let r = session.handle(k)
            // As the app does: the editor gets the terminal, then the reaction is performed.
            if r.contains(.external) { session.runPendingEdit() }
            session.perform(r)
        }
        return draw(width: width, height: height)
    }

    func draw(width: Int, height: Int) -> Canvas {
        ReviewScreen.prepare(session, width: width, height: height)
        return ReviewScreen.draw(session, width: width, height: height)
    }
}

/// Characters typed one key each.
func typed(_ s: String) -> [Key] { s.map { Key.char($0) } }

/// Compares a canvas with `Snapshots/<name>.txt`; WORKBENCH_UPDATE_SNAPSHOTS=1 writes it instead.
func matchesSnapshot(_ canvas: Canvas, _ name: String, file: String = #filePath) -> Bool {
    let url = URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Snapshots/\(name).txt")
    let dump = canvas.dump()
    if ProcessInfo.processInfo.environment["WORKBENCH_UPDATE_SNAPSHOTS"] == "1" {
        try? dump.write(to: url, atomically: true, encoding: .utf8)
        return true
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        print("missing snapshot \(url.path); run with WORKBENCH_UPDATE_SNAPSHOTS=1 to write it")
        return false
    }
    if expected != dump { print("snapshot \(name) differs; got:\n\(dump)") }
    return expected == dump
}
