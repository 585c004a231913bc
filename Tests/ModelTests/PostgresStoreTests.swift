import Foundation
import Testing
@testable import Model

/// What only the server store has: its address, its messages, and CI's promise that the
/// conformance suites really ran against a server.
@Suite struct PostgresStoreTests {
    @Test func ciRunsTheServerTestsOrFails() throws {
        guard ProcessInfo.processInfo.environment["WORKBENCH_REQUIRE_POSTGRES"] == "1" else { return }
        let url = try #require(StoreKind.serverURL, "WORKBENCH_REQUIRE_POSTGRES=1 but WORKBENCH_TEST_POSTGRES is not set")
        let store = try PostgresRecordStore(url: url)
        #expect(try store.totalCount() >= 0)
    }

    @Test func addressesParseAndNeverShowThePassword() throws {
        let a = try PostgresAddress("postgres://li%40na:s3cret@db.example:6432/wb?sslmode=require", environment: [:])
        #expect(a.user == "li@na" && a.host == "db.example" && a.port == 6432 && a.database == "wb" && a.sslMode == "require")
        #expect(a.password == "s3cret")
        #expect(!a.display.contains("s3cret"))
        let b = try PostgresAddress("postgresql://host/", environment: ["PGUSER": "wang", "PGPASSWORD": "pw"])
        #expect(b.user == "wang" && b.database == "wang" && b.port == 5432 && b.password == "pw" && b.sslMode == "prefer")
        let socket = try PostgresAddress("postgres://wb@/db?host=/tmp/pg&sslmode=disable", environment: [:])
        #expect(socket.socketDirectory == "/tmp/pg")
        #expect(throws: StoreError.self) { try PostgresAddress("postgres://h/db?sslmode=sometimes", environment: [:]) }
        // ~/.pgpass: host:port:database:user:password, `*` for any, `\:` inside a field.
        let file = "# comment\nother:5432:*:*:no\ndb.example:6432:wb:li:pa\\:ss\n*:*:*:*:fallback\n"
        #expect(PostgresAddress.lookUp(file, host: "db.example", port: 6432, database: "wb", user: "li") == "pa:ss")
        #expect(PostgresAddress.lookUp(file, host: "x", port: 1, database: "d", user: "u") == "fallback")
    }

    @Test func anUnreachableServerIsOneLineNamingHostAndPort() throws {
        // A port nobody listens on (the kernel refuses at once).
        do {
            _ = try PostgresRecordStore(url: "postgres://wb:topsecret@127.0.0.1:1/none?sslmode=disable")
            Issue.record("connected to port 1?")
        } catch {
            let line = StoreError.explain(error)
            #expect(line.contains("127.0.0.1:1"))
            #expect(!line.contains("topsecret"))
            #expect(!line.contains("\n"))
        }
    }

    @Test func aMissingDatabaseSaysSo() throws {
        guard let base = StoreKind.serverURL else { return }
        var c = URLComponents(string: base)!
        c.path = "/no_such_db_here"
        #expect(throws: StoreError.self) { try PostgresRecordStore(url: c.string!) }
        do { _ = try PostgresRecordStore(url: c.string!) } catch { #expect("\(error)".contains("no_such_db_here")) }
    }

    @Test func placeholdersAndScripts() {
        #expect(PGConnection.numbered("a = ? AND b = '?' AND c = ?") == "a = $1 AND b = '?' AND c = $2")
        let parts = PGConnection.statements("CREATE TABLE a (x int); -- a; comment\nCREATE FUNCTION f() AS $$ BEGIN; END $$; SELECT ';'")
        #expect(parts.count == 3)
        #expect(parts[1].hasSuffix("$$ BEGIN; END $$"))
    }
}

/// `db init` and `db grant`: each role connects and is refused what it may not do.
@Suite struct PostgresRoleTests {
    func connect(_ url: String, as user: String) throws -> PostgresRecordStore {
        var c = URLComponents(string: url)!
        c.user = user
        return try PostgresRecordStore(url: c.string!)
    }

