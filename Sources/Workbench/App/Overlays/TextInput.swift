/// The text a field or prompt holds; typing appends, Backspace removes one character.
struct TextInput: Equatable, Sendable {
    var text: String

    init(_ text: String = "") { self.text = text }

    /// Whether the key edited the text.
    mutating func edit(_ command: Command) -> Bool {
        switch command {
        case .deleteBackward:
            guard !text.isEmpty else { return false }
            text.removeLast()
        case .clearInput:
            guard !text.isEmpty else { return false }
            text = ""
        default: return false
        }
        return true
    }

    /// Appends a typed character; control characters never enter a field.
    mutating func type(_ c: Character) -> Bool {
        guard !c.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return false }
        text.append(c)
        return true
    }
}
