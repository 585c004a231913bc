import Model

/// One screen or overlay on the app's stack (tig's views, htop's panels): it knows its keymap
/// table, handles the commands it knows and returns nil for the rest, which fall through to the
/// session's shared handling (help, language, quit, the filter bar).
protocol Screen: AnyObject, KeyAvailability {
    /// Which keymap table applies while it is on top.
    var mode: Mode { get }
    /// Overlays draw over the screen below them; full screens replace it.
    var isOverlay: Bool { get }
    func handle(_ command: Command, _ session: ReviewSession) -> Reaction?
    /// A typed character that no binding took (text entry); nil: not taken.
    func type(_ character: Character, _ session: ReviewSession) -> Reaction?
}

extension Screen {
    var isOverlay: Bool { false }
    func unavailable(_ requirement: Requirement) -> Localized? { nil }
    func type(_ character: Character, _ session: ReviewSession) -> Reaction? { nil }
}

/// What a binding needs before it can run; the screen on top says why not (lazygit's disabled
/// reasons). The keymap names requirements, never the session, so the two do not depend on
/// each other.
enum Requirement: Sendable {
    case record, undo, labelledRecord, nonEmptyList, earlierScreen
    case dashboardRow, knowledgeRow, knowledgeEntry, organisationField, supervisor
}

protocol KeyAvailability {
    /// Why a requirement is not met now (nil: it is).
    func unavailable(_ requirement: Requirement) -> Localized?
}

/// A cursor over a list of `count` rows, `page` of them visible: the one implementation of
/// up/down/page/top/bottom for every list (records, dashboard rows, entries, help, picker).
struct ListCursor: Equatable, Sendable {
    var selected = 0
    /// The first visible row (lists that keep their scroll position).
    var top = 0

    /// Moves by a navigation command (a page is `step` rows); false when the command is not one.
    mutating func move(_ command: Command, count: Int, step: Int, page: Int = 1) -> Bool {
        guard let to = Self.target(command, from: selected, last: count - 1, step: step) else { return false }
        selected = to
        clamp(count: count, page: page)
        return true
    }

    /// Where a navigation command goes from `from` (nil: not one); the caller clamps.
    static func target(_ command: Command, from: Int, last: Int, step: Int) -> Int? {
        switch command {
        case .down: from + 1
        case .up: from - 1
        case .pageDown: from + max(1, step)
        case .pageUp: from - max(1, step)
        case .top: 0
        case .bottom: last
        default: nil
        }
    }

    mutating func select(_ index: Int, count: Int, page: Int) {
        selected = index
        clamp(count: count, page: page)
    }

    /// Keeps the selection inside the list and visible in `page` rows.
    mutating func clamp(count: Int, page: Int) {
        let n = max(1, page)
        selected = max(0, min(selected, count - 1))
        if selected < top { top = selected }
        if selected >= top + n { top = selected - n + 1 }
        top = max(0, min(top, max(0, count - n)))
    }

    /// Rows around the selection that fit `height`, for lists drawn centred on it.
    static func window(count: Int, selected: Int, height: Int) -> Range<Int> {
        guard count > height, height > 0 else { return 0..<count }
        let top = max(0, min(selected - height / 2, count - height))
        return top..<(top + height)
    }
}

/// A scroll position over `count` lines of which `page` show (the detail, an entry, help).
struct ScrollOffset: Equatable, Sendable {
    var line = 0

    /// Scrolls by a navigation command (a page is `step` lines); false when it is not one.
    mutating func move(_ command: Command, count: Int, page: Int, step: Int) -> Bool {
        guard let to = ListCursor.target(command, from: line, last: count, step: step) else { return false }
        line = to
        clamp(count: count, page: page)
        return true
    }

    mutating func clamp(count: Int, page: Int) {
        line = max(0, min(line, count - max(1, page)))
    }
}

extension CaseIterable where Self: Equatable, AllCases.Index == Int {
    /// The next (or, with -1, previous) case, wrapping round: a screen's views under Tab.
    func cycled(_ delta: Int) -> Self {
        let all = Self.allCases
        let i = all.firstIndex(of: self) ?? 0
        return all[((i + delta) % all.count + all.count) % all.count]
    }
}