    @Test func eachRoleMayDoItsWorkAndNothingMore() throws {
        guard StoreKind.serverURL != nil else { return }
        let url = try TestServer.freshDatabase()
        _ = try PostgresAdmin.initialise(url: url)
        let tag = UUID().uuidString.prefix(6).lowercased()
        let (rev, sup, ed) = ("rev_\(tag)", "sup_\(tag)", "ed_\(tag)")
        try PostgresAdmin.grant(url: url, person: rev, role: .reviewer)
        try PostgresAdmin.grant(url: url, person: sup, role: .supervisor)
        try PostgresAdmin.grant(url: url, person: ed, role: .editor)
        try PostgresAdmin.grant(url: url, person: rev, role: .reviewer)  // again: harmless

        let owner = try PostgresRecordStore(url: url)
        try owner.importBatch { sink in
            for i in 0..<4 { _ = try sink.insert(InteractionRecord(id: "p\(i)", askedAt: 1_764_000_000 + Int64(i), org: "如皋市", question: "问", answer: "答")) }
        }
        #expect(try owner.drawSample(RecordFilter(), rate: 1, seed: 1, by: "owner", at: 1) == 4)

        let reviewer = try connect(url, as: rev)
        let other = try connect(url, as: rev)
        try reviewer.setLabel(.correct, recordId: "p0", reviewer: "李娜", at: 10, others: .refuse)
        try other.setLabel(.misunderstood, recordId: "p0", reviewer: "王强", at: 11, others: .refuse)
        #expect(try reviewer.claim([try #require(try reviewer.key(recordId: "p1"))], reviewer: "李娜", at: 12).count == 1)
        #expect(throws: StoreError.self) { try reviewer.adjudicate(recordId: "p0", label: .correct, by: "李娜", at: 13) }
        #expect(throws: StoreError.self) { try reviewer.sendBack(recordId: "p0", note: "", by: "李娜", at: 13) }
        #expect(throws: (any Error).self) { try rawExecute(reviewer, "DELETE FROM record") }
        #expect(throws: (any Error).self) { try rawExecute(reviewer, "DELETE FROM label_history") }
        #expect(throws: (any Error).self) { try rawExecute(reviewer, "UPDATE label_history SET reviewer = 'x'") }
        #expect(throws: (any Error).self) { try rawExecute(reviewer, "UPDATE record SET org = 'x'") }
        #expect(throws: StoreError.self) { try reviewer.renameOrganisations(["如皋市": "崇川区"], reviewer: "李娜", at: 14) }
        #expect(throws: StoreError.self) { try reviewer.assign(RecordFilter(), to: [("李娜", 1)], by: "李娜", at: 14) }
        #expect(throws: (any Error).self) { try rawExecute(reviewer, "INSERT INTO double_sample VALUES (999, 1, 'x', 1)") }
        #expect(throws: StoreError.self) {
            try reviewer.importBatch { sink in _ = try sink.insert(InteractionRecord(id: "x", askedAt: 1, org: "如皋市", question: "q", answer: "a")) }
        }
        #expect(throws: StoreError.self) {
            try reviewer.saveKnowledge(KnowledgeEntry(topic: "t", region: "全市", standardQuestion: "q", answer: "a", effectiveFrom: 0), action: .create, by: "李娜", at: 1)
        }
        #expect(try owner.totalCount() == 4 && owner.record(id: "p0")?.label == nil)

