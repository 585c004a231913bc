import Foundation

/// Personal data already stored (issue 18): `privacy scan` counts what the masking rules would
/// still change, per field and kind, with record ids (never the values); `privacy apply` masks it
/// in place, in batches, resumably, a history row per record. Nothing keeps the unmasked text.
public enum PrivacyAudit {
    /// Raised whenever the rules change, so `apply` goes over every record again.
    public static let rulesVersion = 2
    public static let fields = ["用户问题", "问答结果"]

    public struct Report: Sendable {
        public var scanned = 0
        /// [field: [kind: findings]]
        public var counts: [String: [Masking.Kind: Int]] = [:]
        /// Records with findings, by kind: how many, and the first ids.
        public var records: [Masking.Kind: Int] = [:]
        public var sampleIds: [Masking.Kind: [String]] = [:]
        public var total: Int { counts.values.reduce(0) { $0 + $1.values.reduce(0, +) } }

        mutating func add(_ t: StoredText, _ f: (question: [Masking.Finding], answer: [Masking.Finding])) {
            var kinds = Set<Masking.Kind>()
            for (field, list) in zip(PrivacyAudit.fields, [f.question, f.answer]) {
                for x in list { counts[field, default: [:]][x.kind, default: 0] += 1; kinds.insert(x.kind) }
            }
            for k in kinds {
                records[k, default: 0] += 1
                if sampleIds[k, default: []].count < 20 { sampleIds[k, default: []].append(t.recordId) }
            }
        }
    }

    /// "用户问题：手机号 1；问答结果：手机号 1" — what a history row says was masked.
    public static func describe(_ f: (question: [Masking.Finding], answer: [Masking.Finding])) -> String {
        zip(fields, [f.question, f.answer]).compactMap { field, list -> String? in
            guard !list.isEmpty else { return nil }
            let byKind = Dictionary(grouping: list, by: \.kind).sorted { $0.key < $1.key }
            return field + "：" + byKind.map { "\($0.key.rawValue) \($0.value.count)" }.joined(separator: "、")
        }.joined(separator: "；")
    }

    public static func scan(_ store: any RecordStore, batch: Int = 5_000, progress: ((Int, Int) -> Void)? = nil) throws -> Report {
        var report = Report()
        let total = try store.totalCount()
        var after: RecordKey = 0
        while true {
            let texts = try store.texts(after: after, limit: batch)
            guard let last = texts.last else { break }
            for t in texts {
                let f = Masking.findings(question: t.question, answer: t.answer)
                if !f.question.isEmpty || !f.answer.isEmpty { report.add(t, f) }
            }
            report.scanned += texts.count
            after = last.key
            progress?(report.scanned, total)
        }
        return report
    }

    public struct Applied: Sendable {
        public var scanned = 0
        public var changedRecords = 0
        public var report = Report()
        /// Where it started (0: from the first record; else resumed after this key).
        public var resumedAfter: RecordKey = 0
    }

    /// Masks what the rules find, `batch` records a transaction, remembering how far it came: run
    /// again after an interruption, it goes on from there (`restart` goes over everything again).
    public static func apply(_ store: any RecordStore, reviewer: String, at: Int64, batch: Int = 2_000, restart: Bool = false,
                             progress: ((Int, Int) -> Void)? = nil) throws -> Applied {
        var out = Applied()
        // Progress by record key (keys grow with each import): a resumed run starts part way.
        let lastKey = try store.lastRecordKey()
        var after: RecordKey = 0
        if !restart, let mark = try store.privacyMark(), mark.rules == rulesVersion { after = mark.doneTo }
        out.resumedAfter = after
        while true {
            let texts = try store.texts(after: after, limit: batch)
            guard let last = texts.last else { break }
            var changes: [MaskedText] = []
            for t in texts {
                let f = Masking.findings(question: t.question, answer: t.answer)
                guard !f.question.isEmpty || !f.answer.isEmpty else { continue }
                out.report.add(t, f)
                changes.append(MaskedText(key: t.key, recordId: t.recordId, question: Masking.apply(t.question, f.question),
                                          answer: Masking.apply(t.answer, f.answer), what: describe(f)))
            }
            try store.replaceTexts(changes, reviewer: reviewer, at: at)
            try store.setPrivacyMark(rules: rulesVersion, doneTo: last.key)
            out.changedRecords += changes.count
            out.scanned += texts.count
            after = last.key
            progress?(Int(last.key), Int(lastKey))
        }
        out.report.scanned = out.scanned
        return out
    }
}
