import Foundation

public enum EncodingChoice: String, CaseIterable, Sendable {
    case auto
    case utf8 = "utf-8"
    case gb18030
}

public enum FormatChoice: String, CaseIterable, Sendable {
    case auto, csv, jsonl, xlsx
}

/// What one file's import did.
public struct ImportSummary: Sendable {
    public var file: String
    public var format: String = ""
    public var encoding: String = ""
    public var imported = 0
    public var existing = 0
    public var rejected = 0
    /// The first problems, in file order (all are counted in `rejected`).
    public var problems: [RowProblem] = []
    /// Organisation names not in the reference list, with how many rows carried each (imported
    /// as written).
    public var unknownOrgs: [String: Int] = [:]
    public var rowsWithoutOrg = 0
    /// Rows with an empty (or no) 记录ID, stored under an id made from their content
    /// (`RowNormaliser.contentId`); the first `keptLines` of their lines.
    public var rowsWithoutId = 0
    public var rowsWithoutIdLines: [Int] = []
    public var unknownHeaders: [String] = []
    /// Header names given twice (or two aliases of one field): the first column is read.
    public var duplicateHeaders: [String] = []
    /// Rows whose id was stored already with other content (`conflictCount` in all; the first
    /// `keptProblems` here). The stored record is kept; the incoming one is in `import_conflict`.
    public var conflicts: [ImportConflict] = []
    public var conflictCount = 0
    public var bytes = 0
    public var seconds = 0.0

    public static let keptProblems = 200
    public static let keptLines = 20
}

/// Progress of a running import, for a progress bar.
public struct ImportProgress: Sendable {
    public let file: String
    public let bytesRead: Int
    public let totalBytes: Int
    public let rows: Int
    /// All rows are read; the store is committing (and, for a large import, building indexes).
    public var finishing = false
}

/// Reads log files into the store: each file in one transaction, bad rows reported and skipped,
/// good rows kept, rows already stored counted and left alone.
public final class Importer {
    let store: RecordStore
    let normaliser: RowNormaliser

    public convenience init(store: RecordStore, reference: ReferenceData) {
        self.init(store: store, reference: reference, masks: true)
    }

    /// `masks: false` for `workbench bench` only: an import that does not mask (see `RowNormaliser.masks`).
    package init(store: RecordStore, reference: ReferenceData, masks: Bool) {
        self.store = store
        var n = RowNormaliser(reference: reference)
        n.masks = masks
        n.masksLater = true
        normaliser = n
    }

    public func importFile(
        _ path: String, encoding: EncodingChoice = .auto, format: FormatChoice = .auto, sheet: String? = nil,
        progress: ((ImportProgress) -> Void)? = nil
    ) throws -> ImportSummary {
        let started = Date()
        var summary = ImportSummary(file: path)
        let file = try FileByteSource(path: path)
        summary.bytes = file.fileSize
        let sample = try file.peek(64 << 10)
        if sample.isEmpty, file.isPipe {
            throw ImportFileError(
                file: path,
                reason: "这是一个命名管道（FIFO），打开时没有写入方，或写入方什么也没写；导入不等待写入方：请先启动写入的程序，或把数据存成普通文件再导入"
                    + " (a named pipe with no writer when opened, or one that wrote nothing: import does not wait for a writer — start the writer first, or save the data to a regular file)")
        }
        // A pipe's size is unknown: the sample is the whole input only when the input ended within it.
        let isWhole = file.isRegular ? sample.count >= summary.bytes : sample.count < 64 << 10
        if format == .xlsx || (format == .auto && sample.starts(with: [0x50, 0x4B, 0x03, 0x04])) {
            if !file.isRegular {
                throw ImportFileError(file: path, reason: "XLSX 须是普通文件，不能从管道或设备读取 (an XLSX workbook must be a regular file, not a pipe or device)")
            }
            let reader = try XLSXLogReader(path: path, sheet: sheet)
            summary.format = "xlsx"
            summary.encoding = "xml"
            return try run(reader: reader, source: XLSXProgressSource(reader, fileSize: summary.bytes),
                           expectedRows: reader.progress.total / 1500, summary: summary, started: started, progress: progress)
        }

        let enc: TextEncoding
        switch encoding {
        case .utf8: enc = sample.starts(with: [0xEF, 0xBB, 0xBF]) ? .utf8BOM : .utf8
        case .gb18030: enc = .gb18030
        case .auto:
            if sample.isEmpty { throw ImportFileError(file: path, reason: "文件是空的 (empty file)") }
            switch EncodingDetector.detect(sample, isWholeFile: isWhole) {
            case .encoding(let e): enc = e
            case .refuse(let why): throw ImportFileError(file: path, reason: why)
            }
        }
        summary.encoding = enc.rawValue
        let source: ByteSource = try enc.iconvName.map { try IconvByteSource(file, from: $0, file: path) } ?? file

        let fmt = format == .auto ? Self.guessFormat(path: path, sample: sample) : format
        summary.format = fmt.rawValue
        let reader: LogRowReader = fmt == .jsonl
            ? JSONLLogReader(source: source, file: path)
            : try CSVLogReader(source: source, file: path)
        return try run(reader: reader, source: source,
                       expectedRows: Self.estimateRows(sample: sample, fileSize: summary.bytes, format: fmt),
                       summary: summary, started: started, progress: progress)
    }

