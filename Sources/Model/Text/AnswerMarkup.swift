/// The simple Markdown and HTML a bot writes into its answers (`**5 个工作日**`, `<br>`, `- ` lists,
/// `### 标题`), read for a person: line breaks where they were meant, bullets as `• `, emphasis as
/// the phrases to show in bold. For the screen only: exports and the store keep every character as
/// the log had it. The input is text already made visible (`RecordText`), so nothing here can let a
/// control character through.
public struct AnswerMarkup: Equatable, Sendable {
    /// The text without its markers.
    public let text: String
    /// The phrases marked bold (`**…**`, `__…__`, `<b>…</b>`, `<strong>…</strong>`, headings), each once.
    public let bold: [String]

    public init(_ source: String) {
        var s = source
        // Line breaks and paragraph tags written as HTML.
        for tag in ["<br>", "<br/>", "<br />", "<BR>", "<BR/>", "<BR />", "</p>", "</P>", "</li>", "</LI>"] {
            s = s.replacingOccurrences(of: tag, with: "\n")
        }
        for tag in ["<p>", "<P>", "<ul>", "</ul>", "<ol>", "</ol>", "<UL>", "</UL>", "<OL>", "</OL>"] {
            s = s.replacingOccurrences(of: tag, with: "")
        }
        s = s.replacingOccurrences(of: "<li>", with: "• ").replacingOccurrences(of: "<LI>", with: "• ")
        s = s.replacingOccurrences(of: "&nbsp;", with: " ")
        var bold: [String] = []
        func note(_ phrase: Substring) {
            let p = String(phrase).trimmingSpaces
            if !p.isEmpty, !bold.contains(p) { bold.append(p) }
        }
        var lines: [String] = []
        for raw in s.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(raw)
            // A heading: its text, in bold.
            let hashes = line.prefix { $0 == "#" }.count
            if (1...6).contains(hashes), line.dropFirst(hashes).first == " " {
                line = line.dropFirst(hashes + 1)
                note(line)
            }
            // A bullet: `- `, `* `, `+ ` (indentation kept).
            let indent = line.prefix { $0 == " " }
            let rest = line.dropFirst(indent.count)
            if rest.count > 2, ["- ", "* ", "+ "].contains(String(rest.prefix(2))) {
                line = indent + "• " + rest.dropFirst(2)
            }
            lines.append(Self.stripEmphasis(String(line), note))
        }
        text = lines.joined(separator: "\n")
        self.bold = bold
    }

    /// `**x**`, `__x__`, `<b>x</b>`, `<strong>x</strong>` → x, noting x. An unpaired marker stays as written.
    static func stripEmphasis(_ line: String, _ note: (Substring) -> Void) -> String {
        var out = line
        for (open, close) in [("**", "**"), ("__", "__"), ("<b>", "</b>"), ("<strong>", "</strong>"), ("<B>", "</B>")] {
            var result = ""
            var rest = Substring(out)
            while let a = rest.range(of: open), let b = rest[a.upperBound...].range(of: close), b.lowerBound > a.upperBound {
                result += rest[..<a.lowerBound]
                let inner = rest[a.upperBound..<b.lowerBound]
                note(inner)
                result += inner
                rest = rest[b.upperBound...]
            }
            result += rest
            out = result
        }
        return out
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
