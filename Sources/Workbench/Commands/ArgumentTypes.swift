import ArgumentParser
import Model

// Options as typed values: argument-parser checks them (and lists the choices in --help and in
// its error), so no command compares strings in `run()`.

extension Language: ExpressibleByArgument {}
extension ExportFormat: ExpressibleByArgument {}
extension FormatChoice: ExpressibleByArgument {}
extension TimeBucket: ExpressibleByArgument {}
extension KnowledgeBase.ExportFormat: ExpressibleByArgument {}

/// `list --format`.
enum ListFormat: String, CaseIterable, ExpressibleByArgument {
    case table, jsonl
}

/// `report --format`.
enum ReportFormat: String, CaseIterable, ExpressibleByArgument {
    case text, markdown, csv, json, html, xlsx
}

/// `kb match --format`.
enum MatchFormat: String, CaseIterable, ExpressibleByArgument {
    case text, json
}

/// `agreement --source`.
enum AgreementSource: String, CaseIterable, ExpressibleByArgument {
    case votes, reviews
}

/// `report --by`: the board's groupings, and reviewers (from the label history).
enum ReportBy: String, CaseIterable, ExpressibleByArgument {
    case org, biz1, biz2, day, week, month, reviewer

    var grouping: Grouping? { Grouping(rawValue: rawValue) }
}
