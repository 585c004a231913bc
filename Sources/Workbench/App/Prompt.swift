import Model

/// The one-line input at the bottom: a search, or a record's note.
struct Prompt: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case search
        case note(recordId: String, key: RecordKey)
    }

    let kind: Kind
    var input: TextInput

    var title: Localized {
        switch kind {
        case .search: Localized("搜索（空格分隔的词须全部出现，回车执行，空白清除）", "Search (all space-separated words must appear; Enter runs it, empty clears)")
        case .note: Localized("备注（回车保存，Esc 放弃）", "Note (Enter saves, Esc discards)")
        }
    }

    var prefix: Localized {
        switch kind {
        case .search: Localized("搜索: ", "Search: ")
        case .note: Localized("备注: ", "Note: ")
        }
    }
}
