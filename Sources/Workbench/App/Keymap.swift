import Model

/// Where keys go: the list and the detail pane share the review bindings; the filter bar, text
/// prompts, the business-type picker and the help screen have their own.
enum Mode: String, CaseIterable, Sendable {
    case list, detail, dashboard, knowledge, filter, prompt, picker, help, confirm, adjudication

    var title: Localized {
        switch self {
        case .list: Localized("记录列表", "Record list")
        case .detail: Localized("详情", "Detail")
        case .dashboard: Localized("统计看板", "Dashboard")
        case .knowledge: Localized("知识库", "Knowledge base")
        case .filter: Localized("筛选栏", "Filter bar")
        case .prompt: Localized("输入行（搜索、备注）", "Input line (search, note)")
        case .picker: Localized("业务类型选择", "Business type picker")
        case .help: Localized("帮助", "Help")
        case .confirm: Localized("确认覆盖他人的标注", "Confirm replacing another reviewer's work")
        case .adjudication: Localized("仲裁队列（主管）", "Adjudication queue (supervisors)")
        }
    }
}

/// Everything a key can ask for. `ReviewSession.apply` turns one into a `Reaction`.
enum Command: Hashable, Sendable {
    case label(Label), clearLabel, undo, review, toggleReviewMode
    case down, up, pageDown, pageUp, top, bottom
    case toggleFocus, toggleDetail, search, openFilter, correctBusinessType, editNote, help, quit
    case toggleLanguage, refresh, export
    // the dashboard
    case openDashboard, closeDashboard, back, nextView, previousView, cycleSort, cycleBucket, toggleAscii
    // the knowledge base
    case openKnowledge, matchKnowledge, cycleRegion, cycleBusinessType, toggleStale, editEntry, newEntry, retireEntry, entryDates, markReviewed
    case left, right
    // double review
    case openAdjudication, sendBack, toggleMyTasks, assignFilter, reviewerFigures
    // personal data
    case maskSpan, exportLog
    // reading
    case toggleReading
    // text entry (filter bar, prompt, picker)
    case nextField, previousField, nextOption, previousOption, toggleOption
    case accept, cancel, deleteBackward, clearInput

    /// Whether it writes to the database: refused, with the reason, on a read-only or damaged one.
    var writes: Bool {
        switch self {
        case .label, .clearLabel, .undo, .review, .correctBusinessType, .editNote, .maskSpan, .editEntry, .newEntry, .retireEntry,
             .entryDates, .markReviewed, .sendBack:
            true
        default: false
        }
    }
}

/// One row of the keymap: the keys, what they do, the help text, the footer text (nil: help
/// only) and what it needs to run.
struct Binding: Sendable {
    let modes: Set<Mode>
    let keys: [Key]
    let command: Command
    let help: Localized
    let footer: Localized?
    /// How the footer writes the keys when not simply the first key (`1-4`).
    let footerKeys: String?
    /// What must hold for it to run; the screen on top says why not (`KeyAvailability`).
    let requires: Requirement?

    init(_ modes: Set<Mode>, _ keys: [Key], _ command: Command, help: Localized, footer: Localized? = nil,
         footerKeys: String? = nil, requires: Requirement? = nil) {
        self.modes = modes
        self.keys = keys
        self.command = command
        self.help = help
        self.footer = footer
        self.footerKeys = footerKeys
        self.requires = requires
    }
}

/// The one table of keys: dispatch, the footer and the `?` screen all read it, so nothing
/// describes a key twice (tig's request table, lazygit's bindings with their disabled reasons).
enum Keymap {
    static let review: Set<Mode> = [.list, .detail]

