import Foundation
import Model

/// Each reviewer's last filter on each database, kept in the data directory across restarts
/// (issue 16, point 11): the app opens where the reviewer left it. A period preset (上周) is kept
/// by name and worked out again from today; a filter that no longer reads is dropped.
struct FilterMemory {
    let file: URL
    let key: String

    struct Saved: Codable, Equatable {
        var orgs: [String] = []
        var from: Int64?
        var to: Int64?
        var preset: String?
        var status: String?
        var label: String?
        var biz1: String?
        var biz2: String?
        var text: String?
    }

    init(location: String, reviewer: String, directory: URL = WorkbenchPaths.dataDirectory()) {
        file = directory.appendingPathComponent("last-filters.json")
        key = location + "\u{1F}" + reviewer
    }

    private func all() -> [String: Saved] {
        guard let data = try? Data(contentsOf: file) else { return [:] }
        return (try? JSONDecoder().decode([String: Saved].self, from: data)) ?? [:]
    }

    func load(today: Int64) -> (RecordFilter, PeriodPreset?)? {
        guard let s = all()[key] else { return nil }
        var f = RecordFilter(orgs: s.orgs, fromDay: s.from, toDay: s.to, biz1: s.biz1, biz2: s.biz2, text: s.text)
        f.status = s.status.flatMap(ReviewStatus.init(rawValue:))
        f.label = s.label.flatMap(Label.init(rawValue:))
        let preset = s.preset.flatMap(PeriodPreset.parse)
        if let p = preset { (f.fromDay, f.toDay) = p.days(today: today) }
        return (f, preset)
    }

    /// Written whole through a temporary file, owner-only (filters name counties and searches).
    func save(_ f: RecordFilter, preset: PeriodPreset?) {
        var map = all()
        map[key] = Saved(orgs: f.orgs, from: preset == nil ? f.fromDay : nil, to: preset == nil ? f.toDay : nil, preset: preset?.name.zh,
                         status: f.status?.rawValue, label: f.label?.rawValue, biz1: f.biz1, biz2: f.biz2, text: f.text)
        guard let data = try? JSONEncoder().encode(map) else { return }
        let dir = file.deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let tmp = dir.appendingPathComponent(".last-filters-\(getpid()).json")
        guard FileManager.default.createFile(atPath: tmp.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(tmp.path, file.path) != 0 { try? FileManager.default.removeItem(at: tmp) }
    }
}

extension ReviewSession {
    /// Opens on the reviewer's last filter (unless work is assigned: 我的任务 comes first) and
    /// keeps it from now on.
    func remember(_ memory: FilterMemory) {
        filterMemory = memory
        guard let (f, preset) = memory.load(today: ctx.clock()) else { return }
        // The whole list's filter comes back; 待办 (how the app opens) keeps its own status.
        let todo = list.todo
        list.setTodo(false, hasAssignment: false)
        list.filter = f
        list.periodPreset = preset
        if todo { list.setTodo(true, hasAssignment: (try? hasOpenAssignment()) ?? false) }
        refilter(list)
        if f != RecordFilter() {
            ctx.say(Localized("已恢复上次的筛选：\(HeaderView.filterSummary(f, preset: preset, lang: .zh))（f 修改）",
                              "Your last filter is back: \(HeaderView.filterSummary(f, preset: preset, lang: .en)) (f changes it)"))
        }
    }
}
