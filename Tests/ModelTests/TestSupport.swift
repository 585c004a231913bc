import Foundation
import Testing
@testable import Model

/// A fresh directory under the system temp dir, removed by the caller with `cleanup`.
struct TempDir {
    let url: URL
    init() {
        url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("wb-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let p = path(name)
        _ = FileManager.default.createFile(atPath: p, contents: Data(bytes))
        return p
    }
    func write(_ name: String, _ text: String) -> String { write(name, Array(text.utf8)) }
    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Every record of a CSV text, read through a source that hands out `chunk` bytes at a time, so
/// records split across chunk boundaries are exercised.
final class ChunkedSource: ByteSource {
    var bytes: [UInt8]
    let chunk: Int
    var offset = 0
    init(_ bytes: [UInt8], chunk: Int) {
        self.bytes = bytes
        self.chunk = chunk
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(chunk, buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
    var bytesConsumed: Int { offset }
}

func scanAll(_ bytes: [UInt8], chunk: Int = 1 << 20) throws -> [CSVRecord] {
    // A small read size too, so the buffer's compaction and growth are exercised.
    let s = CSVScanner(source: ChunkedSource(bytes, chunk: chunk), readSize: max(4, chunk))
    try s.skipBOM()
    var out: [CSVRecord] = []
    while let r = try s.next() { out.append(r) }
    return out
}

func gb18030(_ s: String) -> [UInt8] {
    let enc = String.Encoding(rawValue: 0x8000_0632)
    return Array(s.data(using: enc)!)
}

let header = "记录ID,提问时间,组织机构,用户问题,问答结果,一级业务类型,二级业务类型\n"

func makeStore(_ dir: TempDir) throws -> SQLiteRecordStore {
    try SQLiteRecordStore(path: dir.path("t.sqlite"))
}

/// The stores a conformance test runs its body against: the SQLite file always, the PostgreSQL
/// server when `WORKBENCH_TEST_POSTGRES` names one (`.ci/run` starts one and sets it; with
/// `WORKBENCH_REQUIRE_POSTGRES=1` a missing server fails `PostgresAvailabilityTests`).
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }

    static var all: [StoreKind] { serverURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    static var serverURL: String? {
        ProcessInfo.processInfo.environment["WORKBENCH_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

typealias TestStore = RecordStore & KnowledgeStore

/// A fresh, empty store of the kind: a file in `dir`, or a new database on the test server.
func makeStore(_ dir: TempDir, _ kind: StoreKind, name: String = "t") throws -> any TestStore {
    switch kind {
    case .sqlite: return try SQLiteRecordStore(path: dir.path("\(name).sqlite"))
    case .postgres: return try PostgresRecordStore(url: try TestServer.freshDatabase())
    }
}

enum TestServer {
    /// Creates a database with a new name on the test server and returns its URL.
    static func freshDatabase() throws -> String {
        guard let base = StoreKind.serverURL else { throw StoreError.cannotOpen("postgres", "WORKBENCH_TEST_POSTGRES not set") }
        let name = "wbt_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let admin = try PGConnection(try PostgresAddress(base))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name)")
        var c = URLComponents(string: base)!
        c.path = "/" + name
        return c.string!
    }
}

/// A statement run on the store's own database, around its protocol (tests of what the schema
/// itself refuses).
func rawExecute(_ store: any RecordStore, _ sql: String) throws {
    switch store {
    case let s as SQLiteRecordStore: try s.dbQueue.write { db in try db.execute(sql: sql) }
    case let s as PostgresRecordStore: try s.db.execute(sql)
    default: Issue.record("unknown store \(type(of: store))")
    }
}
