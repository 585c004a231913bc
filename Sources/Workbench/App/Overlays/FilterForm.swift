import Model

/// The named periods of the filter bar, relative to today in Asia/Shanghai.
enum PeriodPreset: CaseIterable, Sendable {
    case today, last7, last30, thisMonth, lastMonth, yesterday, thisWeek, lastWeek

    var name: Localized {
        switch self {
        case .today: Localized("今天", "today")
        case .yesterday: Localized("昨天", "yesterday")
        case .thisWeek: Localized("本周", "this week")
        case .lastWeek: Localized("上周", "last week")
        case .last7: Localized("近7天", "last 7 days")
        case .last30: Localized("近30天", "last 30 days")
        case .thisMonth: Localized("本月", "this month")
        case .lastMonth: Localized("上月", "last month")
        }
    }

    /// Inclusive first and last day (start-of-day epochs).
    func days(today: Int64) -> (Int64, Int64) {
        let t = ShanghaiTime.startOfDay(today)
        var c = ShanghaiTime.civil(t)
        switch self {
        case .today: return (t, t)
        case .yesterday: return (t - 86400, t - 86400)
        case .thisWeek, .lastWeek:
            // Weeks run Monday to Sunday; 1970-01-01 (day 0) was a Thursday.
            let day = Int(StatisticsIndex.day(of: t))
            let monday = t - Int64(((day - 4) % 7 + 7) % 7) * 86400
            return self == .thisWeek ? (monday, t) : (monday - 7 * 86400, monday - 86400)
        case .last7: return (t - 6 * 86400, t)
        case .last30: return (t - 29 * 86400, t)
        case .thisMonth:
            c.day = 1
            return (ShanghaiTime.epoch(c), t)
        case .lastMonth:
            c.day = 1
            let firstOfThis = ShanghaiTime.epoch(c)
            var p = ShanghaiTime.civil(firstOfThis - 86400)
            p.day = 1
            return (ShanghaiTime.epoch(p), firstOfThis - 86400)
        }
    }

    static func parse(_ text: String) -> PeriodPreset? {
        let t = text.trimmed.lowercased()
        return allCases.first { $0.name.zh == t || $0.name.en == t }
            ?? ["7d": PeriodPreset.last7, "30d": .last30, "近七天": .last7, "近三十天": .last30, "这周": .thisWeek,
                "这个月": .thisMonth, "上个月": .lastMonth, "上星期": .lastWeek, "本星期": .thisWeek, "week": .thisWeek,
                "month": .thisMonth][t]
    }
}

/// The filter bar: one typed field per condition, each parsed as the user types so the list
/// follows at once. ←/→ steps through the usual choices; in the organisation field a cursor walks
/// the organisations and Space ticks one. A field that does not parse is shown in red and left out.
struct FilterForm: Equatable, Sendable {
    enum Field: Int, CaseIterable, Sendable {
        case orgs, period, status, label, biz, text

        var title: Localized {
            switch self {
            case .orgs: Localized("组织机构", "Organisations")
            case .period: Localized("时间周期", "Period")
            case .status: Localized("状态", "Status")
            case .label: Localized("标注", "Label")
            case .biz: Localized("业务类型", "Business type")
            case .text: Localized("文本", "Text")
            }
        }

        var hint: Localized {
            switch self {
            case .orgs: Localized("可输入简称，逗号分隔；←→ 选机构，空格勾选", "short names, comma-separated; ←→ pick, Space ticks")
            case .period: Localized("←→ 今天/近7天/近30天/本月/上月；或 2025-12-01~2025-12-31、2025-12", "←→ presets; or 2025-12-01~2025-12-31, 2025-12")
            case .status: Localized("←→ 未标注/已标注/已复核", "←→ unlabelled / labelled / reviewed")
            case .label: Localized("←→ 或输入 1-4、名称", "←→ or type 1-4, a name")
            case .biz: Localized("一级 或 一级/二级，可输入部分文字；←→ 逐项", "level 1 or level 1/level 2, partial text; ←→ steps")
            case .text: Localized("词须全部出现；-词 排除；\"短语\"；问:词 答:词 只搜一边", "all words must occur; -word excludes; \"a phrase\"; 问:/答: one side")
            }
        }
    }

    /// What one field means, for the line under it.
    enum Reading: Equatable, Sendable {
        case any
        case value(String)
        case problem(Localized)
    }