    /// Parsing on a thread, inserting here, one transaction for the file.
    func run(reader: LogRowReader, source: ByteSource, expectedRows: Int?, summary: ImportSummary, started: Date,
             progress: ((ImportProgress) -> Void)?) throws -> ImportSummary {
        var summary = summary
        let path = summary.file
        let producer = RowProducer(reader: reader, normaliser: normaliser, source: source, file: path)
        let channel = BatchChannel<RowProducer.Batch>(capacity: 4)
        // Inserted batches go back to the producer, which frees their records while it parses: the
        // inserting thread is the slower one (~1 s of its 9 s at 1,000,000 rows was freeing).
        // Unbounded, so the consumer never waits on it (at most ~6 batches ever exist).
        let recycled = BatchChannel<RowProducer.Batch>(capacity: .max)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread { [producer] in
            producer.run(into: channel, recycled: recycled)
            finished.signal()
        }
        thread.stackSize = 1 << 22
        thread.start()
        do {
            try store.importBatch(expectedRows: expectedRows) { sink in
                var rows = 0
                var lastReport = Date.distantPast
                let topics = QuestionTopic(organisations: normaliser.reference.organisations)
                while var batch = channel.receive() {
                    if let error = batch.error { throw error }
                    // Masking and the statistics facts (which read the masked question) here, on
                    // the inserting thread, which waits for the parser otherwise.
                    for i in batch.records.indices {
                        normaliser.finish(&batch.records[i])
                        batch.facts.append(RecordFacts.of(batch.records[i], rules: RowProducer.rules, topics: topics))
                    }
                    let outcomes = try sink.add(batch: batch.records, facts: batch.facts, lines: batch.lines, file: path)
                    for (i, outcome) in outcomes.enumerated() {
                        let record = batch.records[i]
                        switch outcome {
                        case .inserted: summary.imported += 1
                        case .identical: summary.existing += 1
                        case .conflict(let fields):
                            summary.conflictCount += 1
                            if summary.conflicts.count < ImportSummary.keptProblems {
                                summary.conflicts.append(ImportConflict(file: path, line: batch.lines[i], recordId: record.id,
                                                                        fields: fields, incoming: "", at: 0))
                            }
                        }
                    }
                    rows += batch.rowsRead
                    _ = recycled.send(batch)
                    if let progress, Date().timeIntervalSince(lastReport) > 0.1 {
                        lastReport = Date()
                        progress(ImportProgress(file: path, bytesRead: batch.bytesRead, totalBytes: summary.bytes, rows: rows))
                    }
                }
                progress?(ImportProgress(file: path, bytesRead: summary.bytes, totalBytes: summary.bytes, rows: rows,
                                         finishing: true))
            }
        } catch {
            channel.cancel()
            recycled.cancel()
            finished.wait()
            throw error
        }
        finished.wait()
        summary.rejected = producer.rejected
        summary.problems = producer.problems
        summary.unknownOrgs = producer.unknownOrgs
        summary.rowsWithoutOrg = producer.rowsWithoutOrg
        summary.rowsWithoutId = producer.rowsWithoutId
        summary.rowsWithoutIdLines = producer.rowsWithoutIdLines
        summary.unknownHeaders = reader.unknownHeaders
        summary.duplicateHeaders = reader.duplicateHeaders
        summary.seconds = Date().timeIntervalSince(started)
        // The records are committed; a failure to add the log line must not report them lost.
        try? store.logImport(summary)
        return summary
    }

    /// Rows in the file, judged from how many records the first bytes hold (answers carry
    /// newlines, so counting lines would overestimate).
    static func estimateRows(sample: [UInt8], fileSize: Int, format: FormatChoice) -> Int? {
        guard !sample.isEmpty, fileSize > 0 else { return nil }
        var records = 0
        if format == .jsonl {
            records = sample.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        } else {
            let scanner = CSVScanner(source: MemoryByteSource(sample))
            while let r = try? scanner.next(), r.fields.count > 1 || !(r.fields.first ?? "").isEmpty { records += 1 }
        }
        // A few very long answers can fill the sample; then assume a typical ~1 KB record.
        if records < 20 { return fileSize / 1000 }
        return Int(Double(fileSize) * Double(records) / Double(sample.count))
    }

