import Model

/// Chooses a record's corrected business type from the taxonomy: type to narrow (`养老/退休`
/// matches level 1 and level 2 by parts), arrows to move, Enter to choose. The first row clears
/// the correction.
struct BusinessTypePicker: Equatable, Sendable {
    struct Option: Equatable, Sendable {
        let level1: String?
        let level2: String?
        var text: String { BusinessType(level1, level2).text }
    }

    let recordId: String
    let key: RecordKey
    let current: String
    let all: [Option]
    var query = TextInput()
    var selected = 0

    init(recordId: String, key: RecordKey, current: String, taxonomy: Taxonomy) {
        self.recordId = recordId
        self.key = key
        self.current = current
        var options = [Option(level1: nil, level2: nil)]
        for l1 in taxonomy.level1 {
            for l2 in l1.level2 { options.append(Option(level1: l1.name, level2: l2)) }
        }
        all = options
    }

    var matches: [Option] {
        let q = query.text.trimmed
        guard !q.isEmpty else { return all }
        // A query, not a type: "/退休" (any level 1) narrows too.
        let parts = q.split(separator: "/", maxSplits: 1).map { String($0).trimmed }
        return all.dropFirst().filter { o in
            guard let l1 = o.level1 else { return false }
            if parts.count == 2 {
                return (parts[0].isEmpty || l1.contains(parts[0])) && (parts[1].isEmpty || (o.level2 ?? "").contains(parts[1]))
            }
            return o.text.contains(q)
        }
    }

    mutating func clamp() {
        selected = max(0, min(selected, matches.count - 1))
    }
}
