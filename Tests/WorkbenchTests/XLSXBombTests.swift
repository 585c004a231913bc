import Foundation
@testable import Model
import Testing
import ZIPFoundation

/// Issue 36, "Nothing silently lost": an XLSX whose parts inflate like a bomb is refused at once,
/// in bounded memory, in one line naming the file and the part.
@Suite(.serialized) struct XLSXBombTests {
    /// Imports under a 1 GB address-space limit and a minute's deadline.
    static func importBounded(_ cli: CLI, _ file: String) throws -> (status: Int32, err: String, peakMB: Int, seconds: Double) {
        let started = Date()
        let r = try cli.run(["/usr/bin/timeout", "-s", "KILL", "60", "/bin/sh", "-c", "ulimit -v 1000000; exec \"$0\" import \"$1\" --db \"$2\"", CLI.binary.path, file, cli.db],
                            env: ["WORKBENCH_PRINT_PEAK_RSS": "1"], executable: URL(fileURLWithPath: "/usr/bin/timeout"))
        let kb = r.out.split(separator: "\n").first { $0.hasPrefix("peak-rss-kb:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? -1
        return (r.status, r.err, kb / 1024, Date().timeIntervalSince(started))
    }

    /// The same workbook with `part`'s stated size (central directory and local header) made
    /// 1,000 bytes: a forged ZIP that inflates far past what it says.
    static func understated(_ path: String, part: String, to: String) throws {
        var b = try Data(contentsOf: URL(fileURLWithPath: path))
        let name = Data(part.utf8)
        func u16(_ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
        func u32(_ i: Int) -> Int { u16(i) | u16(i + 2) << 16 }
        func put32(_ i: Int, _ v: UInt32) { for k in 0..<4 { b[i + k] = UInt8((v >> (8 * UInt32(k))) & 0xFF) } }
        var patched = 0
        var i = 0
        while i + 46 < b.count {
            if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 1 && b[i + 3] == 2, b.subdata(in: (i + 46)..<(i + 46 + u16(i + 28))) == name {
                put32(i + 24, 1000)
                let local = u32(i + 42)
                put32(local + 22, 1000)
                patched += 1
            }
            i += 1
        }
        #expect(patched == 1)
        try b.write(to: URL(fileURLWithPath: to))
    }

    /// Bombs: a workbook.xml and a shared-string table that inflate from a few MB to 1 GB (the old
    /// reader held the first whole: 2 GB of memory, minutes; the second took 570 MB and 31 s), the
    /// same with their sizes understated in the ZIP, and a row naming a 1 MB shared string in
    /// 16,384 cells (16 GB of one row). Each is refused in one line naming the file and the part,
    /// in seconds and under 100 MB.
    @Test func workbookBombsAreRefusedAtOnceInBoundedMemory() throws {
        let cli = CLI()
        defer { cli.cleanup() }
        let gigabyte = 1 << 30
        let sheet = "<worksheet><sheetData>\(HostileTests.header)\(HostileTests.row(2))</sheetData></worksheet>"
        func refused(_ path: String, _ words: [String]) throws {
            let r = try Self.importBounded(cli, path)
            #expect(r.status == 1 && r.err.split(separator: "\n").count == 1 && words.allSatisfy { r.err.contains($0) } && r.err.contains(path),
                    "\(path): \(r.status) \(r.err)")
            #expect(r.peakMB >= 0 && r.peakMB < 100, "\(path): peak \(r.peakMB) MB")
            #expect(r.seconds < 20, "\(path): \(r.seconds) s")
        }
        let unit = "<sheet name=\"s\" sheetId=\"1\" r:id=\"rId1\"/>"
        let book = cli.dir.appendingPathComponent("workbook-bomb.xlsx").path
        try HostileTests.workbook(book, sheet: sheet,
                                  workbookPart: HostileTests.periodic("<workbook><sheets>", unit, count: gigabyte / unit.utf8.count, "</sheets></workbook>"))
        #expect((try FileManager.default.attributesOfItem(atPath: book)[.size] as? Int ?? 0) < 8 << 20)
        try refused(book, ["xl/workbook.xml", "16 MB"])
        let forgedBook = cli.dir.appendingPathComponent("workbook-forged.xlsx").path
        try Self.understated(book, part: "xl/workbook.xml", to: forgedBook)
        try refused(forgedBook, ["xl/workbook.xml", "ZIP 中记录的大小"])

        let si = "<si><t>a</t></si>"
        let strings = cli.dir.appendingPathComponent("sst-bomb.xlsx").path
        try HostileTests.workbook(strings, sheet: sheet, sharedStrings: HostileTests.periodic("<sst>", si, count: gigabyte / si.utf8.count, "</sst>"))
        try refused(strings, ["xl/sharedStrings.xml", "100 倍"])
        let forgedStrings = cli.dir.appendingPathComponent("sst-forged.xlsx").path
        try Self.understated(strings, part: "xl/sharedStrings.xml", to: forgedStrings)
        try refused(forgedStrings, ["xl/sharedStrings.xml", "ZIP 中记录的大小"])

        let wide = cli.dir.appendingPathComponent("wide-row.xlsx").path
        let cells = (0..<16_384).map { "<c r=\"\(XLSXWriter.letters($0))2\" t=\"s\"><v>0</v></c>" }.joined()
        try HostileTests.workbook(wide, sheet: "<worksheet><sheetData>\(HostileTests.header)<row r=\"2\">\(cells)</row></sheetData></worksheet>",
                                  sharedStrings: HostileTests.periodic("<sst><si><t>", "长", count: (1 << 20) / 3 - 1, "</t></si></sst>"))
        try refused(wide, ["第 2 行", "16 MB"])
    }
}
