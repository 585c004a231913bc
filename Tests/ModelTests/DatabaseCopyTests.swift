import Foundation
import Testing
@testable import Model

/// `workbench db copy`: an embedded database moved to the server keeps every record, text, history
/// row, knowledge version, vote, sample, assignment and log row; the check says so; running it
/// again adds nothing; a server that has moved on since is told apart from one that lacks rows.
@Suite struct DatabaseCopyTests {
    /// A file with some of everything, including texts COPY must escape and equal history rows.
    static func populatedFile(_ dir: TempDir) throws -> SQLiteRecordStore {
        let s = try SQLiteRecordStore(path: dir.path("team.sqlite"))
        try s.importBatch { sink in
            for i in 0..<2_500 {
                var r = InteractionRecord(id: "c\(i)", askedAt: 1_764_000_000 + Int64(i) * 600, org: i % 3 == 0 ? "如皋市" : "海安市",
                                          question: "问题\(i)\t带制表符\\反斜杠", answer: i == 7 ? "多行\r\n回答\n\\N 与 \\." : "回答\(i)")
                if i % 10 == 0 { r.label = .correct; r.status = .labeled; r.reviewer = "李强"; r.labeledAt = 1_764_000_100 }
                _ = try sink.insert(r)
            }
            // The same id with other content: a conflict kept in import_conflict.
            _ = try sink.add(InteractionRecord(id: "c1", askedAt: 1_764_000_600, org: "海安市", question: "别的问题", answer: "别的回答"),
                             facts: RecordFacts.of(InteractionRecord(id: "c1", askedAt: 0, org: "", question: "", answer: ""),
                                                   rules: .defaultPhrases, topics: .bundled),
                             origin: ImportOrigin(file: "second.csv", line: 3))
        }
        // Labels, an undo-like clear and the same label again in one second (equal history rows).
        try s.setLabel(.misunderstood, recordId: "c1", reviewer: "张敏", at: 100)
        try s.setLabel(nil, recordId: "c1", reviewer: "张敏", at: 100)
        try s.setLabel(.misunderstood, recordId: "c1", reviewer: "张敏", at: 100)
        _ = try s.setNote("看政策", recordId: "c2", reviewer: "张敏", at: 101)
        try s.correctBusinessType(biz1: "养老保险", biz2: nil, recordId: "c3", reviewer: "张敏", at: 102)
        // Double review: a sample, votes that agree and that differ, a decision.
        #expect(try s.drawSample(RecordFilter(orgs: ["如皋市"]), rate: 0.05, seed: 7, by: "张主任", at: 103) > 10)
        let sampled = Array(try s.sampleState(try s.keys(RecordFilter()), reviewer: "x").keys.sorted())
        let ids = try sampled.prefix(3).map { try #require(try s.records(keys: [$0])[$0]?.id) }
        try s.setLabel(.correct, recordId: ids[0], reviewer: "李娜", at: 110, others: .refuse)
        try s.setLabel(.correct, recordId: ids[0], reviewer: "王强", at: 111, others: .refuse)
        try s.setLabel(.correct, recordId: ids[1], reviewer: "李娜", at: 112, others: .refuse)
        try s.setLabel(.outOfScope, recordId: ids[1], reviewer: "王强", at: 113, others: .refuse)
        try s.adjudicate(recordId: ids[1], label: .outOfScope, by: "张主任", at: 114)
        try s.setLabel(.misunderstood, recordId: ids[2], reviewer: "李娜", at: 115, others: .refuse)
        _ = try s.assign(RecordFilter(orgs: ["海安市"]), to: [("李娜", 2), ("王强", 1)], by: "张主任", at: 120)
        // The knowledge base: two entries, one with a second version.
        let entries = try s.saveKnowledge([
            (KnowledgeEntry(id: "", topic: "失业保险金申领", region: "如皋市", biz1: "失业保险", biz2: nil, standardQuestion: "失业金怎么领",
                            similarQuestions: ["失业金申领"], answer: "到如皋市人社局", policyBasis: "通人社规〔2024〕2号",
                            effectiveFrom: 1_700_000_000, effectiveTo: nil, state: .active), .create),
            (KnowledgeEntry(id: "", topic: "退休", region: "全市", biz1: "养老保险", biz2: nil, standardQuestion: "几岁退休",
                            similarQuestions: [], answer: "按规定", policyBasis: "", effectiveFrom: 1_700_000_000, effectiveTo: nil,
                            state: .active), .create),
        ], by: "周编辑", at: 130)
        var second = try #require(entries[0])
        second.answer = "到如皋市人社局一楼"
        _ = try s.saveKnowledge(second, action: .edit, by: "周编辑", at: 131)
        var summary = ImportSummary(file: "log.csv")
        summary.format = "csv"; summary.encoding = "UTF-8"; summary.imported = 2_500; summary.seconds = 1.25
        try s.logImport(summary)
        try s.logExport(ExportLogEntry(by: "张主任", at: 140, filter: "如皋市", format: "xlsx", rows: 834, file: "/tmp/x.xlsx",
                                       sha256: "ab", masked: 0))
        return s
    }

    @Test func aFileMovesToTheServerWholeAndASecondRunAddsNothing() throws {
        guard StoreKind.serverURL != nil else { return }
        let dir = TempDir()
        defer { dir.cleanup() }
        let file = try Self.populatedFile(dir)
        let server = try makeStore(dir, .postgres)
        // The server has a record of its own already (imported there): it stays.
        try server.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "s0", askedAt: 1_764_000_000, org: "如东县", question: "服务器上的", answer: "答"))
        }
        var progressed = Set<String>()
        let first = try DatabaseCopy.run(from: file, to: server) { table, _ in progressed.insert(table) }
        #expect(progressed.contains("record") && progressed.contains("label_history"))
        for f in first {
            #expect(f.complete && f.extra == 0 && f.sourceHash == f.serverHash, "\(f)")
            #expect(f.added == f.source, "\(f)")
        }
        let byTable = Dictionary(uniqueKeysWithValues: first.map { ($0.table, $0) })
        #expect(byTable["record"]?.source == 2_500)
        #expect((byTable["vote"]?.source ?? 0) == 5 && byTable["double_sample"]!.source > 10)
        #expect(byTable["kb_version"]?.source == 3 && byTable["import_conflict"]?.source == 1)
        #expect(byTable["assignment"]!.source > 1_000 && byTable["export_log"]?.source == 1 && byTable["import_log"]?.source == 1)

        // What the server answers through the protocols is what the file answers.
        #expect(try server.totalCount() == 2_501)
        for id in ["c1", "c2", "c3", "c7", "c100"] {
            let a = try #require(try file.record(id: id)), b = try #require(try server.record(id: id))
            #expect(a.question == b.question && a.answer == b.answer && a.label == b.label && a.status == b.status
                    && a.note == b.note && a.correctedBiz1 == b.correctedBiz1, "\(id)")
            #expect(try file.history(recordId: id) == server.history(recordId: id), "\(id)")
        }
        #expect(try server.votes().map(\.recordId) == file.votes().map(\.recordId))
        #expect(try server.disputeCount() == file.disputeCount())
        #expect(try server.assignments().mapValues { $0.assigned } == file.assignments().mapValues { $0.assigned })
        let kb = try #require(try server.knowledgeEntries().first { $0.topic == "失业保险金申领" })
        #expect(kb.answer == "到如皋市人社局一楼")
        #expect(try server.knowledgeHistory(id: kb.id).count == 2)
        #expect(try server.exportLog(limit: 10).count == 1)
        #expect(try server.importConflicts(recordId: "c1", limit: 10).count == 1)

        // Again: nothing added, everything still checked.
        let again = try DatabaseCopy.run(from: file, to: server)
        for f in again { #expect(f.added == 0 && f.complete && f.sourceHash == f.serverHash, "\(f)") }
        #expect(try server.totalCount() == 2_501)

        // The server moves on (a reviewer labels there): the copy says the server has more history
        // for those records, and that the record differs from the file's.
        try server.setLabel(.outOfScope, recordId: "c5", reviewer: "王强", at: 200)
        let later = try DatabaseCopy.run(from: file, to: server)
        let l = Dictionary(uniqueKeysWithValues: later.map { ($0.table, $0) })
        #expect(l["label_history"]?.complete == true && l["label_history"]?.extra == 1)
        #expect(l["record"]?.complete == false && l["record"]?.matched == 2_499)
        #expect(later.allSatisfy { $0.added == 0 })
    }

    @Test func onlyAFileToAServer() throws {
        let dir = TempDir()
        defer { dir.cleanup() }
        let a = try SQLiteRecordStore(path: dir.path("a.sqlite"))
        let b = try SQLiteRecordStore(path: dir.path("b.sqlite"))
        #expect(throws: DatabaseCopy.Refusal.self) { try DatabaseCopy.run(from: a, to: b) }
    }
}