        let supervisor = try connect(url, as: sup)
        try supervisor.adjudicate(recordId: "p0", label: .misunderstood, by: "张主任", at: 20)
        #expect(try supervisor.assign(RecordFilter(), to: [("李娜", 1)], by: "张主任", at: 21)["李娜"] == 4)
        // `workbench orgs --apply`: the organisation column and its history rows, supervisors only.
        #expect(try supervisor.renameOrganisations(["如皋市": "如皋"], reviewer: "张主任", at: 22) == 4)
        #expect(try supervisor.renameOrganisations(["如皋": "如皋市"], reviewer: "张主任", at: 23) == 4)
        #expect(throws: (any Error).self) { try rawExecute(supervisor, "DELETE FROM record") }
        #expect(throws: StoreError.self) {
            try supervisor.saveKnowledge(KnowledgeEntry(topic: "t", region: "全市", standardQuestion: "q", answer: "a", effectiveFrom: 0), action: .create, by: "张主任", at: 1)
        }

        let editor = try connect(url, as: ed)
        #expect(try editor.saveKnowledge(KnowledgeEntry(topic: "t", region: "全市", standardQuestion: "q", answer: "a", effectiveFrom: 0), action: .create, by: "赵编辑", at: 1) != nil)
        #expect(throws: StoreError.self) { try editor.setLabel(.correct, recordId: "p2", reviewer: "赵编辑", at: 1) }
        #expect(try owner.record(id: "p0")?.label == .misunderstood)
    }
}

/// The server's own limits reach the user as one clear line: a statement the server's timeout
/// cancelled, and the connection limit.
@Suite struct PostgresLimitTests {
    @Test func aStatementTimeoutSaysSoAndSavesNothing() throws {
        guard StoreKind.serverURL != nil else { return }
        let url = try TestServer.freshDatabase()
        let owner = try PostgresRecordStore(url: url)
        try owner.importBatch { sink in
            _ = try sink.insert(InteractionRecord(id: "t0", askedAt: 1_764_000_000, org: "如皋市", question: "问", answer: "答"))
        }
        let name = try #require(URLComponents(string: url)?.path.dropFirst())
        try owner.db.execute("ALTER DATABASE \(name) SET statement_timeout = '300ms'")
        let reviewer = try PostgresRecordStore(url: url)
        // Another session holds the record's row (a long transaction elsewhere).
        let locked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        let holder = try PostgresRecordStore(url: url)
        DispatchQueue.global().async {
            _ = try? holder.db.transaction(retry: false) {
                _ = try holder.db.query("SELECT 1::bigint FROM record WHERE id = 't0' FOR UPDATE")
                locked.signal()
                _ = release.wait(timeout: .now() + 10)
            }
            finished.signal()
        }
        #expect(locked.wait(timeout: .now() + 10) == .success)
        var message = ""
        do {
            try reviewer.setLabel(.correct, recordId: "t0", reviewer: "李娜", at: 1, others: .refuse)
        } catch {
            message = StoreError.explain(error)
        }
        release.signal()
        _ = finished.wait(timeout: .now() + 10)
        #expect(message.contains("statement_timeout") && !message.contains("\n"), "\(message)")
        #expect(try owner.record(id: "t0")?.label == nil && owner.history(recordId: "t0").isEmpty)
    }

    @Test func theConnectionLimitSaysSo() throws {
        guard StoreKind.serverURL != nil else { return }
        let url = try TestServer.freshDatabase()
        _ = try PostgresAdmin.initialise(url: url)
        let person = "lim_\(UUID().uuidString.prefix(6).lowercased())"
        try PostgresAdmin.grant(url: url, person: person, role: .reviewer)
        let owner = try PostgresRecordStore(url: url)
        let name = try #require(URLComponents(string: url)?.path.dropFirst())
        // The limit counts every session on the database (this owner's too), but only a role that
        // is not a superuser is refused by it. Sessions that closed may take a moment to go.
        try owner.db.execute("ALTER DATABASE \(name) CONNECTION LIMIT 2")
        for _ in 0..<50 {
            let n = try owner.db.query("SELECT count(*)::bigint FROM pg_stat_activity WHERE datname = current_database()").first?.int(0)
            if n == 1 { break }
            usleep(100_000)
        }
        var c = URLComponents(string: url)!
        c.user = person
        let first = try PostgresRecordStore(url: c.string!)
        var message = ""
        do { _ = try PostgresRecordStore(url: c.string!) } catch { message = StoreError.explain(error) }
        #expect(message.contains("连接数已满") && !message.contains("\n"), "\(message)")
        _ = first
    }
}