    static let bindings: [Binding] = {
        var b: [Binding] = []
        for l in Label.allCases {
            b.append(Binding(
                review, [.char(l.key)], .label(l),
                help: Localized("标注为「\(l.chineseName)」并跳到下一条未标注（复核模式：复核为此标注）",
                                "Label \(l.englishName) and go to the next unlabelled (review mode: review as this label)"),
                // Which key is which label, on screen all the time (issue 16, point 9).
                footer: Localized(l.chineseName, l.englishName), footerKeys: String(l.key),
                requires: .record))
        }
        for l in Label.allCases {
            b.append(Binding(
                [.adjudication], [.char(l.key)], .label(l),
                help: Localized("裁定为「\(l.chineseName)」（记为主管复核，两人的原标注保留在历史中）",
                                "Decide \(l.englishName) (reviewed by the supervisor; both labels stay in the history)"),
                footer: l == .missingKnowledge ? Localized("裁定", "decide") : nil, footerKeys: "1-4", requires: .record))
        }
        b += [
            Binding(review, [.char("0"), .backspace], .clearLabel, help: Localized("清除标注", "Clear the label"),
                    footer: Localized("清除", "clear"), requires: .record),
            Binding(review, [.char("u")], .undo, help: Localized("撤销上一次修改（可连续撤销，跨记录）", "Undo the last change (again and again, across records)"),
                    footer: Localized("撤销", "undo"), requires: .undo),
            Binding(review, [.char("r")], .review,
                    help: Localized("复核：确认当前标注为已复核", "Second review: confirm the label (已复核)"),
                    footer: Localized("复核", "review"), requires: .labelledRecord),
        ]
        b += [
            Binding(review, [.char("v")], .toggleReading,
                    help: Localized("阅读模式：详情占满屏幕，问题与完整回答在前，信息压成一两行（再按 v 返回）；1-4 照常标注并跳到下一条",
                                    "Reading mode: the detail fills the screen, question and whole answer first, the facts in a line or two (v again: back); 1-4 label as usual"),
                    footer: Localized("阅读", "read")),
            Binding(review, [.tab], .toggleFocus, help: Localized("在列表与详情之间切换焦点", "Move focus between list and detail"),
                    footer: Localized("滚动详情", "scroll")),
            Binding(review, [.char("/")], .search, help: Localized("搜索问题与回答中的文字", "Search the text of questions and answers"),
                    footer: Localized("搜索", "search")),
            Binding(review, [.char("f")], .openFilter, help: Localized("打开筛选栏（机构、时间、状态、标注、业务类型、文本）", "Open the filter bar (organisation, period, status, label, business type, text)"),
                    footer: Localized("筛选", "filter")),
            Binding(review, [.char("s")], .openDashboard, help: Localized("统计看板：各区县准确率与命中率、趋势、业务类型、热点TOP10（共用筛选）", "Dashboard: accuracy and hit rate by county, trends, business types, hot TOP10 (same filter)"),
                    footer: Localized("看板", "dashboard")),
            Binding(review, [.char("T")], .toggleMyTasks,
                    help: Localized("待办（分配给你的、等你第二评的、未标注且无人在审的）⇄ 全部记录（各自的筛选都记住）",
                                    "To do (assigned to you, second votes waiting for you, unlabelled and free) ⇄ all records (each keeps its filter)"),
                    footer: Localized("待办/全部", "to-do")),
            Binding(review, [.char("m")], .toggleReviewMode,
                    help: Localized("切换复核模式：1-4 复核为该标注，r 确认，跳到下一条未复核", "Review mode on/off: 1-4 review as that label, r confirms, go to the next unreviewed"),
                    footer: Localized("复核模式", "review mode")),
            Binding(review, [.enter], .toggleDetail, help: Localized("显示/隐藏详情窗格", "Show or hide the detail pane"),
                    footer: Localized("详情", "detail")),
        ]
        b += navigation(review, next: Localized("下一条 / 向下滚动", "Next record / scroll down"),
                        previous: Localized("上一条 / 向上滚动", "Previous record / scroll up"),
                        first: Localized("到第一条 / 详情顶部", "First record / top of the detail"),
                        last: Localized("到最后一条 / 详情底部", "Last record / end of the detail"))
        b += [
            Binding(review, [.char("b")], .correctBusinessType, help: Localized("修正业务类型（人工修正分类）", "Correct the business type"),
                    footer: Localized("分类", "type"), requires: .record),
            Binding(review, [.char("n")], .editNote, help: Localized("编辑备注", "Edit the note"),
                    footer: Localized("备注", "note"), requires: .record),
            Binding(review, [.char("x")], .maskSpan,
                    help: Localized("遮盖规则漏掉的个人信息（姓名、号码）：输入文字，本条问题与回答中每一处都遮盖，记入历史，其他审核员随即看到",
                                    "Mask personal data the rules missed (a name, a number): every place in this record, kept in the history, seen by others at once"),
                    requires: .record),
            Binding(review, [.char("e")], .export, help: Localized("导出当前筛选（xlsx/csv/jsonl，问答结果完整）", "Export this filter (xlsx/csv/jsonl, answers complete)"),
                    footer: Localized("导出", "export"), requires: .nonEmptyList),
            Binding(review, [.char("K")], .openKnowledge, help: Localized("知识库：条目、覆盖矩阵、缺口（业务缺失）", "Knowledge base: entries, coverage matrix, gaps (missing KB)"),
                    footer: Localized("知识库", "KB")),
            Binding(review, [.char("M")], .matchKnowledge,
                    help: Localized("知识匹配：这条问题由哪个条目、哪一级（县区/全市）回答，答案是什么（区分业务缺失与理解错误）",
                                    "Knowledge match: which entry and level (county / city-wide) answers this question, and its answer"),
                    footer: Localized("匹配", "match"), requires: .record),
            Binding(review, [.char("P")], .assignFilter,
                    help: Localized("分配当前筛选的记录给审核员（主管），如 李娜:2 王强:1", "Split this filter's records among reviewers (supervisors), e.g. 李娜:2 王强:1"),
                    requires: .supervisor),
            Binding(review, [.char("A")], .openAdjudication,
                    help: Localized("仲裁队列（主管）：双评不一致的记录，1-4 裁定，b 退回两人重标", "Adjudication queue (supervisors): double-review records whose labels differ; 1-4 decides, b sends back"),
                    requires: .supervisor),
            Binding(review, [.escape], .back, help: Localized("从看板进入的列表：回到看板，恢复原筛选", "A list opened from the dashboard: back to it, with the filter before"),
                    requires: .earlierScreen),
            Binding(review, [.char("R"), .ctrl("l")], .refresh, help: Localized("重新查询列表（显示新导入的记录）", "Run the list query again (shows newly imported records)")),
        ]
        b += shared(review)
        b += [

            Binding([.dashboard], [.tab, .right], .nextView, help: Localized("下一个视图（区县、趋势、业务类型、热点）", "Next view (counties, trend, business types, hot questions)"),
                    footer: Localized("视图", "view"), footerKeys: "Tab"),
            Binding([.dashboard], [.backTab, .left], .previousView, help: Localized("上一个视图", "Previous view")),
        ]
        b += navigation([.dashboard], next: Localized("下一行", "Next row"), previous: Localized("上一行", "Previous row"),
                        first: Localized("第一行", "First row"), last: Localized("最后一行", "Last row"))
        b += [
            Binding([.dashboard], [.enter], .accept,
                    help: Localized("区县、二级业务类型、热点问题：打开其记录列表；一级业务类型：进入二级", "County, level-2 type, hot question: open its records in the review list; level-1 type: show its level 2"),
                    footer: Localized("打开", "open"), requires: .dashboardRow),
            Binding([.dashboard], [.escape], .cancel, help: Localized("二级业务类型：回到一级；否则回到审核列表", "Level-2 types: back to level 1; else back to the review list"),
                    footer: Localized("返回", "back")),
            Binding([.dashboard], [.char("o")], .cycleSort, help: Localized("区县排序：准确率 → 命中率 → 问题量 → 机构顺序", "Sort counties: accuracy → hit rate → questions → organisation order"),
                    footer: Localized("排序", "sort")),
            Binding([.dashboard], [.char("t")], .cycleBucket, help: Localized("趋势粒度：自动 → 日 → 周 → 月", "Trend step: auto → day → week → month"),
                    footer: Localized("粒度", "step")),
            Binding([.dashboard], [.char("a")], .toggleAscii, help: Localized("图表：盲文点阵 ⇄ ASCII", "Charts: Braille ⇄ ASCII")),
            Binding([.dashboard], [.char("w")], .reviewerFigures,
                    help: Localized("审核员/质量：工作量、速度、标注分布与团队比较、双评一致、被仲裁推翻、过快连标（再按 w 返回）",
                                    "Reviewers: volume, pace, label mix against the team, agreement, overturned, fast streaks (w again: back)")),
            Binding([.dashboard], [.char("x")], .exportLog,
                    help: Localized("导出记录（主管）：谁、何时、筛选条件、条数、文件、SHA-256、导出时遮盖的个人信息（再按 x 返回）",
                                    "Export log (supervisors): who, when, filter, rows, file, SHA-256, personal data masked at export (x again: back)"),
                    requires: .supervisor),
            Binding([.dashboard], [.char("f")], .openFilter, help: Localized("筛选（机构、时间周期、业务类型用于看板）", "Filter (organisation, period and business type apply here)"),
                    footer: Localized("筛选", "filter")),
            Binding([.dashboard], [.char("s")], .closeDashboard, help: Localized("回到审核列表", "Back to the review list")),
            Binding([.dashboard], [.char("R"), .ctrl("l")], .refresh, help: Localized("重新统计（含新导入的记录）", "Count again (with newly imported records)")),
        ]
        b += shared([.dashboard])
        b += [

            Binding([.knowledge], [.tab], .nextView, help: Localized("下一个视图（条目、覆盖矩阵、缺口）", "Next view (entries, coverage, gaps)"),
                    footer: Localized("视图", "view")),
            Binding([.knowledge], [.backTab], .previousView, help: Localized("上一个视图", "Previous view")),
        ]
        b += navigation([.knowledge], next: Localized("下一行 / 向下滚动", "Next row / scroll down"),
                        previous: Localized("上一行 / 向上滚动", "Previous row / scroll up"),
                        first: Localized("第一行", "First row"), last: Localized("最后一行", "Last row"))
        b += [
            Binding([.knowledge], [.left, .char("h")], .left, help: Localized("覆盖矩阵：左一列（区域）", "Coverage: the region to the left")),
            Binding([.knowledge], [.right, .char("l")], .right, help: Localized("覆盖矩阵：右一列（区域）", "Coverage: the region to the right")),
            Binding([.knowledge], [.enter], .accept, help: Localized("打开条目：全文、政策依据、有效期、版本历史", "Open the entry: text, policy basis, dates, version history"),
                    footer: Localized("打开", "open"), requires: .knowledgeRow),
            Binding([.knowledge], [.escape], .cancel, help: Localized("关闭条目；否则回到审核列表", "Close the entry; else back to the review list"),
                    footer: Localized("返回", "back")),
            Binding([.knowledge], [.char("e")], .editEntry, help: Localized("在 $EDITOR 中编辑条目，保存为新版本（不合规则不保存并说明原因，内容保留）", "Edit the entry in $EDITOR, saved as a new version (refused with the reason if invalid; your text is kept)"),
                    footer: Localized("编辑", "edit"), requires: .knowledgeEntry),
            Binding([.knowledge], [.char("n")], .newEntry, help: Localized("新建条目（缺口视图：按所选缺口起草，区域与问题已填好）", "New entry (gaps view: drafted from the gap, region and question filled in)"),
                    footer: Localized("新建", "new")),
            Binding([.knowledge], [.char("d")], .entryDates, help: Localized("修改有效期（生效日期~失效日期）", "Change the effective dates"),
                    footer: Localized("有效期", "dates"), requires: .knowledgeEntry),
            Binding([.knowledge], [.char("v")], .markReviewed, help: Localized("复查确认：记为今天已复查（不再标为待复查）", "Mark as reviewed today (no longer stale)"),
                    footer: Localized("复查", "reviewed"), requires: .knowledgeEntry),
            Binding([.knowledge], [.char("x")], .retireEntry, help: Localized("停用条目（按两次）", "Retire the entry (press twice)"),
                    footer: Localized("停用", "retire"), requires: .knowledgeEntry),
            Binding([.knowledge], [.char("r")], .cycleRegion, help: Localized("条目视图：按区域筛选（输入名称、拼音或首字母，如 rg = 如皋市；空为全部）", "Entries: filter by region (type a name, pinyin or initials, e.g. rg = 如皋市; empty for all)")),
            Binding([.knowledge], [.char("b")], .cycleBusinessType, help: Localized("条目视图：按一级业务类型筛选（全部 → 各类型）", "Entries: filter by level-1 business type (all → each)")),
            Binding([.knowledge], [.char("S")], .toggleStale, help: Localized("条目视图：只看过期/待复查", "Entries: stale ones only")),
        ]
        b += shared([.knowledge])
        b += [

            Binding([.filter], [.tab, .down], .nextField, help: Localized("下一个条件", "Next field"), footer: Localized("下一项", "next")),
            Binding([.filter], [.backTab, .up], .previousField, help: Localized("上一个条件", "Previous field")),
            Binding([.filter], [.right], .nextOption, help: Localized("下一个选项（机构：移动光标）", "Next choice (organisations: move the cursor)"),
                    footer: Localized("选项", "choice"), footerKeys: "←→"),
            Binding([.filter], [.left], .previousOption, help: Localized("上一个选项", "Previous choice")),
            Binding([.filter], [.char(" ")], .toggleOption, help: Localized("机构：选中/取消光标处的机构", "Organisations: tick or untick the one under the cursor"),
                    footer: Localized("勾选", "tick"), requires: .organisationField),
            Binding([.filter], [.enter], .accept, help: Localized("应用筛选并关闭", "Apply and close"), footer: Localized("确定", "apply")),
            Binding([.filter], [.escape], .cancel, help: Localized("取消，恢复原筛选", "Cancel, back to the previous filter"), footer: Localized("取消", "cancel")),
            Binding([.filter], [.ctrl("u")], .clearInput, help: Localized("清空当前条件", "Clear this field"), footer: Localized("清空", "clear")),
            Binding([.filter], [.backspace], .deleteBackward, help: Localized("删除一个字", "Delete a character")),

            Binding([.prompt], [.enter], .accept, help: Localized("确定（保存备注 / 执行搜索）", "Accept (save the note / search)"), footer: Localized("确定", "accept")),
            Binding([.prompt], [.escape], .cancel, help: Localized("取消，输入不保存", "Cancel, nothing saved"), footer: Localized("取消", "cancel")),
            Binding([.prompt], [.ctrl("u")], .clearInput, help: Localized("清空输入", "Clear the input"), footer: Localized("清空", "clear")),
            Binding([.prompt], [.backspace], .deleteBackward, help: Localized("删除一个字", "Delete a character")),

            Binding([.picker], [.down, .ctrl("n")], .down, help: Localized("下一项", "Next item"), footer: Localized("移动", "move"), footerKeys: "↑↓"),
            Binding([.picker], [.up, .ctrl("p")], .up, help: Localized("上一项", "Previous item")),
            Binding([.picker], [.pageDown], .pageDown, help: Localized("向下翻页", "Page down")),
            Binding([.picker], [.pageUp], .pageUp, help: Localized("向上翻页", "Page up")),
            Binding([.picker], [.enter], .accept, help: Localized("选定此业务类型", "Choose this business type"), footer: Localized("选定", "choose")),
            Binding([.picker], [.escape], .cancel, help: Localized("取消", "Cancel"), footer: Localized("取消", "cancel")),
            Binding([.picker], [.backspace], .deleteBackward, help: Localized("删除一个字", "Delete a character")),
            Binding([.picker], [.ctrl("u")], .clearInput, help: Localized("清空输入", "Clear the input")),

            Binding([.help], [.char("j"), .down], .down, help: Localized("向下滚动", "Scroll down"), footer: Localized("滚动", "scroll"), footerKeys: "j/k"),
            Binding([.help], [.char("k"), .up], .up, help: Localized("向上滚动", "Scroll up")),
            Binding([.help], [.pageDown, .char(" ")], .pageDown, help: Localized("向下翻页", "Page down")),
            Binding([.help], [.pageUp], .pageUp, help: Localized("向上翻页", "Page up")),
            Binding([.help], [.escape, .char("q"), .char("?")], .cancel, help: Localized("关闭帮助", "Close help"), footer: Localized("关闭", "close")),

            Binding([.adjudication], [.tab], .toggleFocus, help: Localized("在列表与记录全文之间切换（j/k 滚动全文）", "Move between the list and the record's text (j/k scroll it)"),
                    footer: Localized("滚动详情", "scroll")),
            Binding([.adjudication], [.escape], .cancel, help: Localized("回到审核列表", "Back to the review list"), footer: Localized("返回", "back")),
            Binding([.adjudication], [.char("b")], .sendBack, help: Localized("退回：撤回两人的标注，写一条备注，两人重新标注", "Send back: both labels withdrawn, a note for them, both label again"),
                    footer: Localized("退回", "send back"), requires: .record),
            Binding([.adjudication], [.char("R"), .ctrl("l")], .refresh, help: Localized("重新读取仲裁队列", "Read the queue again")),
        ]
        b += navigation([.adjudication], next: Localized("下一条", "Next record"), previous: Localized("上一条", "Previous record"),
                        first: Localized("第一条", "First record"), last: Localized("最后一条", "Last record"))
        b += shared([.adjudication])
        b += [
            Binding([.confirm], [.char("y")], .accept, help: Localized("覆盖：写入你的标注，历史记为覆盖", "Replace: write your label, kept in the history as an override"),
                    footer: Localized("覆盖", "replace")),
            Binding([.confirm], [.escape, .char("n")], .cancel, help: Localized("取消，保留他人的标注（其他键不作回答，问题保留）", "Cancel, their work stays (other keys do not answer: the question stays)"),
                    footer: Localized("取消", "cancel")),
        ]
        return b
    }()

