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
                if try sink.insert(r) { inserted += 1 }
                if let progress, i & 4095 == 0 { progress(i) }
            }
            return inserted
        }
    }
}
