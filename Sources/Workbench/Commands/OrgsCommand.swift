import ArgumentParser
import Foundation
import Model

/// `workbench orgs [--apply]`: the organisations the records carry, with their counts, marking
/// those the reference data does not know (未登记); `--apply` rewrites stored names the reference
/// data now recognises (an alias or a legacy name added since the import) to its own name.
struct OrgsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orgs",
        abstract: "记录中的组织机构及条数，标出参考数据中没有的（未登记）(the organisations found in the records, with counts; those not in the reference data marked 未登记).",
        discussion: """
            未登记的名称原样保存，可用 --org 原样筛选（--org 未登记机构 选全部未登记的）。\
            把它加为 organisations.json 中某机构的别名（aliases）或旧名（legacy）后，--apply 把记录中的名称改为该机构的名称：\
            一个事务，每条记录的标注历史中记一行 org（原名 → 新名），不用重新导入；须是主管（team.json）。\
            (Unregistered names are stored as written and can be filtered by --org as written; --org 未登记机构 takes \
            them all. Add one as an alias or legacy name in organisations.json, then --apply rewrites the records to \
            that organisation's name in one transaction, an `org` history row per record, no re-import; supervisors only.)
            """)

    @OptionGroup var store: StoreOptions

    @Flag(help: "把参考数据认得的未登记名称改写为规范名称 (rewrite stored names the reference data now recognises to its names).")
    var apply = false

    @Option(help: "操作人（--apply 时须是主管）(who applies; must be a supervisor; default $WORKBENCH_REVIEWER or the login name).")
    var reviewer: String?

    func run() throws {
        try runReportingErrors {
            let reference = try store.reference()
            let orgData = reference.organisations
            if apply {
                let who = reviewerName(reviewer)
                if let why = reference.team.notSupervisor(who) { throw UserError(why) }
                let db = try store.openStore(writes: true)
                let renames = Self.renames(try db.organisationCounts(), orgData)
                if renames.isEmpty {
                    printText("没有可改写的名称：未登记的名称在参考数据中都还没有别名或旧名 (nothing to rewrite: no unregistered name is an alias or legacy name yet)")
                } else {
                    let before = Dictionary(uniqueKeysWithValues: try db.organisationCounts().map { ($0.org, $0.count) })
                    let n = try db.renameOrganisations(renames, reviewer: who, at: nowEpoch())
                    for (old, new) in renames.sorted(by: { $0.key < $1.key }) {
                        printText("「\(Self.shown(old))」→「\(new)」 \((before[old] ?? 0).formatted()) 条 (records)")
                    }
                    printText("已改写 \(n.formatted()) 条记录的组织机构（一个事务；每条的标注历史中有一行 org）(rewritten: \(n) records, one transaction, an org history row each)")
                }
                printText("")
                try printTable(db, orgData)
                return
            }
            try printTable(try store.openStore(), orgData)
        }
    }

    /// Stored names the reference data does not know as they are, but recognises (an alias, a
    /// legacy name, a prefix or suffix it strips): each → the organisation's own name.
    static func renames(_ counts: [OrgCount], _ orgs: Organisations) -> [String: String] {
        var out: [String: String] = [:]
        for c in counts where !orgs.isKnown(c.org) {
            let n = orgs.normalise(c.org)
            if n != c.org, orgs.isKnown(n) { out[c.org] = n }
        }
        return out
    }

    static func shown(_ name: String) -> String { name.isEmpty ? "（空）" : name }

    func printTable(_ db: any RecordStore, _ orgs: Organisations) throws {
        let counts = try db.organisationCounts()
        if counts.isEmpty {
            printText("没有记录 (no records)")
            return
        }
        // The reference data's order first, then the rest by count.
        let order = Dictionary(uniqueKeysWithValues: orgs.names.enumerated().map { ($1, $0) })
        let rows = counts.sorted { a, b in
            switch (order[a.org], order[b.org]) {
            case let (x?, y?): return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.count != b.count ? a.count > b.count : a.org < b.org
            }
        }
        let renames = Self.renames(counts, orgs)
        let nameWidth = max(12, rows.map { DisplayWidth.of(Self.shown($0.org)) }.max() ?? 0)
        let countWidth = max(8, rows.map { $0.count.formatted().count }.max() ?? 0)
        func line(_ name: String, _ count: String, _ note: String) -> String {
            DisplayWidth.truncate(name, to: nameWidth, pad: true) + "  " + count.leftPadded(to: countWidth) + (note.isEmpty ? "" : "  " + note)
        }
        printText(line("组织机构", "记录数", ""))
        var unregistered = 0, unregisteredRecords = 0
        for r in rows {
            var note = ""
            if !orgs.isKnown(r.org) {
                unregistered += 1
                unregisteredRecords += r.count
                note = "未登记 (not in the reference data)"
                if let to = renames[r.org] { note = "未登记 → \(to)（参考数据已认得：--apply 改写 (recognised now: --apply rewrites)）" }
            }
            printText(line(Self.shown(r.org), r.count.formatted(), note))
        }
        let total = counts.reduce(0) { $0 + $1.count }
        printText(line("合计 (total)", total.formatted(), ""))
        guard unregistered > 0 else { return }
        printText("")
        printText("未登记 \(unregistered) 个名称、\(unregisteredRecords.formatted()) 条记录；看板中合为一行「\(Dashboard.unregistered)」，"
                  + "可用 --org 名称 原样筛选（--org \(Dashboard.unregistered) 选全部）。"
                  + "要归入已登记的机构：在 organisations.json（数据目录中，或 --reference-dir）里加为该机构的别名或旧名，再运行 workbench orgs --apply")
        printText("(\(unregistered) unregistered name(s), \(unregisteredRecords) records: one row 未登记机构 on the dashboard; "
                  + "--org NAME filters them as written. To map one to an organisation, add it as an alias or legacy name in organisations.json, then run workbench orgs --apply)")
    }
}
