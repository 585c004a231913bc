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

/// Issue 36: a quote that is never closed, or closes on another field's quote, costs its own
/// line; reading goes on from the next line. Legitimate quoted fields over lines are untouched.
@Suite struct CSVUnclosedQuoteTests {
    /// Every record, with the scanner told the header's width (as `CSVLogReader` does).
    func scan(_ text: String, expected: Int, chunk: Int = 1 << 20, maxField: Int? = nil, maxRecord: Int? = nil) throws -> [CSVRecord] {
        let s = CSVScanner(source: ChunkedSource(Array(text.utf8), chunk: chunk), readSize: max(4, chunk))
        s.expectedFields = expected
        if let maxField { s.maxFieldBytes = maxField }
        if let maxRecord { s.maxRecordBytes = maxRecord }
        var out: [CSVRecord] = []
        while let r = try s.next() { out.append(r) }
        return out
    }

    static let chunks = [1, 2, 3, 5, 7, 16, 64, 1 << 20]

    @Test(arguments: chunks) func aQuoteNeverClosedCostsItsLineOnly(chunk: Int) throws {
        let text = "a,b,c\n1,2,3\n4,\"never closed,6\n7,8,9\n10,11,12\n"
        let rows = try scan(text, expected: 3, chunk: chunk)
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"], [], ["7", "8", "9"], ["10", "11", "12"]])
        #expect(rows.map(\.line) == [1, 2, 3, 4, 5])
        let b = try #require(rows[2].broken)
        #expect(b.reason == .neverClosed)
        #expect(b.quoteLine == 3 && b.quoteColumn == 2 && b.resumeLine == 4)
        #expect(b.seen == "\"never closed,6")
    }

    /// The quote runs on to the opening quote of a field two lines down: before, the lines between
    /// were merged into this row's field and nothing was rejected.
    @Test(arguments: chunks) func aQuoteClosedByAnotherFieldsQuoteIsNotAField(chunk: Int) throws {
        let text = "a,b,c\n1,\"open,3\n4,5,6\n7,\"x, y\",9\n10,11,12\n"
        let rows = try scan(text, expected: 3, chunk: chunk)
        #expect(rows.map(\.fields) == [["a", "b", "c"], [], ["4", "5", "6"], ["7", "x, y", "9"], ["10", "11", "12"]])
        #expect(rows.map(\.line) == [1, 2, 3, 4, 5])
        #expect(rows[1].broken?.reason == .runsIntoText(closedAt: 4, text: "x"))
        #expect(rows[1].broken?.quoteLine == 2 && rows[1].broken?.resumeLine == 3)
    }

    @Test(arguments: chunks) func aQuoteOverLinesThatLeavesTheWrongWidthIsGivenUp(chunk: Int) throws {
        // The quote closes properly on line 3, but the record then has 3 columns, not 2.
        let text = "a,b\n1,\"x\n2,y\",z\n3,w\n"
        let rows = try scan(text, expected: 2, chunk: chunk)
        #expect(rows[1].broken?.reason == .wrongColumns(found: 3, expected: 2, closedAt: 3))
        #expect(rows[1].line == 2 && rows[1].broken?.resumeLine == 3)
        // Line 3 is read as a row of its own (ragged: the reader reports it), then line 4.
        #expect(rows.dropFirst(2).map(\.fields) == [["2", "y\"", "z"], ["3", "w"]])
        #expect(rows.dropFirst(2).map(\.line) == [3, 4])
    }

    @Test(arguments: chunks) func oneLineQuoteClosedByTheNextFieldsQuote(chunk: Int) throws {
        // The question's quote closes at the answer's opening quote on the same line; the answer's
        // own lines follow as rows (reported by the reader), then the file goes on.
        let text = "a,b,c\n1,\"q,\"answer\nmore\",z\n2,x,y\n"
        let rows = try scan(text, expected: 3, chunk: chunk)
        #expect(rows[1].broken?.reason == .runsIntoText(closedAt: 2, text: "answer"))
        #expect(rows[1].broken?.resumeLine == 3)
        #expect(rows.dropFirst(2).map(\.fields) == [["more\"", "z"], ["2", "x", "y"]])
    }

