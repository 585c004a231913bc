import Foundation
import Testing
import GRDB
@testable import Model

@Suite struct TextQueryTests {
    @Test func theLanguageReadsWordsExclusionsPhrasesAndFields() {
        let q = TextQuery(parsing: "失业金  -退休 \"社保 卡\" 问:补办 答：12333 “a b” 「x」 -问:咋")
        #expect(q.terms == [
            .init("失业金"), .init("退休", excluded: true), .init("社保 卡"), .init("补办", field: .question),
            .init("12333", field: .answer), .init("a b"), .init("x"), .init("咋", field: .question, excluded: true),
        ])
        // What cannot be syntax is a word: a lone dash, a colon word, an unclosed quote.
        #expect(TextQuery(parsing: "- 问: a-b").terms == [.init("-"), .init("问:"), .init("a-b")])
        #expect(TextQuery(parsing: "\"open end").terms == [.init("open end")])
        #expect(TextQuery(parsing: "　 ").isEmpty)
        #expect(TextQuery(parsing: "\"\"").isEmpty)
        // Written back, it reads the same.
        for s in ["失业金 -退休 \"社保 卡\" 问:补办 答:12333", "-问:咋 \"-5\" \"问:x\""] {
            let q = TextQuery(parsing: s)
            #expect(TextQuery(parsing: q.description) == q)
        }
    }

    @Test func matchingIsAPlainByteSubstringTest() {
        let q = TextQuery(parsing: "社保 -退休 答:12333")
        #expect(q.matches(question: "社保卡怎么办", answer: "请拨打12333"))
        #expect(!q.matches(question: "社保卡怎么办", answer: "退休后请拨打12333"))
        #expect(!q.matches(question: "12333", answer: "社保"))
        // Composed é is not decomposed e + ◌́ (a database compares bytes).
        #expect(!TextQuery.contains("caf\u{E9}", "e\u{301}"))
        #expect(TextQuery.contains("ab", ""))
    }
}