    var field: Field = .orgs
    var texts: [Field: TextInput] = [:]
    var orgCursor = 0
    /// The filter when the bar opened, for Esc.
    let original: RecordFilter
    let originalPreset: PeriodPreset?
    /// Organisation names stored in the records (outside the reference data too), so those can be
    /// chosen as they are written there; `未登记机构` chooses all of them.
    let storedOrgs: [String]

    init(filter: RecordFilter, preset: PeriodPreset?, lang: Language, storedOrgs: [String] = []) {
        self.storedOrgs = storedOrgs + filter.orgs.filter { !storedOrgs.contains($0) }
        original = filter
        originalPreset = preset
        texts[.orgs] = TextInput(filter.orgs.joined(separator: ","))
        if let preset {
            texts[.period] = TextInput(preset.name(lang))
        } else if let lo = filter.fromDay, let hi = filter.toDay {
            texts[.period] = TextInput(lo == hi ? ShanghaiTime.formatDate(lo)
                                                : "\(ShanghaiTime.formatDate(lo))~\(ShanghaiTime.formatDate(hi))")
        } else if let lo = filter.fromDay {
            texts[.period] = TextInput("\(ShanghaiTime.formatDate(lo))~")
        } else if let hi = filter.toDay {
            texts[.period] = TextInput("~\(ShanghaiTime.formatDate(hi))")
        }
        texts[.status] = TextInput(filter.status?.name(lang) ?? "")
        texts[.label] = TextInput(filter.label?.name(lang) ?? "")
        texts[.biz] = TextInput(BusinessType(filter.biz1, filter.biz2).text)
        texts[.text] = TextInput(filter.text ?? "")
    }

    func text(_ f: Field) -> String { texts[f]?.text ?? "" }

    // MARK: parsing

