/// The four labels a reviewer gives an answer (domain.md §2). The code is stable: it is what the
/// database, JSON and the label history store, so renaming a Chinese name never rewrites data.
public enum Label: String, CaseIterable, Sendable, Codable {
    case missingKnowledge
    case misunderstood
    case correct
    case outOfScope

    public var code: String { rawValue }

    public var chineseName: String {
        switch self {
        case .missingKnowledge: "业务缺失"
        case .misunderstood: "理解错误"
        case .correct: "回答正确"
        case .outOfScope: "非人社职能"
        }
    }

    /// One English name each, everywhere (screens, help, messages, reports): short enough for the
    /// list's label column with the ✔ of a review (issue 16, point 8).
    public var englishName: String {
        switch self {
        case .missingKnowledge: "missing KB"
        case .misunderstood: "misread"
        case .correct: "correct"
        case .outOfScope: "off-scope"
        }
    }

    /// Earlier English names, still understood when typed.
    static let englishAliases: [String: Label] = [
        "missing knowledge": .missingKnowledge, "missing": .missingKnowledge, "misunderstood": .misunderstood,
        "out of scope": .outOfScope, "not hr": .outOfScope, "out-of-scope": .outOfScope,
    ]

    /// The key that sets this label in the app and the digit scripts may pass.
    public var key: Character {
        switch self {
        case .missingKnowledge: "1"
        case .misunderstood: "2"
        case .correct: "3"
        case .outOfScope: "4"
        }
    }

    /// Accepts what a person or a script might type: the key 1–4, the Chinese name or the code
    /// (case-insensitive).
    public init?(parsing text: String) {
        let t = text.trimmed
        if let l = Label.allCases.first(where: {
            String($0.key) == t || $0.chineseName == t || $0.code.lowercased() == t.lowercased() || $0.englishName == t.lowercased()
        }) {
            self = l
        } else if let l = Label.englishAliases[t.lowercased()] {
            self = l
        } else {
            return nil
        }
    }
}

/// 未标注 / 已标注 / 已复核.
public enum ReviewStatus: String, CaseIterable, Sendable, Codable {
    case unlabeled
    case labeled
    case reviewed

    public var chineseName: String {
        switch self {
        case .unlabeled: "未标注"
        case .labeled: "已标注"
        case .reviewed: "已复核"
        }
    }

    public init?(parsing text: String) {
        let t = text.trimmed
        if let s = ReviewStatus.allCases.first(where: { $0.chineseName == t || $0.rawValue == t.lowercased() }) {
            self = s
        } else {
            return nil
        }
    }
}

import Foundation