    /// The bindings every full screen has, declared once; each screen's table ends with them.
    static func shared(_ modes: Set<Mode>) -> [Binding] {
        [
            Binding(modes, [.char("L")], .toggleLanguage, help: Localized("切换界面语言 English/中文", "Switch the interface language 中文/English")),
            Binding(modes, [.char("?")], .help, help: Localized("帮助：全部按键", "Help: every key"), footer: Localized("帮助", "help")),
            Binding(modes, [.char("q")], .quit, help: Localized("退出（所有标注均已保存）", "Quit (every label is already saved)"),
                    footer: Localized("退出", "quit")),
        ]
    }

    /// Moving in a list, the same keys on every screen (`ListCursor`); the help says what a row is.
    static func navigation(_ modes: Set<Mode>, next: Localized, previous: Localized, first: Localized, last: Localized)
        -> [Binding]
    {
        [
            Binding(modes, [.char("j"), .down], .down, help: next),
            Binding(modes, [.char("k"), .up], .up, help: previous),
            Binding(modes, [.pageDown, .ctrl("f")], .pageDown, help: Localized("向下翻页", "Page down")),
            Binding(modes, [.pageUp, .ctrl("b")], .pageUp, help: Localized("向上翻页", "Page up")),
            Binding(modes, [.char("g"), .home], .top, help: first),
            Binding(modes, [.char("G"), .end], .bottom, help: last),
        ]
    }

    /// The binding for a key in a mode.
    static func binding(for key: Key, in mode: Mode) -> Binding? {
        bindings.first { $0.modes.contains(mode) && $0.keys.contains(key) }
    }

    static func bindings(in mode: Mode) -> [Binding] { bindings.filter { $0.modes.contains(mode) } }
}