@Suite struct TextSearchTests {
    /// Random queries of every kind on demo data: the store's keys, count and first page equal
    /// the plain substring scan's, with the index not built, half built and complete.
    @Test(arguments: StoreKind.all) func fiveHundredRandomQueriesEqualTheSubstringScan(_ kind: StoreKind) throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir, kind)
        // The server's trigram indexes are kept on every write: nothing to build afterwards.
        let builtLater = kind == .sqlite
        let end = ShanghaiTime.parse("2025-12-31 18:00")!
        let n = 1500
        let generator = DemoGenerator(seed: 21, end: end, count: n)
        let normaliser = RowNormaliser(reference: .bundled)
        // Announced as a large import, so the index is left to be built afterwards.
        try store.importBatch(expectedRows: 100_000) { sink in
            for i in 0..<n {
                guard case .success(var r) = normaliser.record(from: generator.row(i).0, file: "demo", line: i + 2) else { continue }
                if i % 97 == 0 { r.question += "末尾词" }  // a word at the very end of a text
                if i % 89 == 0 { r.answer = "\"引号\" AND OR NOT * ( ) -x 问:y \u{1}控制" + r.answer }
                _ = try sink.insert(r)
            }
        }
        let all = try store.page(RecordFilter(), after: nil, limit: 100_000).records
        #expect(all.count == n)
        #expect(try store.textIndexProgress().isComplete == !builtLater)

        var rng = SeededRandom(seed: 77)
        let orgs = ReferenceData.bundled.organisations.names
        func piece() -> String {
            switch rng.int(0...9) {
            case 0...5:
                // A piece of a stored text, 1-8 characters: common and rare words alike.
                let r = rng.pick(all)
                let s = Array(rng.chance(0.5) ? r.question : r.answer)
                guard !s.isEmpty else { return "社保" }
                let len = min(s.count, rng.int(1...8))
                let start = rng.int(0...(s.count - len))
                return String(s[start..<(start + len)])
            case 6: return String(rng.int(0...99_999))
            case 7: return rng.pick(["a", "AND", "OR", "NOT", "*", "\"", "(", "：", "？", "。", "12333", "x-y", "末尾词", "尾词", "词"])
            case 8: return rng.pick(["鑫", "龘", "不存在的词", "zzq", "\u{FFFF}", "工伤", "失业", "社保卡", "灵活就业"])
            default: return String((0..<rng.int(1...4)).map { _ in rng.pick(Array("社保失业金养老退休办理怎么领取条件材料")) })
            }
        }
        func query() -> String {
            (0..<rng.int(1...3)).map { _ -> String in
                var w = piece()
                if w.contains(" ") || w.contains("\"") || w.hasPrefix("-") || w.contains("“") || w.contains("「") {
                    w = "「" + w.replacingOccurrences(of: "」", with: "") + "」"
                } else if rng.chance(0.1) { w = "\"" + w + "\"" }
                if rng.chance(0.15) { w = rng.pick(["问:", "答:", "答："]) + w }
                if rng.chance(0.15) { w = "-" + w }
                return w
            }.joined(separator: rng.chance(0.2) ? "\u{3000}" : " ")
        }

        let small: any RecordStore
        if kind == .sqlite {
            let s = try SQLiteRecordStore(path: dir.path("t.sqlite"))
            s.pageStrategy = .init(denseWindow: 40, lookupBelow: 20, windowAbove: 150, fewCandidates: 600)
            small = s
        } else {
            small = store
        }
        var checked = 0
        for stage in 0..<3 {
            if stage == 1 { _ = try store.buildTextIndex(limit: n / 2) }
            if stage == 2 { try store.completeTextIndex(batch: 400) }
            #expect(try store.textIndexProgress().isComplete == (stage == 2 || !builtLater))
            for _ in 0..<(stage == 2 ? 400 : 50) {
                var f = RecordFilter(text: query())
                if rng.chance(0.3) { f.orgs = [rng.pick(orgs)] }
                if rng.chance(0.1) { f.orgs = [rng.pick(orgs), rng.pick(orgs)] }
                if rng.chance(0.3) { f.fromDay = ShanghaiTime.startOfDay(end) - Int64(rng.int(0...80)) * 86400 }
                let q = f.textQuery
                let expected = all.filter { r in
                    f.withoutText.matches(r) && q.matches(question: r.question, answer: r.answer)
                }.map(\.id)
                let keys = try store.keys(f)
                if keys.count != expected.count, ProcessInfo.processInfo.environment["WB_DEBUG"] != nil {
                    for r in try store.records(keys: keys).values { print("DEBUG", f.text!, "|", r.question, "|", r.answer.prefix(300)) }
                }
                #expect(keys.count == expected.count, "\(f.text ?? "")")
                #expect(try store.count(f) == expected.count, "\(f.text ?? "")")
                #expect(try store.page(f, after: nil, limit: 50).records.map(\.id) == Array(expected.prefix(50)), "\(f.text ?? "")")
                // Every way of reading a page (the bounds lowered to this data's size).
                #expect(try small.page(f, after: nil, limit: 10).records.map(\.id) == Array(expected.prefix(10)), "\(f.text ?? "")")
                checked += 1
            }
        }
        #expect(checked == 500)
    }

    @Test func aSmallImportIntoAnIndexedDatabaseIsIndexedAtOnce() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let store = try makeStore(dir)
        try store.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "a", askedAt: 1_764_551_733, org: "如皋市", question: "失业金怎么领", answer: "请拨打12333"))
        }
        #expect(try store.textIndexProgress().isComplete)
        #expect(try store.count(RecordFilter(text: "金")) == 1)
        #expect(try store.count(RecordFilter(text: "33")) == 1)
        #expect(try store.count(RecordFilter(text: "问:333")) == 0)
        #expect(try store.count(RecordFilter(text: "答:333 -领")) == 0)
        #expect(try store.count(RecordFilter(text: "答:333 -领取")) == 1)
    }

    @Test func oneCharacterTokensNameEachCharacterOnce() {
        #expect(SQLiteTextSearch.charTokens("失a失a😀\u{0}") == "x5931 x61 x1f600 x0 ")
        #expect(SQLiteTextSearch.charTokens("") == "")
    }

    /// A database whose text index is not built (an old one, or a large import's): every word
    /// is found right by the substring test until it is built, and by the index after; masking
    /// changes both.
    @Test func aDatabaseWithoutTheCharacterIndexSearchesRightWhileItIsBuilt() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let path = dir.path("chars.sqlite")
        do {
            let store = try SQLiteRecordStore(path: path)
            try store.importBatch { sink in
                _ = try sink.insert(InteractionRecord(id: "a", askedAt: 1_764_551_733, org: "如皋市", question: "失业金怎么领", answer: "请拨打12333"))
                _ = try sink.insert(InteractionRecord(id: "b", askedAt: 1_764_551_734, org: "如东县", question: "养老金", answer: "可以领"))
            }
        }
        do {
            let q = try DatabaseQueue(path: path)
            try q.write { db in
                try db.execute(sql: "INSERT INTO doc_chars (doc_chars) VALUES ('delete-all')")
                try db.execute(sql: "INSERT INTO doc_fts (doc_fts) VALUES ('delete-all')")
                try db.execute(sql: "UPDATE text_index SET indexed_to = 0, chars_to = 0")
            }
        }
        let store = try SQLiteRecordStore(path: path)
        #expect(try store.textIndexProgress().isComplete == false)
        func counts() throws -> [Int] {
            try ["金", "领", "问:领", "答:领", "金 -领", "失 -可", "3", "*", "龘"].map { try store.count(RecordFilter(text: $0)) }
        }
        let before = try counts()
        #expect(before == [2, 2, 1, 1, 0, 1, 1, 0, 0])
        try store.completeTextIndex()
        #expect(try store.textIndexProgress().isComplete)
        #expect(try counts() == before)
        #expect(try store.page(RecordFilter(text: "答:领"), after: nil, limit: 50).records.map(\.id) == ["b"])
        let a = try #require(try store.keys(RecordFilter(text: "失业金")).first)
        try store.replaceTexts([MaskedText(key: a, recordId: "a", question: "失业*怎么领", answer: "请拨打12333", what: "test")],
                               reviewer: "张敏", at: 1_764_551_800)
        #expect(try counts() == [1, 2, 1, 1, 0, 1, 1, 1, 0])
    }
}