    /// Quoted fields over lines (CRLF, LF, CR, doubled quotes, delimiters, in the first column and
    /// the last) read exactly as without the check, at every chunk size.
    @Test(arguments: chunks) func legitimateFieldsOverLinesAreUntouched(chunk: Int) throws {
        let text = "a,b,c\r\n\"first\ncolumn\",\"x, y\",\"he said \"\"hi\"\"\nline2\r\nline3\"\r\n,,\"last\rcolumn\"\n"
            + "\"\",\"\n\n\",\"\"\"\"\nlast,row,no newline"
        let plain = try scanAll(Array(text.utf8), chunk: chunk)
        let checked = try scan(text, expected: 3, chunk: chunk)
        #expect(checked == plain)
        #expect(checked.allSatisfy { $0.broken == nil && $0.fields.count == 3 })
        // A lone CR inside quotes is not counted as a line (as before).
        #expect(checked.map(\.line) == [1, 2, 6, 7, 10])
    }

    @Test(arguments: [1, 3, 16, 1 << 20]) func aFieldOverLinesPastTheLimitIsGivenUp(chunk: Int) throws {
        let long = String(repeating: "x", count: 30)
        let text = "a,b\n1,\"\(long)\n\(long)\n\(long)\"\n2,\"\(long)\(long)\(long)\"\n3,z\n"
        let rows = try scan(text, expected: 2, chunk: chunk, maxField: 50)
        // Over lines and over 50 bytes: given up, lines 3 and 4 read as rows. On one line: a field
        // the normaliser refuses, as before (nothing after it is lost).
        #expect(rows[1].broken?.reason == .fieldTooLong(limit: 50))
        #expect(rows[1].line == 2 && rows[1].broken?.resumeLine == 3)
        #expect(rows.map(\.line) == [1, 2, 3, 4, 5, 6])
        #expect(rows[4].fields == ["2", long + long + long] && rows[4].broken == nil)
        #expect(rows[5].fields == ["3", "z"])
    }

    /// The limit is on what is held while waiting for a record's end (reads smaller than it, as a
    /// 16 MB limit over 1 MB reads is).
    @Test(arguments: [1, 7, 100]) func aLineOverTheRecordLimitIsSkipped(chunk: Int) throws {
        let text = "a,b\n1,\(String(repeating: "y", count: 3000))\r\n2,z\n3,\"unclosed\n" + String(repeating: "w,", count: 800) + "\n4,v\n"
        let rows = try scan(text, expected: 2, chunk: chunk, maxField: 1 << 20, maxRecord: 1000)
        #expect(rows[1].broken?.reason == .lineTooLong(limit: 1000))
        #expect(rows[1].line == 2 && rows[1].broken?.resumeLine == 3)
        #expect(rows[2].fields == ["2", "z"] && rows[2].line == 3)
        // A quote whose record passes the limit over lines: its line given up, the next read.
        #expect(rows[3].line == 4 && rows[3].broken?.reason == .recordTooLong(limit: 1000))
        #expect(rows.last?.fields == ["4", "v"] && rows.last?.line == 6)
    }

    /// Text after a closing quote on one line, in a record of the right width, is kept as before
    /// (seen in the wild), and says nothing about the records after it.
    @Test(arguments: chunks) func textAfterAClosingQuoteOnOneLineIsKept(chunk: Int) throws {
        let rows = try scan("a,b\n\"ab\"cd,e\n\"x\ny\",z\n1,\"p\"q\n", expected: 2, chunk: chunk)
        #expect(rows.map(\.fields) == [["a", "b"], ["abcd", "e"], ["x\ny", "z"], ["1", "pq"]])
        #expect(rows.allSatisfy { $0.broken == nil })
    }

