import Foundation
import Testing
@testable import Model

@Suite struct CSVScannerTests {
    let sample = "a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"line1\nline2\r\nline3\"\r\n,,\n" + "last,row,no newline"

    @Test func quotesCommasNewlinesAndCRLF() throws {
        let rows = try scanAll(Array(sample.utf8))
        #expect(rows.map(\.fields) == [
            ["a", "b", "c"],
            ["x, y", "he said \"hi\"", "line1\nline2\r\nline3"],
            ["", "", ""],
            ["last", "row", "no newline"],
        ])
        // Line numbers count the newlines inside quoted fields.
        #expect(rows.map(\.line) == [1, 2, 5, 6])
    }

    @Test(arguments: [1, 2, 3, 5, 7, 16])
    func sameResultWhateverTheChunkSize(chunk: Int) throws {
        let whole = try scanAll(Array(sample.utf8))
        let chunked = try scanAll(Array(sample.utf8), chunk: chunk)
        #expect(chunked == whole)
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let rows = try scanAll([0xEF, 0xBB, 0xBF] + Array("记录ID,问题\n1,你好\n".utf8))
        #expect(rows[0].fields == ["记录ID", "问题"])
        #expect(rows[1].fields == ["1", "你好"])
    }

    @Test func blankLinesAreSkippedButEmptyQuotedFieldsKept() throws {
        let rows = try scanAll(Array("a\n\n\r\n\"\"\nb\n".utf8))
        #expect(rows.map(\.fields) == [["a"], [""], ["b"]])
        #expect(rows.map(\.line) == [1, 4, 5])
    }

    @Test func raggedRowsAreReturnedAsTheyAre() throws {
        let rows = try scanAll(Array("a,b,c\n1,2\n1,2,3,4\n".utf8))
        #expect(rows.map { $0.fields.count } == [3, 2, 4])
    }

    @Test func unterminatedQuoteAtEndTakesTheRest() throws {
        let rows = try scanAll(Array("a,\"open\nstill open".utf8))
        #expect(rows.map(\.fields) == [["a", "open\nstill open"]])
    }

    @Test func anUnclosedQuoteCannotEatMemory() throws {
        let s = CSVScanner(source: ChunkedSource(Array("a,b\n1,\"never closed".utf8) + Array(repeating: 0x61, count: 5000), chunk: 100),
                           readSize: 100)
        s.maxRecordBytes = 1000
        #expect(try s.next()?.fields == ["a", "b"])
        #expect(throws: CSVScanError.recordTooLong(line: 2)) { try s.next() }
    }

    @Test func loneCarriageReturnEndsARecord() throws {
        let rows = try scanAll(Array("a,b\rc,d\r".utf8), chunk: 3)
        #expect(rows.map(\.fields) == [["a", "b"], ["c", "d"]])
    }

    @Test func invalidUTF8IsFlaggedNotDropped() throws {
        let rows = try scanAll(Array("ok,".utf8) + [0xC4, 0xE3] + Array("\n".utf8))
        #expect(rows[0].invalidFields == [1])
        #expect(rows[0].fields[0] == "ok")
    }

    @Test func quotedFieldWithTextAfterTheClosingQuoteKeepsIt() throws {
        let rows = try scanAll(Array("\"ab\"cd,e\n".utf8))
        #expect(rows[0].fields == ["abcd", "e"])
    }

    @Test func gb18030FourByteCharactersSurviveConversionAcrossChunks() throws {
        // 𠮷 (U+20BB7) is a 4-byte sequence in GB18030; 鿰 and emoji too.
        let text = "问题,回答\n𠮷野家,😀好\n\"引号\"\"里\",鿰\n"
        let raw = gb18030(text)
        #expect(raw.count > 0)
        for chunk in [1, 2, 3, 5, 64] {
            let source = try IconvByteSource(ChunkedSource(raw, chunk: chunk), from: "GB18030", file: "t.csv")
            let s = CSVScanner(source: source, readSize: max(4, chunk))
            var rows: [[String]] = []
            while let r = try s.next() { rows.append(r.fields) }
            #expect(rows == [["问题", "回答"], ["𠮷野家", "😀好"], ["引号\"里", "鿰"]], "chunk \(chunk)")
        }
    }

    @Test func tabSeparatedHeaderIsDetected() throws {
        let reader = try CSVLogReader(source: MemoryByteSource(Array("提问时间\t用户问题\n2025-12-01 09:00\t你好,世界\n".utf8)), file: "t.tsv")
        guard case .row(let raw, _)? = try reader.next() else { Issue.record("no row"); return }
        #expect(raw[.question] == "你好,世界")
    }
}

@Suite struct CSVRoundTripTests {
    /// Whatever CSVWriter writes, CSVScanner reads back the same, at any chunk size.
    @Test func randomFieldsSurviveWriterAndScanner() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: 17)
        let alphabet = ["a", "社保", ",", "\"", "\n", "\r\n", "\r", " ", "😀", "𠮷", "\t", "\u{7}", "=1+1", "-"]
        var rows: [[String]] = []
        for _ in 0..<300 {
            let width = rng.int(1...6)
            rows.append((0..<width).map { _ in (0..<rng.int(0...8)).map { _ in rng.pick(alphabet) }.joined() })
        }
        // A row of one empty field is a blank line, which readers skip by design: give it content.
        rows = rows.map { $0 == [""] ? ["x"] : $0 }
        let path = dir.path("rt.csv")
        let w = try CSVWriter(path: path)
        for r in rows { try w.writeRow(r) }
        try w.close()
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for chunk in [1, 3, 64, 4096] {
            // The formula guard's leading ' comes off as the importer takes it off.
            let back = try scanAll(bytes, chunk: chunk).map { $0.fields.map(FormulaGuard.restore) }
            #expect(back == rows, "chunk \(chunk)")
        }
    }
}
