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