    /// Whatever CSVWriter writes (quotes, delimiters, CR/LF inside fields) at a fixed width reads
    /// back the same with the width check on: no well-formed record is ever given up.
    @Test func writtenRowsOfTheRightWidthAreNeverGivenUp() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        var rng = SeededRandom(seed: 36)
        let alphabet = ["a", "社保", ",", "\"", "\n", "\r\n", "\r", " ", "😀", "\"\"", "\n\"", "\",\n"]
        var rows: [[String]] = []
        for _ in 0..<400 {
            rows.append((0..<4).map { _ in (0..<rng.int(0...8)).map { _ in rng.pick(alphabet) }.joined() })
        }
        let path = dir.path("w.csv")
        let w = try CSVWriter(path: path, bom: false)
        for r in rows { try w.writeRow(r) }
        try w.close()
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        for chunk in [1, 3, 64, 4096] {
            let back = try scan(text, expected: 4, chunk: chunk)
            #expect(back.allSatisfy { $0.broken == nil }, "chunk \(chunk)")
            #expect(back.map { $0.fields.map(FormulaGuard.restore) } == rows, "chunk \(chunk)")
        }
    }

    /// One field of one row opened with a quote that is never closed, anywhere in a file whose
    /// other rows quote some fields: every other row comes back whole, in order.
    @Test func oneBrokenQuoteNeverCostsAnotherRow() throws {
        var rng = SeededRandom(seed: 7)
        for round in 0..<60 {
            var rows: [[String]] = []
            for i in 0..<30 {
                rows.append(["\(i)", "问\(rng.int(0...99))", rng.int(0...3) == 0 ? "答, 有逗号\(i)" : "答\(i)", "x"])
            }
            func line(_ r: [String]) -> String { r.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ",") }
            let bad = rng.int(0...29), column = rng.int(1...3)
            var lines = rows.map(line)
            var broken = rows[bad]
            broken[column] = "\"" + broken[column].replacingOccurrences(of: ",", with: "，")
            lines[bad] = broken.joined(separator: ",")
            let text = "a,b,c,d\n" + lines.joined(separator: "\n") + (rng.int(0...1) == 0 ? "\n" : "")
            let back = try scan(text, expected: 4, chunk: rng.pick([1, 5, 64, 1 << 20]))
            let others = back.dropFirst().filter { $0.line != bad + 2 }
            #expect(others.map(\.fields) == rows.enumerated().filter { $0.offset != bad }.map(\.element), "round \(round), row \(bad)")
            #expect(others.map(\.line) == (0..<30).filter { $0 != bad }.map { $0 + 2 }, "round \(round)")
        }
    }

    @Test func withoutTheWidthTheScannerReadsAsBefore() throws {
        // `kb import` and the row estimate do not set it: a quote never closed takes the rest.
        let rows = try scanAll(Array("a,b\n1,\"open\n2,x\n".utf8))
        #expect(rows.map(\.fields) == [["a", "b"], ["1", "open\n2,x\n"]])
    }
}

extension CSVUnclosedQuoteTests {
    /// What was seen is filled in for the first records given up only (each costs a masking pass;
    /// an import lists no more than `ImportSummary.keptProblems`).
    @Test func onlyTheFirstBrokenRecordsSayWhatWasThere() throws {
        var text = "a,b\n"
        for i in 0..<(ImportSummary.keptProblems + 5) { text += "\(i),\"x\(i)\n" }
        let broken = try scan(text + "z,\"y\"q\n", expected: 2).compactMap(\.broken)
        #expect(broken.count == ImportSummary.keptProblems + 5)
        #expect(broken.prefix(ImportSummary.keptProblems).allSatisfy { !$0.seen.isEmpty })
        #expect(broken.dropFirst(ImportSummary.keptProblems).allSatisfy { $0.seen.isEmpty })
    }
}
