/// `李娜:2 王强:1` — reviewers and their shares of an assignment (a share of 1 may be left out).
public enum Shares {
    public static func parse(_ text: String) -> [(reviewer: String, share: Int)]? {
        let items = text.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" || $0 == "," || $0 == "，" || $0 == "、" })
        guard !items.isEmpty else { return nil }
        var out: [(reviewer: String, share: Int)] = []
        for item in items {
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).flatMap { $0.split(separator: "：") }
            let name = parts.first.map { String($0).trimmed } ?? ""
            guard !name.isEmpty else { return nil }
            guard let share = parts.count > 1 ? Int(String(parts[1]).trimmed) : 1, share > 0 else { return nil }
            out.append((name, share))
        }
        return out
    }
}
