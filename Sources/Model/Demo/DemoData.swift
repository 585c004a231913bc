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
    /// with their history rows, as an import of labelled data does.
    @discardableResult
    public static func populate(store: RecordStore, records: Int, generator: DemoGenerator,
                                reference: ReferenceData, progress: ((Int) -> Void)? = nil) throws -> Int {
        let normaliser = RowNormaliser(reference: reference)
        return try store.importBatch(expectedRows: records) { sink in
            var inserted = 0
            var batch: [InteractionRecord] = []
            var facts: [RecordFacts] = []
            func flush() throws {
                let outcomes = try sink.add(batch: batch, facts: facts, lines: Array(repeating: 0, count: batch.count), file: "demo")
                inserted += outcomes.filter { $0 == .inserted }.count
                batch.removeAll(keepingCapacity: true)
                facts.removeAll(keepingCapacity: true)
            }
            for i in 0..<records {
                let (raw, demoLabel) = generator.row(i)
                guard case .success(var r) = normaliser.record(from: raw, file: "demo", line: i + 2) else { continue }
                if let l = demoLabel {
                    r.label = l.label
                    r.reviewer = l.reviewer
                    r.labeledAt = l.labeledAt
                    r.status = l.reviewedBy == nil ? .labeled : .reviewed
                    r.reviewedBy = l.reviewedBy
                    r.reviewedAt = l.reviewedBy == nil ? nil : l.labeledAt + 3600
                }
                batch.append(r)
                facts.append(RecordFacts.of(r, rules: .defaultPhrases, topics: .bundled))
                if batch.count == 512 { try flush() }
                if let progress, i & 4095 == 0 { progress(i) }
            }
            try flush()
            return inserted
        }
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

