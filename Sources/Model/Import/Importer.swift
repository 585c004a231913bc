import Foundation

public enum EncodingChoice: String, CaseIterable, Sendable {
    case auto
    case utf8 = "utf-8"
    case gb18030
}

public enum FormatChoice: String, CaseIterable, Sendable {
    case auto, csv, jsonl
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
    /// Organisation names not in the reference list, with how many rows carried each.
    public var unknownOrgs: [String: Int] = [:]
    public var rowsWithoutOrg = 0
    public var unknownHeaders: [String] = []
    public var bytes = 0
    public var seconds = 0.0

    public static let keptProblems = 200
}

/// Progress of a running import, for a progress bar.
public struct ImportProgress: Sendable {
    public let file: String
    public let bytesRead: Int
    public let totalBytes: Int
    public let rows: Int
}

/// Reads log files into the store: each file in one transaction, bad rows reported and skipped,
/// good rows kept, rows already stored counted and left alone.
public final class Importer {
    let store: RecordStore
    let normaliser: RowNormaliser

    public init(store: RecordStore, reference: ReferenceData) {
        self.store = store
        normaliser = RowNormaliser(reference: reference)
    }

    public func importFile(
        _ path: String, encoding: EncodingChoice = .auto, format: FormatChoice = .auto,
        progress: ((ImportProgress) -> Void)? = nil
    ) throws -> ImportSummary {
        let started = Date()
        var summary = ImportSummary(file: path)
        let file = try FileByteSource(path: path)
        summary.bytes = file.fileSize
        let sample = try file.peek(64 << 10)
        let isWhole = sample.count >= summary.bytes

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

        let orgs = normaliser.reference.organisations
        try store.importBatch { sink in
            var rows = 0
            var lastReport = Date.distantPast
            while let result = try reader.next() {
                rows += 1
                switch result {
                case .problem(let p):
                    summary.rejected += 1
                    if summary.problems.count < ImportSummary.keptProblems { summary.problems.append(p) }
                case .row(let raw, let line):
                    switch normaliser.record(from: raw, file: path, line: line) {
                    case .failure(let p):
                        summary.rejected += 1
                        if summary.problems.count < ImportSummary.keptProblems { summary.problems.append(p) }
                    case .success(let record):
                        if record.org.isEmpty {
                            summary.rowsWithoutOrg += 1
                        } else if !orgs.isKnown(record.org) {
                            summary.unknownOrgs[record.org, default: 0] += 1
                        }
                        if try sink.insert(record) { summary.imported += 1 } else { summary.existing += 1 }
                    }
                }
                if let progress, rows & 1023 == 0 {
                    let now = Date()
                    if now.timeIntervalSince(lastReport) > 0.1 {
                        lastReport = now
                        progress(ImportProgress(file: path, bytesRead: source.bytesConsumed, totalBytes: summary.bytes, rows: rows))
                    }
                }
            }
            progress?(ImportProgress(file: path, bytesRead: summary.bytes, totalBytes: summary.bytes, rows: rows))
        }
        summary.unknownHeaders = reader.unknownHeaders
        summary.seconds = Date().timeIntervalSince(started)
        if let sqlite = store as? SQLiteRecordStore {
            try? sqlite.recordImport(file: path, format: summary.format, encoding: summary.encoding,
                                     imported: summary.imported, existing: summary.existing,
                                     rejected: summary.rejected, seconds: summary.seconds)
        }
        return summary
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