    static func guessFormat(path: String, sample: [UInt8]) -> FormatChoice {
        switch (path as NSString).pathExtension.lowercased() {
        case "jsonl", "ndjson", "json": return .jsonl
        case "csv", "tsv", "txt": return .csv
        default:
            var body = sample[...]
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
            let first = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
            return first == UInt8(ascii: "{") ? .jsonl : .csv
        }
    }
}

/// Progress of an XLSX import in file bytes, from how much of the sheet has been read.
final class XLSXProgressSource: ByteSource {
    let reader: XLSXLogReader
    let fileSize: Int
    init(_ reader: XLSXLogReader, fileSize: Int) {
        self.reader = reader
        self.fileSize = fileSize
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int { 0 }
    var bytesConsumed: Int {
        let p = reader.progress
        return p.total > 0 ? Int(Double(fileSize) * Double(p.done) / Double(p.total)) : 0
    }
}

/// The parsing half of an import, run on its own thread: reads rows, normalises them, and sends
/// batches of records; it keeps the bad-row report itself.
final class RowProducer: @unchecked Sendable {
    struct Batch {
        var records: [InteractionRecord] = []
        /// Each record's statistics facts, worked out on the inserting thread after masking.
        var facts: [RecordFacts] = []
        /// Each record's line (CSV, JSONL) or row (XLSX) in the file.
        var lines: [Int] = []
        var rowsRead = 0
        var bytesRead = 0
        var error: Error?
    }

    let reader: LogRowReader
    let normaliser: RowNormaliser
    let source: ByteSource
    let file: String
    var rejected = 0
    var problems: [RowProblem] = []
    var unknownOrgs: [String: Int] = [:]
    var rowsWithoutOrg = 0
    var rowsWithoutId = 0
    var rowsWithoutIdLines: [Int] = []
    static let rules = HitRules.defaultPhrases
    static let batchSize = 512

    init(reader: LogRowReader, normaliser: RowNormaliser, source: ByteSource, file: String) {
        self.reader = reader
        self.normaliser = normaliser
        self.source = source
        self.file = file
    }

    func reject(_ p: RowProblem) {
        rejected += 1
        if problems.count < ImportSummary.keptProblems { problems.append(p) }
    }

    /// A batch to fill: one the consumer has finished with (its records are freed here), or new.
    func emptyBatch(_ recycled: BatchChannel<Batch>) -> Batch {
        guard var b = recycled.tryReceive() else {
            var b = Batch()
            b.records.reserveCapacity(Self.batchSize)
            b.facts.reserveCapacity(Self.batchSize)
            b.lines.reserveCapacity(Self.batchSize)
            return b
        }
        b.records.removeAll(keepingCapacity: true)
        b.facts.removeAll(keepingCapacity: true)
        b.lines.removeAll(keepingCapacity: true)
        b.rowsRead = 0
        b.bytesRead = 0
        return b
    }

    func run(into channel: BatchChannel<Batch>, recycled: BatchChannel<Batch>) {
        defer { channel.close() }
        let orgs = normaliser.reference.organisations
        var batch = emptyBatch(recycled)
        do {
            while let result = try reader.next() {
                batch.rowsRead += 1
                switch result {
                case .problem(let p):
                    reject(p)
                case .row(let raw, let line):
                    switch normaliser.record(from: raw, file: file, line: line) {
                    case .failure(let p):
                        reject(p)
                    case .success(let record):
                        if record.org.isEmpty {
                            rowsWithoutOrg += 1
                        } else if !orgs.isKnown(record.org) {
                            unknownOrgs[record.org, default: 0] += 1
                        }
                        if RowNormaliser.isBlank(raw[.recordId]) {
                            rowsWithoutId += 1
                            if rowsWithoutIdLines.count < ImportSummary.keptLines { rowsWithoutIdLines.append(line) }
                        }
                        batch.records.append(record)
                        batch.lines.append(line)
                    }
                }
                if batch.rowsRead >= Self.batchSize {
                    batch.bytesRead = source.bytesConsumed
                    guard channel.send(batch) else { return }
                    batch = emptyBatch(recycled)
                }
            }
            batch.bytesRead = source.bytesConsumed
            _ = channel.send(batch)
        } catch {
            _ = channel.send(Batch(error: error))
        }
    }
}