    static func splitList(_ s: String) -> [String] {
        s.split(whereSeparator: { ",，、; ；".contains($0) }).map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// An organisation from a full, legacy, alias or short name (`如皋` → 如皋市), or a name
    /// stored in the records as it is written there (one outside the reference data).
    static func resolveOrg(_ token: String, _ orgs: Organisations, stored: [String] = []) -> [String] {
        let n = orgs.normalise(token)
        if orgs.isKnown(n) { return [n] }
        if stored.contains(token) { return [token] }
        let hits = orgs.names.filter { $0.hasPrefix(token) }
        if !hits.isEmpty { return hits }
        // Pinyin as far as typed: ru → 如皋市、如东县 (say which), rug → 如皋市.
        let t = token.lowercased()
        let spelled = orgs.all.filter { o in o.pinyinKeys.first.map { $0.hasPrefix(t) } ?? false }.map(\.name)
        return spelled.isEmpty ? orgs.names.filter { $0.contains(token) } : spelled
    }

    func readOrgs(_ orgs: Organisations) -> ([String], Reading) {
        var out: [String] = []
        for token in Self.splitList(text(.orgs)) {
            if token == Dashboard.unregistered {
                // Every stored name outside the reference data, as the dashboard's row counts them.
                let names = storedOrgs.filter { !orgs.isKnown($0) }
                guard !names.isEmpty else { return ([], .problem(Localized("没有未登记机构的记录", "no records of unregistered organisations"))) }
                for n in names where !out.contains(n) { out.append(n) }
                continue
            }
            let hits = Self.resolveOrg(token, orgs, stored: storedOrgs)
            guard hits.count == 1 else {
                return ([], .problem(hits.isEmpty ? Localized("未知机构「\(token)」", "unknown organisation “\(token)”")
                                                  : Localized("「\(token)」不唯一：\(hits.joined(separator: "、"))", "“\(token)” is ambiguous: \(hits.joined(separator: ", "))")))
            }
            if !out.contains(hits[0]) { out.append(hits[0]) }
        }
        return (out, out.isEmpty ? .any : .value(out.joined(separator: "、")))
    }

    func readPeriod(today: Int64) -> (Int64?, Int64?, PeriodPreset?, Reading) {
        let t = text(.period).trimmed
        if t.isEmpty || t == "全部" || t.lowercased() == "all" { return (nil, nil, nil, .any) }
        if let p = PeriodPreset.parse(t) {
            let (lo, hi) = p.days(today: today)
            return (lo, hi, p, .value("\(ShanghaiTime.formatDate(lo)) ~ \(ShanghaiTime.formatDate(hi))"))
        }
        let bad = Reading.problem(Localized("无法识别的时间「\(t)」", "cannot read the period “\(t)”"))
        var parts: [String]
        if let r = t.range(of: "~") ?? t.range(of: "..") ?? t.range(of: "至") ?? t.range(of: "到") {
            parts = [String(t[..<r.lowerBound]).trimmed, String(t[r.upperBound...]).trimmed]
        } else {
            parts = [t]
        }
        func day(_ s: String, end: Bool) -> Int64?? {
            if s.isEmpty { return .some(nil) }
            if let d = ShanghaiTime.parseDay(s) { return .some(d) }
            // A short date, 11-23 or 11/23 or 11月23日: this year's, or last year's when that is still to come.
            let md = s.replacingOccurrences(of: "月", with: "-").replacingOccurrences(of: "日", with: "")
                .split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
            if md.count == 2, let mo = Int(md[0]), let d = Int(md[1]), (1...12).contains(mo), (1...31).contains(d) {
                let year = ShanghaiTime.civil(ShanghaiTime.startOfDay(today)).year
                for y in [year, year - 1] {
                    let c = ShanghaiTime.Civil(year: y, month: mo, day: d, hour: 0, minute: 0, second: 0)
                    let e = ShanghaiTime.epoch(c)
                    guard ShanghaiTime.civil(e).day == d else { return nil }  // 02-30
                    if e <= ShanghaiTime.startOfDay(today) || y < year { return .some(e) }
                }
            }
            // A month: 2025-12 or 2025/12.
            let m = s.split(whereSeparator: { $0 == "-" || $0 == "/" })
            if m.count == 2, let y = Int(m[0]), let mo = Int(m[1]), (1...12).contains(mo), y > 1900 {
                let first = ShanghaiTime.epoch(.init(year: y, month: mo, day: 1, hour: 0, minute: 0, second: 0))
                guard end else { return .some(first) }
                let next = ShanghaiTime.epoch(.init(year: mo == 12 ? y + 1 : y, month: mo == 12 ? 1 : mo + 1, day: 1,
                                                    hour: 0, minute: 0, second: 0))
                return .some(next - 86400)
            }
            return nil
        }
        guard let lo = day(parts[0], end: false), let hi = day(parts.count > 1 ? parts[1] : parts[0], end: true) else {
            return (nil, nil, nil, bad)
        }
        if let lo, let hi, hi < lo {
            return (nil, nil, nil, .problem(Localized("结束早于开始", "the period ends before it starts")))
        }
        let shown = "\(lo.map(ShanghaiTime.formatDate) ?? "…") ~ \(hi.map(ShanghaiTime.formatDate) ?? "…")"
        return (lo, hi, nil, .value(shown))
    }

    func readStatus(_ lang: Language) -> (ReviewStatus?, Reading) {
        let t = text(.status).trimmed
        if t.isEmpty || t == "全部" || t.lowercased() == "all" { return (nil, .any) }
        let s = ReviewStatus(parsing: t) ?? ReviewStatus.allCases.first { $0.name(.en) == t.lowercased() }
        guard let s else { return (nil, .problem(Localized("未知状态「\(t)」", "unknown status “\(t)”"))) }
        return (s, .value(s.name(lang)))
    }

    func readLabel(_ lang: Language) -> (Label?, Reading) {
        let t = text(.label).trimmed
        if t.isEmpty || t == "全部" || t.lowercased() == "all" { return (nil, .any) }
        let l = Label(parsing: t) ?? Label.allCases.first { $0.englishName == t.lowercased() }
            ?? Label.allCases.first { $0.chineseName.hasPrefix(t) }
        guard let l else { return (nil, .problem(Localized("未知标注「\(t)」", "unknown label “\(t)”"))) }
        return (l, .value("\(l.glyph) \(l.name(lang))"))
    }

    func readBiz(_ taxonomy: Taxonomy) -> (String?, String?, Reading) {
        let t = text(.biz).trimmed
        if t.isEmpty || t == "全部" || t.lowercased() == "all" { return (nil, nil, .any) }
        let parts = t.split(separator: "/", maxSplits: 1).map { String($0).trimmed }
        let names = taxonomy.level1.map(\.name)
        let l1s = names.contains(parts[0]) ? [parts[0]] : names.filter { $0.contains(parts[0]) }
        guard l1s.count == 1 else {
            return (nil, nil, .problem(l1s.isEmpty ? Localized("分类表中没有「\(parts[0])」", "no “\(parts[0])” in the taxonomy")
                                                   : Localized("「\(parts[0])」不唯一：\(l1s.joined(separator: "、"))", "“\(parts[0])” is ambiguous: \(l1s.joined(separator: ", "))")))
        }
        let l1 = l1s[0]
        guard parts.count > 1, !parts[1].isEmpty else { return (l1, nil, .value(l1)) }
        let l2names = taxonomy.level2(of: l1) ?? []
        let l2s = l2names.contains(parts[1]) ? [parts[1]] : l2names.filter { $0.contains(parts[1]) }
        guard l2s.count == 1 else {
            return (nil, nil, .problem(l2s.isEmpty ? Localized("「\(l1)」下没有「\(parts[1])」", "no “\(parts[1])” under \(l1)")
                                                   : Localized("「\(parts[1])」不唯一：\(l2s.joined(separator: "、"))", "“\(parts[1])” is ambiguous: \(l2s.joined(separator: ", "))")))
        }
        return (l1, l2s[0], .value("\(l1)/\(l2s[0])"))
    }

    /// The filter the fields describe (fields that do not parse are left out), the named period
    /// if one was chosen, and what each field was read as.
    /// How the text field was read: 含「失业金」 问中不含「退休」 …
    static func explain(_ q: TextQuery, _ lang: Language) -> String {
        q.terms.map { t in
            let field: Localized = switch t.field {
            case .any: Localized("", "")
            case .question: Localized("问中", "question ")
            case .answer: Localized("答中", "answer ")
            }
            let verb = t.excluded ? Localized("不含", "lacks ") : Localized("含", "has ")
            return field(lang) + verb(lang) + "「" + t.text + "」"
        }.joined(separator: " ")
    }

    func parse(reference: ReferenceData, today: Int64, lang: Language) -> (RecordFilter, PeriodPreset?, [Field: Reading]) {
        var f = RecordFilter()
        var readings: [Field: Reading] = [:]
        (f.orgs, readings[.orgs]) = readOrgs(reference.organisations)
        let (lo, hi, preset, pr) = readPeriod(today: today)
        (f.fromDay, f.toDay, readings[.period]) = (lo, hi, pr)
        (f.status, readings[.status]) = readStatus(lang)
        (f.label, readings[.label]) = readLabel(lang)
        (f.biz1, f.biz2, readings[.biz]) = readBiz(reference.taxonomy)
        let t = text(.text).trimmed
        f.text = t.isEmpty ? nil : t
        readings[.text] = t.isEmpty ? .any : .value(Self.explain(f.textQuery, lang))
        // A hot question opened from the dashboard has no field here: it stays until Esc goes back.
        f.topic = original.topic
        // So does the reviewer's own assignment (T switches it).
        f.assignee = original.assignee
        return (f, preset, readings)
    }

    // MARK: editing

    /// The choices ←/→ step through for the current field.
    func choices(reference: ReferenceData, lang: Language) -> [String] {
        switch field {
        case .orgs: return []
        case .period: return [""] + PeriodPreset.allCases.map { $0.name(lang) }
        case .status: return [""] + ReviewStatus.allCases.map { $0.name(lang) }
        case .label: return [""] + Label.allCases.map { $0.name(lang) }
        case .biz:
            return [""] + reference.taxonomy.level1.flatMap { l1 in [l1.name] + l1.level2.map { "\(l1.name)/\($0)" } }
        case .text: return []
        }
    }

    /// ←/→: the next or previous choice (organisations: the cursor). True when the field changed.
    mutating func step(_ delta: Int, reference: ReferenceData, lang: Language) -> Bool {
        if field == .orgs {
            let n = reference.organisations.names.count
            orgCursor = ((orgCursor + delta) % n + n) % n
            return false
        }
        let c = choices(reference: reference, lang: lang)
        guard !c.isEmpty else { return false }
        let i = c.firstIndex(of: text(field)) ?? (delta > 0 ? -1 : 0)
        texts[field] = TextInput(c[((i + delta) % c.count + c.count) % c.count])
        return true
    }

    /// Space in the organisation field: ticks or unticks the organisation under the cursor.
    mutating func toggleOrg(reference: ReferenceData) {
        let names = reference.organisations.names
        let name = names[orgCursor]
        var chosen = Self.splitList(text(.orgs)).compactMap { t -> String? in
            let hits = Self.resolveOrg(t, reference.organisations)
            return hits.count == 1 ? hits[0] : t
        }
        if let i = chosen.firstIndex(of: name) { chosen.remove(at: i) } else { chosen.append(name) }
        texts[.orgs] = TextInput(chosen.joined(separator: ","))
    }

    mutating func moveField(_ delta: Int) {
        let n = Field.allCases.count
        field = Field(rawValue: ((field.rawValue + delta) % n + n) % n)!
    }

    mutating func edit(_ command: Command) -> Bool { texts[field, default: TextInput()].edit(command) }
    mutating func type(_ c: Character) -> Bool { texts[field, default: TextInput()].type(c) }
}
