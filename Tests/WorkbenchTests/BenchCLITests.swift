import Foundation
import Testing

/// `workbench bench`'s arguments and what a part says without its data; its figures are never
/// checked here (speed is measured in a release build, not in tests).
@Suite struct BenchCLITests {
    @Test func unknownCorpusOrPartIsRefused() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let corpus = try cli.run(["bench", "--records", "10", "--corpus", "novel", "--dir", cli.dir.path])
        #expect(corpus.status != 0)
        #expect(corpus.err.contains("realistic"))
        let part = try cli.run(["bench", "--records", "10", "--only", "imprt", "--dir", cli.dir.path])
        #expect(part.status != 0)
        #expect(part.err.contains("imprt"))
        #expect(try cli.run(["bench", "--records", "0", "--dir", cli.dir.path]).status != 0)
    }

    @Test func partsWithoutAnImportSaySoInOneLine() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let r = try cli.run(["bench", "--records", "10", "--only", "label,export,review", "--dir", cli.dir.path])
        #expect(r.status == 0)
        for part in ["label", "export", "review"] {
            #expect(r.out.split(separator: "\n").filter { $0.hasPrefix("\(part): 跳过") }.count == 1, "\(r.out)")
        }
        #expect(!r.out.contains("p50"))
        #expect(!FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("bench-realistic-10.csv").path))
    }

    @Test func importPartBesideTheSQLiteShell() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let r = try cli.run(["bench", "--records", "300", "--only", "import", "--dir", cli.dir.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: cli.dir.appendingPathComponent("bench-realistic-300.csv").path))
        #expect(r.out.contains("file: 300 rows"))
        #expect(r.out.contains("distinct answers"))
        #expect(r.out.contains("records committed and countable (300)"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3") {
            #expect(r.out.contains(".import --csv 300 rows"))
            #expect(r.out.contains("vs sqlite3 .import"))
            #expect(r.out.contains("vs sqlite3 .import + FTS5 trigram"))
        }
    }
}
