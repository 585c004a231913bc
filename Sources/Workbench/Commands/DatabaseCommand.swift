import ArgumentParser
import Foundation
import Model

/// `workbench db …`: looking after the database file itself.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "数据库维护：检查、备份、恢复 (the database itself: check, backup, restore).",
        subcommands: [DatabaseCheck.self, DatabaseBackup.self, DatabaseRestoreCommand.self, DatabaseInit.self, DatabaseGrant.self,
                      DatabaseCopyCommand.self])
}

/// `workbench db init --db postgres://…`: the team server's schema and roles.
struct DatabaseInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "在 PostgreSQL 服务器上建立结构与角色 (create the schema and the reviewer, supervisor and editor roles on a server).",
        discussion: "由数据库所有者运行；重复运行不改变已正确的设置 (run as the database's owner; running it again is harmless).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let url = store.databasePath
            guard PostgresAddress.isAddress(url) else {
                throw UserError("db init 用于服务器：--db postgres://用户@主机:端口/库名（SQLite 文件在首次导入时自动建立）(db init is for a server URL)")
            }
            let location = try PostgresAdmin.initialise(url: url)
            print("已在 \(location) 建立结构和角色 wb_reviewer、wb_supervisor、wb_editor (schema and roles ready)")
            print("下一步 (next): workbench db grant 用户名 --role reviewer|supervisor|editor --db \(location)")
        }
    }
}

/// `workbench db grant NAME --role reviewer`: a person's login role on the server.
struct DatabaseGrant: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "建立或更新一个人的登录角色 (create or update a person's login role: reviewer, supervisor or editor).",
        discussion: "密码由服务器管理（psql 中 ALTER ROLE 名 PASSWORD …），Workbench 不接收也不显示 (passwords stay with the server).")

    @Argument(help: "登录名 (login role name).")
    var person: String

    @Option(help: "reviewer（审核员）、supervisor（组长）或 editor（知识编辑）.")
    var role: RoleOption

    @OptionGroup var store: StoreOptions

    enum RoleOption: String, ExpressibleByArgument, CaseIterable {
        case reviewer, supervisor, editor
    }

    func run() throws {
        try runReportingErrors {
            let url = store.databasePath
            guard PostgresAddress.isAddress(url) else { throw UserError("db grant 用于服务器：--db postgres://… (db grant is for a server URL)") }
            try PostgresAdmin.grant(url: url, person: person, role: PostgresAdmin.Role(rawValue: role.rawValue)!)
            print("\(VisibleText.singleLine(person)) 现为 wb_\(role.rawValue) 成员 (is now a member of wb_\(role.rawValue))")
        }
    }
}

struct DatabaseCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "完整检查数据库文件是否损坏 (SQLite's full integrity check; exit status 1 when damaged).",
        discussion: "每个命令写入前、审核界面打开时都做快速检查 (every writing command and the app run the quick check themselves).")

    @OptionGroup var store: StoreOptions

    func run() throws {
        try runReportingErrors {
            let path = VisibleText.singleLine(store.databasePath)
            let db: any WorkbenchStore
            do {
                db = try store.openStore()
            } catch StoreError.damaged(_, let detail) {
                print("数据库 \(path) 已损坏 (damaged): \(VisibleText.singleLine(detail))")
                print(DatabaseCheck.recovery(path))
                throw ExitCode(1)
            }
            let started = Date()
            let problems = try db.checkIntegrity(thorough: true)
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            if problems.isEmpty {
                print("数据库 \(path) 完好，用时 \(seconds) 秒 (no damage found, \(seconds) s)")
                return
            }
            print("数据库 \(path) 已损坏，发现 \(problems.count) 处问题 (damaged: \(problems.count) problem(s)):")
            for p in problems { print("  " + VisibleText.singleLine(p)) }
            print(DatabaseCheck.recovery(path))
            throw ExitCode(1)
        }
    }

    static func recovery(_ path: String) -> String {
        """
        恢复 (to recover): 所有人退出后 workbench db restore 备份文件 --db \(path)（备份由 workbench db backup 做；\
        不要把备份改名覆盖到打开着的文件上）；或 sqlite3 \(path) ".recover" | sqlite3 新文件.sqlite，\
        再 workbench db check --db 新文件.sqlite (restore a backup with db restore, never by renaming it over the file; \
        or let sqlite3 .recover what it can into a new file)
        """
    }
}

struct DatabaseBackup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "在线备份到新文件，其他审核员可继续标注 (a consistent copy while others keep working).")

    @OptionGroup var store: StoreOptions

    @Argument(help: "备份文件，不能已存在 (the backup file; must not exist yet).")
    var destination: String

    func run() throws {
        try runReportingErrors {
            if FileManager.default.fileExists(atPath: destination) {
                throw UserError("\(VisibleText.singleLine(destination)) 已存在，不覆盖；换一个文件名 (exists: not replaced; choose a new name)")
            }
            let db = try store.openStore()
            let started = Date()
            try db.backup(to: destination)
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
            print("已备份到 \(VisibleText.singleLine(destination))（\(size / 1_000_000) MB，用时 \(seconds) 秒）(backed up)")
        }
    }
}

