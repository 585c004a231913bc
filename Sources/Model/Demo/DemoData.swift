import Foundation

/// Writes the demo dataset: as a vendor's CSV export (for import tests and the benchmark), or
/// straight into a store through the same normaliser an import uses, with demo labels.
public enum DemoData {
    public static func writeCSV(path: String, records: Int, generator: DemoGenerator,
                                progress: ((Int) -> Void)? = nil) throws {
        let w = try CSVWriter(path: path)
        try w.writeRow(DemoGenerator.header.map(\.displayName))
        for i in 0..<records {
            let (raw, _) = generator.row(i)
            try w.writeRow(DemoGenerator.header.map { raw[$0] ?? "" })
            if let progress, i & 4095 == 0 { progress(i) }
        }
        try w.close()
    }

    /// Adds `records` demo records (skipping ids already there) in one transaction; labels arrive
    /// with their history rows, as an import of labelled data does. A reviewed record arrives with
    /// its labeller's label, and its second review is then written as a reviewer's would be
    /// (`markReviewed`, confirming or changing it), so the history holds both labels and
    /// `agreement --source reviews` has pairs (an imported reviewed record has only the last label).
    @discardableResult
    public static func populate(store: RecordStore, records: Int, generator: DemoGenerator,
                                reference: ReferenceData, progress: ((Int) -> Void)? = nil) throws -> Int {
        let normaliser = RowNormaliser(reference: reference)
        var reviews: [(id: String, label: Label, by: String, at: Int64)] = []
        let inserted = try store.importBatch(expectedRows: records) { sink in
            var inserted = 0
            var batch: [InteractionRecord] = []
            var facts: [RecordFacts] = []
            var pending: [(id: String, label: Label, by: String, at: Int64)?] = []
            func flush() throws {
                let outcomes = try sink.add(batch: batch, facts: facts, lines: Array(repeating: 0, count: batch.count), file: "demo")
                inserted += outcomes.filter { $0 == .inserted }.count
                for (o, review) in zip(outcomes, pending) where o == .inserted { if let review { reviews.append(review) } }
                batch.removeAll(keepingCapacity: true)
                facts.removeAll(keepingCapacity: true)
                pending.removeAll(keepingCapacity: true)
            }
            for i in 0..<records {
                let (raw, demoLabel) = generator.row(i)
                guard case .success(var r) = normaliser.record(from: raw, file: "demo", line: i + 2) else { continue }
                var review: (id: String, label: Label, by: String, at: Int64)?
                if let l = demoLabel {
                    r.label = l.reviewedBy == nil ? l.label : l.firstLabel
                    r.reviewer = l.reviewer
                    r.labeledAt = l.labeledAt
                    r.status = .labeled
                    if let by = l.reviewedBy { review = (r.id, l.label, by, l.labeledAt + 3600) }
                }
                batch.append(r)
                // Facts do not depend on the label: the same before and after the review.
                facts.append(RecordFacts.of(r, rules: .defaultPhrases, topics: .bundled))
                pending.append(review)
                if batch.count == 512 { try flush() }
                if let progress, i & 4095 == 0 { progress(i) }
            }
            try flush()
            return inserted
        }
        for r in reviews { try store.markReviewed(recordId: r.id, label: r.label, reviewer: r.by, at: r.at) }
        return inserted
    }

    /// Writes the demo knowledge base when the file has none yet; returns how many entries.
    @discardableResult
    public static func populateKnowledge(store: any KnowledgeStore, reference: ReferenceData, today: Int64) throws -> Int {
        guard try store.knowledgeEntries().isEmpty else { return 0 }
        let entries = DemoKnowledge.entries(reference: reference, today: ShanghaiTime.startOfDay(today))
        for e in entries { try e.validate(reference: reference) }
        // Each entry's own updatedAt stays as generated (some are meant to look stale).
        var saved = 0
        for group in stride(from: 0, to: entries.count, by: 200) {
            let chunk = entries[group..<min(entries.count, group + 200)]
            saved += try store.saveKnowledge(chunk.map { ($0, .create) }, stamp: nil).compactMap { $0 }.count
        }
        return saved
    }
}

