/// The text condition of a filter, in the small language of the filter bar, `/`, `list --text` and
/// `report --text`:
///
///     失业金 灵活就业        both words occur (in the question or the answer)
///     失业金 -退休           the first occurs and the second does not
///     "社保 卡"              a phrase with its space (also “…” and 「…」)
///     问:补办  答:12333      in the question only, in the answer only (also 问：)
///
/// A word is a plain substring: no wildcards, case as typed. Words are separated by spaces (an
/// ideographic space too); an unclosed quote runs to the end.
public struct TextQuery: Hashable, Sendable {
    public enum Field: String, Hashable, Sendable {
        case any, question, answer
    }

    public struct Term: Hashable, Sendable {
        public var text: String
        public var field: Field
        public var excluded: Bool

        public init(_ text: String, field: Field = .any, excluded: Bool = false) {
            self.text = text
            self.field = field
            self.excluded = excluded
        }

        /// Whether the term's text occurs where it is asked for (ignoring `excluded`).
        public func occurs(question: String, answer: String) -> Bool {
            switch field {
            case .any: return TextQuery.contains(question, text) || TextQuery.contains(answer, text)
            case .question: return TextQuery.contains(question, text)
            case .answer: return TextQuery.contains(answer, text)
            }
        }
    }

    public var terms: [Term]

    public init(terms: [Term]) { self.terms = terms }

    public var isEmpty: Bool { terms.isEmpty }
    /// The words that must occur (what a screen highlights).
    public var required: [Term] { terms.filter { !$0.excluded } }

    /// True when every required term occurs and no excluded one does.
    public func matches(question: String, answer: String) -> Bool {
        terms.allSatisfy { $0.occurs(question: question, answer: answer) != $0.excluded }
    }

    /// A plain substring test on the UTF-8 bytes: what SQLite's instr and the text index answer
    /// (Swift's `String.contains` compares by canonical equivalence, which a database does not).
    public static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        var h = haystack, n = needle
        return h.withUTF8 { hb in
            n.withUTF8 { nb in
                guard nb.count <= hb.count else { return false }
                let first = nb[0]
                var i = 0
                let last = hb.count - nb.count
                while i <= last {
                    if hb[i] == first {
                        var j = 1
                        while j < nb.count, hb[i + j] == nb[j] { j += 1 }
                        if j == nb.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// Reads the language above. Never fails: what cannot be read as syntax is a word.
    public init(parsing source: String) {
        var terms: [Term] = []
        let chars = Array(source)
        var i = 0
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\u{3000}" || c == "\t" || c == "\n" || c == "\r" }
        let closing: [Character: Character] = ["\"": "\"", "“": "”", "「": "」", "”": "”"]
        while i < chars.count {
            while i < chars.count, isSpace(chars[i]) { i += 1 }
            guard i < chars.count else { break }
            let start = i
            var excluded = false
            var field = Field.any
            if chars[i] == "-" || chars[i] == "－", i + 1 < chars.count, !isSpace(chars[i + 1]) {
                excluded = true
                i += 1
            }
            // A field prefix: 问: or 答: (an ASCII or full-width colon), followed by something.
            if i + 1 < chars.count, chars[i + 1] == ":" || chars[i + 1] == "：", i + 2 < chars.count, !isSpace(chars[i + 2]) {
                switch chars[i] {
                case "问": field = .question; i += 2
                case "答": field = .answer; i += 2
                default: break
                }
            }
            var text = ""
            if let close = closing[chars[i]] {
                i += 1
                while i < chars.count, chars[i] != close { text.append(chars[i]); i += 1 }
                i += 1  // past the closing quote (or the end)
            } else {
                while i < chars.count, !isSpace(chars[i]) { text.append(chars[i]); i += 1 }
            }
            if text.isEmpty {
                // `-` or `问:` alone, or `""`: nothing to search for but what was typed.
                let raw = String(chars[start..<min(i, chars.count)]).filter { !isSpace($0) }
                if raw.isEmpty || raw.allSatisfy({ closing[$0] != nil || closing.values.contains($0) }) { continue }
                terms.append(Term(raw))
                continue
            }
            terms.append(Term(text, field: field, excluded: excluded))
        }
        self.terms = terms
    }

    /// The query written back in the language (for headers and reports).
    public var description: String {
        terms.map { t in
            let needsQuotes = t.text.contains { $0 == " " || $0 == "\u{3000}" || $0 == "\"" || $0 == "“" || $0 == "「" }
                || t.text.hasPrefix("-") || t.text.hasPrefix("－")
                || (t.text.count >= 2 && ["问", "答"].contains(t.text.first!) && [":", "："].contains(Array(t.text)[1]))
            let body = needsQuotes ? (t.text.contains("\"") ? "「\(t.text)」" : "\"\(t.text)\"") : t.text
            let prefix = t.field == .question ? "问:" : t.field == .answer ? "答:" : ""
            return (t.excluded ? "-" : "") + prefix + body
        }.joined(separator: " ")
    }
}