/// `workbench db restore BACKUP --db PATH`: a backup put back into the file through SQLite
/// (`DatabaseRestore`): refused while anyone has the database open, the replaced content kept.
struct DatabaseRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "用备份恢复数据库文件 (put a backup back into the database file).",
        discussion: """
            先完整检查备份；有人打开着数据库（审核界面、其他命令）时拒绝，不做任何修改；\
            被替换的内容保存为 数据库.before-restore-时间（--no-keep 不保存）。\
            不要用改名覆盖的方式恢复：打开着的会话会继续写进旧文件，其 WAL 会让新文件显示为已损坏。\
            (The backup is checked first; refused, changing nothing, while anyone has the database open; \
            what is replaced is kept as DB.before-restore-TIME unless --no-keep. Never restore by renaming \
            a copy over the file: an open session goes on writing into the old one and its WAL makes the \
            new file read as damaged.)
            """)

    @Argument(help: "备份文件（workbench db backup 做的）(the backup file).")
    var backup: String

    @OptionGroup var store: StoreOptions

    @Flag(name: .customLong("no-keep"), help: "不保存被替换的内容 (do not keep a copy of what is replaced).")
    var noKeep = false

    func run() throws {
        try runReportingErrors {
            let path = store.databasePath
            if PostgresAddress.isAddress(path) {
                throw UserError("db restore 用于 SQLite 文件；服务器请用 pg_restore 或 workbench db copy (db restore is for a SQLite file)")
            }
            let started = Date()
            let outcome = try DatabaseRestore.restore(backup: backup, into: path, keep: !noKeep)
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            printText("已用 \(backup) 恢复 \(path)：\(outcome.records.formatted()) 条记录，检查完好，用时 \(seconds) 秒 (restored: \(outcome.records) records, checked, \(seconds) s)")
            if let kept = outcome.keptAs {
                printText("原内容保存在 \(kept) (what was replaced is kept there)")
            } else if outcome.created {
                printText("（原先没有这个数据库文件，已新建 (there was no database: made a new one)）")
            }
        }
    }
}

/// `workbench db copy FILE postgres://…`: an embedded database moved to the team server.
struct DatabaseCopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "把 SQLite 数据库复制到团队服务器 (move an embedded database to a PostgreSQL server: records, texts, label history, knowledge base with every version, samples, votes, assignments, import and export logs).",
        discussion: """
            一个事务：全部复制或不复制；按记录编号匹配，重复运行不重复添加；结束时逐表核对行数和 SHA-256。\
            目标须先 workbench db init。(One server transaction: all or nothing. Records are matched by id, \
            so running it again adds nothing. Each table is checked at the end by counts and SHA-256. \
            Run workbench db init on the server first.)
            """)

    @Argument(help: "来源：SQLite 数据库文件 (the SQLite file).")
    var from: String

    @Argument(help: "目标：postgres://用户@主机:端口/库名 (the server URL).")
    var to: String

    func validate() throws {
        guard !PostgresAddress.isAddress(from) else {
            throw ValidationError("来源须是 SQLite 文件，不是服务器地址 (the source must be a SQLite file)")
        }
        guard PostgresAddress.isAddress(to) else {
            throw ValidationError("目标须是 postgres://… 服务器地址 (the destination must be a postgres:// URL)")
        }
    }

    func run() throws {
        try runReportingErrors {
            guard FileManager.default.fileExists(atPath: from) else {
                throw UserError("没有数据库文件 \(VisibleText.singleLine(from)) (no such file)")
            }
            let source = try openDatabase(path: from)
            if let problem = try source.checkIntegrity(thorough: false).first { throw StoreError.damaged(from, problem) }
            let server = try openDatabase(path: to)
            let started = Date()
            let total = try source.totalCount()
            let bar = ProgressBar(label: "db copy")
            let figures = try DatabaseCopy.run(from: source, to: server) { table, n in
                bar.update(done: table == "record" ? n : total, total: total, detail: "\(table) \(n.formatted())")
            }
            bar.finish()
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            print("\(VisibleText.singleLine(source.location)) → \(server.location)")
            print(DatabaseCopyCommand.table(figures))
            let incomplete = figures.filter { !$0.complete }
            if incomplete.isEmpty {
                print("已复制，逐表核对一致，用时 \(seconds) 秒 (copied and verified, \(seconds) s)")
                let newer = figures.filter { $0.extra > 0 }.map(\.table)
                if !newer.isEmpty {
                    print("服务器上另有来源没有的行（在服务器上新做的）：\(newer.joined(separator: "、"))")
                    print("(the server has more rows for these records: work done there since)")
                }
            } else {
                print("核对不一致 (check failed): \(incomplete.map(\.table).joined(separator: "、"))")
                print("服务器上同一编号的内容与来源不同：在服务器上已改过，或另有同编号的数据")
                print("(the server holds other content under the same ids: changed there since, or other data)")
                throw ExitCode(1)
            }
        }
    }

    /// The check, one line a table: rows in the file, added now, found on the server as in the
    /// file, and the first 12 hex digits of each side's SHA-256 (fits 80 columns).
    static func table(_ figures: [DatabaseCopy.TableFigures]) -> String {
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - DisplayWidth.of(s))) }
        func right(_ s: String, _ w: Int = 9) -> String { String(repeating: " ", count: max(0, w - DisplayWidth.of(s))) + s }
        var lines = [pad("表 table", 15) + right("来源 from") + " " + right("新增 new") + " " + right("一致 same") + "  SHA-256 来源 / 服务器"]
        for f in figures {
            let mark = f.complete ? (f.extra == 0 ? "✓" : "✓+\(f.extra)") : "✗"
            lines.append(pad(f.table, 15) + right(f.source.formatted()) + " " + right(f.added.formatted()) + " "
                         + right(f.matched.formatted()) + "  " + f.sourceHash.prefix(12) + " / " + f.serverHash.prefix(12) + " " + mark)
        }
        return lines.joined(separator: "\n")
    }
}
