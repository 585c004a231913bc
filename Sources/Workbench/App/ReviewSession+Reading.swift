import Model

/// Reading the session from outside the app's screens (tests, the bench): the values of the list
/// on top and of the screen drawn, by the names a reader expects.
extension ReviewSession {
    var store: any RecordStore { ctx.store }
    var reference: ReferenceData { ctx.reference }
    var rules: HitRules { ctx.rules }
    var reviewer: String { ctx.reviewer }
    var lang: Language { ctx.lang }
    var message: Message? { ctx.message }
    var editorCommand: String? {
        get { ctx.editorCommand }
        set { ctx.editorCommand = newValue }
    }
    var staleDays: Int {
        get { ctx.staleDays }
        set { ctx.staleDays = newValue }
    }
    var keptEditText: [String: (text: String, reasons: [String])] { ctx.keptEdits }
    var orgOrder: [String] { ctx.orgOrder }
    var pending: [PendingWrite] { ctx.writes.pending }

    // The list on top.
    var filter: RecordFilter { list.filter }
    var periodPreset: PeriodPreset? { list.periodPreset }
    var keys: KeyList { list.keys }
    var rows: [RecordKey: InteractionRecord] { list.rows }
    var selection: Int { list.selection }
    var selectedRecord: InteractionRecord? { list.selectedRecord }
    func select(_ index: Int) { list.select(index) }
    var statsFilter: RecordFilter { list.statsFilter }
    var total: Tally { list.total }
    var tallies: [String: Tally] { list.tallies }
    var statisticsPending: Bool { list.statisticsPending }
    var newSinceQuery: Int { list.newSinceQuery }

    // The screen drawn and the overlays over it.
    var dashboard: DashboardState? { (baseScreen as? DashboardScreen)?.state }
    var knowledge: KnowledgeState? { (baseScreen as? KnowledgeScreen)?.state }
    var selectedKnowledgeEntry: KnowledgeEntry? { (baseScreen as? KnowledgeScreen)?.selectedEntry }
    var prompt: Prompt? { (top as? PromptOverlay)?.prompt }
    var overlay: (title: Localized, lines: [(String, Role)])? { topmost(HelpOverlay.self)?.content }
}
