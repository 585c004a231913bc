import Model

/// The one-line input at the bottom: a search, or a record's note.
struct Prompt: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case search
        case note(recordId: String, key: RecordKey)
        /// The file to export the current filter to.
        case export
        /// A knowledge entry's effective dates, `2024-01-01~2025-12-31` (an open end: `2024-01-01~`).
        case entryDates(id: String)
        /// A disputed double-review record sent back to both reviewers, with a note for them.
        case sendBack(recordId: String)
        /// The list's filter split among reviewers: `姓名:份额 …`.
        case assign
        /// Text of this record's question or answer that the masking rules missed (a name, a number).
        case maskSpan(recordId: String, key: RecordKey)
        /// The knowledge screen's region: a name, pinyin or initials (rg = 如皋市); empty for all.
        case region
    }

    let kind: Kind
    var input: TextInput

    var title: Localized {
        switch kind {
        case .search: Localized("搜索（随输入更新；词须全部出现；-词 排除；\"短语\"；问:词 答:词；回车保留，Esc 还原）",
                                "Search (as you type; all words must occur; -word excludes; \"a phrase\"; 问:word 答:word; Enter keeps, Esc restores)")
        case .note: Localized("备注（回车保存，Esc 放弃）", "Note (Enter saves, Esc discards)")
        case .export: Localized("导出当前筛选到文件（.xlsx / .csv / .jsonl，回车开始）", "Export this filter to a file (.xlsx / .csv / .jsonl; Enter starts)")
        case .entryDates: Localized("有效期：生效日期~失效日期，失效日期可空（回车保存为新版本）", "Effective dates: from~to, to may be empty (Enter saves a new version)")
        case .sendBack: Localized("退回两人重标：写给两位审核员的备注（回车退回，Esc 取消）", "Send back: a note for both reviewers (Enter sends, Esc cancels)")
        case .assign: Localized("分配当前筛选：审核员:份额，空格分隔（如 李娜:2 王强:1）", "Split this filter: reviewer:share, space-separated (e.g. 李娜:2 王强:1)")
        case .maskSpan: Localized("遮盖个人信息：输入问题或回答中要遮盖的文字（如姓名、号码），回车遮盖本条中的每一处，不可撤销",
                                  "Mask personal data: type the text to mask (a name, a number); Enter masks every place in this record, for good")
        case .region: Localized("区域：名称、拼音或首字母（rg = 如皋市，qs = 全市），空为全部；回车选定",
                                "Region: name, pinyin or initials (rg = 如皋市, qs = 全市), empty for all; Enter chooses")
        }
    }

    var prefix: Localized {
        switch kind {
        case .search: Localized("搜索: ", "Search: ")
        case .note: Localized("备注: ", "Note: ")
        case .export: Localized("导出到: ", "Export to: ")
        case .entryDates: Localized("有效期: ", "Effective: ")
        case .sendBack: Localized("退回备注: ", "Note for both: ")
        case .assign: Localized("分配给: ", "Assign to: ")
        case .maskSpan: Localized("遮盖: ", "Mask: ")
        case .region: Localized("区域: ", "Region: ")
        }
    }
}
