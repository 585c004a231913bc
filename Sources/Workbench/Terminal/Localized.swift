import Model

/// The interface's two languages: Chinese by default (the users' words, domain.md), English on a switch.
enum Language: String, CaseIterable, Sendable {
    case zh, en
}

/// One piece of interface text in both languages.
struct Localized: Sendable, Equatable {
    let zh: String
    let en: String

    init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }

    func callAsFunction(_ lang: Language) -> String { lang == .zh ? zh : en }
}

extension Label {
    func name(_ lang: Language) -> String { lang == .zh ? chineseName : englishName }


    /// Each label has a glyph as well as a colour, so monochrome screens and text captures tell
    /// them apart. All four are narrow in every terminal (East Asian Width N).
    var glyph: Character {
        switch self {
        case .missingKnowledge: "∅"
        case .misunderstood: "✗"
        case .correct: "✓"
        case .outOfScope: "⊘"
        }
    }
}

extension ReviewStatus {
    func name(_ lang: Language) -> String {
        switch (self, lang) {
        case (_, .zh): chineseName
        case (.unlabeled, .en): "unlabelled"
        case (.labeled, .en): "labelled"
        case (.reviewed, .en): "reviewed"
        }
    }
}
