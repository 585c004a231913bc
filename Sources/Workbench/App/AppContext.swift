import Foundation
import Model

/// A line for the status bar.
struct Message: Equatable {
    let text: Localized
    let role: Role
}

/// What every screen shares: the stores, reference data and rules, who is reviewing, the clock,
/// the language, the status message, the write queue and the live figures. Screens hold their own
/// state and reach these through it; nothing here knows about screens.
final class AppContext {
    let store: any RecordStore
    /// The knowledge base's store, when the database has one (given, never found by a cast).
    let knowledgeStore: (any KnowledgeStore)?
    let reference: ReferenceData
    let rules: HitRules
    let reviewer: String
    var lang: Language
    /// Seconds since 1970; a test passes a fixed clock.
    let clock: () -> Int64
    let startedAt: Int64
    let ambiguousWide: Bool
    /// Where the data is, as headers show it.
    let location: String
    /// Long work (the index load, counts over a text search's keys) runs on other threads and
    /// connections in the app; tests do it in line.
    let background: Bool
    var message: Message?
    /// Days without review that make a knowledge entry stale (`--stale-days`).
    var staleDays = 180
    /// The editor command; nil: $VISUAL, $EDITOR, vi (tests set a script).
    var editorCommand: String?
    let writes = WriteQueue()
    /// Text the user wrote in the editor that could not be saved, by entry id ("" for a new one):
    /// `e` again reopens the editor on it, so nothing typed is lost.
    var keptEdits: [String: (text: String, reasons: [String])] = [:]
    let live: LiveStatistics
    /// Double-review records whose two labels differ and wait for a supervisor (待仲裁): accuracy
    /// leaves them out until decided, and the panel says how many wait.
    var disputes = 0
    /// Whether any record is in the double-review sample (else no record's sample state is read).
    /// The text index being built in the background (header: 全文索引 n%); nil when complete.
    var textIndexing: TextIndexProgress?
    /// Damage the background integrity check found (nil: none, or not checked yet).
    var damageFound: String?
    /// Why label keys and edits are refused: the file was replaced, the database cannot be
    /// written, or is damaged.
    var writeRefusal: String? {
        if let replaced = replacedMessage { return replaced(lang) }
        return damageFound.map { Localized("数据库已损坏，见 workbench db check（\($0)）", "the database is damaged, see workbench db check (\($0))")(lang) }
            ?? store.readOnly.map { Localized("数据库只读：\($0)", "the database is read-only: \($0)")(lang) }
    }
    /// The database file was replaced under the session (`RecordStore.replaced`): what happened
    /// and what to do, in one line.
    var replacedMessage: Localized? {
        store.replaced.map { why in
            Localized("\(why)：请退出后重新打开；要恢复备份，所有人退出后用 workbench db restore 备份文件 --db \(store.location)",
                      "\(StoreError.english(why)): quit and open again; to restore a backup, with everyone out: workbench db restore BACKUP --db \(store.location)")
        }
    }
    var sampleExists = false
    /// The knowledge entries and matcher as last read: `M` and the knowledge screen share them.
    var knowledge: KnowledgeSnapshot?
    /// The same without the matcher's index (`knowledgeForLinks`), while no full one is read.
    private var knowledgeLinks: KnowledgeSnapshot?
    /// Lets the loop draw during long work (an export, a text search).
    var onProgress: (() -> Void)?

    init(store: any RecordStore, knowledgeStore: (any KnowledgeStore)?, reference: ReferenceData, reviewer: String,
         lang: Language, ambiguousWide: Bool, location: String?, background: Bool, clock: @escaping () -> Int64) {
        self.store = store
        self.knowledgeStore = knowledgeStore
        self.reference = reference
        rules = HitRules(taxonomy: reference.taxonomy)
        self.reviewer = reviewer
        self.lang = lang
        self.clock = clock
        startedAt = clock()
        self.ambiguousWide = ambiguousWide
        self.location = location ?? store.location
        self.background = background
        live = LiveStatistics(rules: rules)
    }

    private var namesGiven = 0
    /// A name for a screen's figures in `live`, unique in this session.
    func newStatisticsName(_ prefix: String) -> String {
        namesGiven += 1
        return "\(prefix)\(namesGiven)"
    }

    var today: Int64 { ShanghaiTime.startOfDay(clock()) }
    var glyphs: Glyphs { Glyphs.forTerminal(ambiguousWide: ambiguousWide) }
    var orgOrder: [String] { reference.organisations.names }
    var knowledgeBase: KnowledgeBase? { knowledgeStore.map { KnowledgeBase(store: $0, reference: reference) } }

    func say(_ text: Localized, _ role: Role = .status) { message = Message(text: text, role: role) }

    /// "读取失败：…" and the like: what failed, and the error's own one line.
    func failed(_ what: Localized, _ error: Error) {
        if case StoreError.unreachable(let place, let why) = error {
            message = Message(text: Localized("⟳ 正在重连数据库服务器 \(place)…（\(what.zh)：\(why)）",
                                              "⟳ Reconnecting to the database server \(place)… (\(what.en): \(why))"), role: .error)
            return
        }
        let why = StoreError.explain(error)
        message = Message(text: Localized("\(what.zh)：\(why)", "\(what.en): \(why)"), role: .error)
    }

    static let cannotRead = Localized("读取失败", "Cannot read")

    /// The knowledge entries and their matcher, read (and the matcher built: 140 ms at 10,000
    /// entries) only when not read yet or after a save.
    func knowledgeSnapshot(reload: Bool = false) throws -> KnowledgeSnapshot? {
        guard let kb = knowledgeStore else { return nil }
        if reload || knowledge == nil {
            let entries = try kb.knowledgeEntries()
            knowledge = KnowledgeSnapshot(entries: entries,
                                          matcher: KnowledgeMatcher(entries: entries, organisations: reference.organisations, synonyms: reference.synonyms))
            knowledgeLinks = nil
        }
        return knowledge
    }

    /// The entries by bot id and topic for the bot's 命中知识 id (the review detail, the
    /// dashboard's TOP10): the full snapshot when one is read, else the entries without their
    /// texts and without the questions' index — 2–3 MB instead of 33 at 10,000 entries (issue 36),
    /// read once. Only ids, topics, regions, dates and states are read from it.
    func knowledgeForLinks() throws -> KnowledgeSnapshot? {
        if let knowledge { return knowledge }
        guard let kb = knowledgeStore else { return nil }
        if knowledgeLinks == nil {
            let entries = try kb.knowledgeEntries().map(\.withoutTexts)
            knowledgeLinks = KnowledgeSnapshot(entries: entries, matcher: KnowledgeMatcher(
                entries: entries, organisations: reference.organisations, synonyms: reference.synonyms, indexed: false))
            HeapTrim.now()
        }
        return knowledgeLinks
    }

    /// What `knowledgeForLinks` read last, if anything.
    var knowledgeForLinksRead: KnowledgeSnapshot? { knowledge ?? knowledgeLinks }
}

/// The knowledge entries as read, with the matcher built from them.
struct KnowledgeSnapshot {
    let entries: [KnowledgeEntry]
    let matcher: KnowledgeMatcher
}
