import Foundation

/// Organisations, legacy names, knowledge-base regions and the business-type taxonomy: data the
/// bureau edits without a rebuild (domain.md §4–5). Bundled defaults; a file of the same name in an
/// override directory replaces the bundled one.
public struct ReferenceData: Sendable {
    public let organisations: Organisations
    public let taxonomy: Taxonomy
    /// Who supervises (may draw the double-review sample and adjudicate): `team.json` in the data
    /// directory; none bundled, so without the file nobody does.
    public var team = Team()
    /// Synonyms and colloquial forms for the knowledge matcher (`synonyms.json`).
    public var synonyms = Synonyms()

    public static let organisationsFile = "organisations.json"
    public static let taxonomyFile = "taxonomy.json"
    public static let teamFile = "team.json"

    public init(organisations: Organisations, taxonomy: Taxonomy, team: Team = Team(), synonyms: Synonyms = Synonyms()) {
        self.organisations = organisations
        self.taxonomy = taxonomy
        self.team = team
        self.synonyms = synonyms
    }

    /// Loads each file from the first directory that has it, else from the bundle.
    public static func load(overrideDirectories: [URL] = []) throws -> ReferenceData {
        func data(_ name: String) throws -> (Data, String) {
            for dir in overrideDirectories {
                let url = dir.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) {
                    return (try Data(contentsOf: url), url.path)
                }
            }
            guard let url = Bundle.module.url(forResource: (name as NSString).deletingPathExtension, withExtension: "json")
            else { throw ReferenceDataError(file: name, reason: "bundled resource missing") }
            return (try Data(contentsOf: url), url.path)
        }
        let (orgData, orgPath) = try data(organisationsFile)
        let (taxData, taxPath) = try data(taxonomyFile)
        let (synData, synPath) = try data(Synonyms.file)
        let synonyms: Synonyms
        do { synonyms = try Synonyms(json: synData) } catch { throw ReferenceDataError(file: synPath, reason: "\(error)") }
        do {
            let orgs = try Organisations(json: orgData)
            var team = Team()
            for dir in overrideDirectories {
                let url = dir.appendingPathComponent(teamFile)
                guard FileManager.default.fileExists(atPath: url.path) else { continue }
                do { team = try Team(json: try Data(contentsOf: url)) } catch {
                    throw ReferenceDataError(file: url.path, reason: "\(error)")
                }
                team.file = url.path
                break
            }
            do {
                return ReferenceData(organisations: orgs, taxonomy: try Taxonomy(json: taxData), team: team, synonyms: synonyms)
            } catch { throw ReferenceDataError(file: taxPath, reason: "\(error)") }
        } catch let e as ReferenceDataError {
            throw e
        } catch { throw ReferenceDataError(file: orgPath, reason: "\(error)") }
    }

    /// The bundled defaults; used by tests and as the fallback.
    public static let bundled: ReferenceData = {
        do { return try load() } catch { fatalError("bundled reference data is broken: \(error)") }
    }()
}

public struct ReferenceDataError: Error, CustomStringConvertible {
    public let file: String
    public let reason: String
    public var description: String { "参考数据文件无法读取 \(file): \(reason)" }
}

public struct Organisation: Decodable, Sendable, Equatable {
    public let name: String
    public let code: String?
    /// city, county or zone.
    public let kind: String
    public let aliases: [String]
    /// Its name in pinyin, syllables apart ("ru gao"): typed as `rugao` or by initials `rg`
    /// (issue 16, point 11: choosing a county needed a Chinese input method).
    public let pinyin: String?

    /// `rugao` and `rg`, and the same for every alias given in pinyin.
    public var pinyinKeys: [String] {
        guard let p = pinyin?.lowercased() else { return [] }
        let syllables = p.split(separator: " ")
        return [syllables.joined(), String(syllables.compactMap(\.first))]
    }
}

public struct Organisations: Sendable {
    public let all: [Organisation]
    public let legacy: [String: String]
    public let kbRegions: [String]
    public let cityWideRegion: String
    private let lookup: [String: String]
    private let known: Set<String>

    private struct File: Decodable {
        let organisations: [Organisation]
        let legacy: [String: String]
        let kbRegions: [String]
        let cityWideRegion: String
    }

    public init(json: Data) throws {
        let f = try JSONDecoder().decode(File.self, from: json)
        all = f.organisations
        legacy = f.legacy
        kbRegions = f.kbRegions
        cityWideRegion = f.cityWideRegion
        var map: [String: String] = [:]
        for o in f.organisations {
            map[o.name] = o.name
            for a in o.aliases { map[a] = o.name }
            for k in o.pinyinKeys where map[k] == nil { map[k] = o.name }
            if let c = o.code { map[c] = o.name }
        }
        for (old, new) in f.legacy { map[old] = new }
        lookup = map
        known = Set(f.organisations.map(\.name))
    }

    public var names: [String] { all.map(\.name) }

    /// What a person typed to choose a knowledge-base region: nothing or 全部 (every region), a
    /// region's name, short name, pinyin (`rugao`) or initials (`rg`), or the start of one when
    /// only one region starts so (`如皋` yes, `如` no: 如皋市 and 如东县).
    public enum RegionChoice: Equatable, Sendable {
        case all
        case region(String)
        case ambiguous([String])
        case unknown
    }

    public func kbRegion(typed: String) -> RegionChoice {
        let t = typed.trimmed.lowercased()
        if t.isEmpty || t == "全部" || t == "all" || t == "*" { return .all }
        if kbRegions.contains(t) { return .region(t) }
        if ["qs", "quanshi", "city"].contains(t) { return .region(cityWideRegion) }
        let n = normalise(t)
        if kbRegions.contains(n) { return .region(n) }
        // Starts: of a region's name or its organisation's pinyin keys.
        var found: [String] = []
        for r in kbRegions {
            let keys = [r] + (all.first { $0.name == r }?.pinyinKeys ?? []) + (r == cityWideRegion ? ["quanshi"] : [])
            if keys.contains(where: { $0.hasPrefix(t) }) { found.append(r) }
        }
        if found.count == 1 { return .region(found[0]) }
        return found.isEmpty ? .unknown : .ambiguous(found)
    }

    public func isKnown(_ name: String) -> Bool { known.contains(name) }

    /// The canonical name for what a log wrote, or the trimmed text itself when it is unknown (kept,
    /// never dropped: the importer reports unknown names instead).
    public func normalise(_ raw: String) -> String {
        let t = raw.trimmed
        if t.isEmpty { return t }
        if let hit = lookup[t] { return hit }
        var s = Substring(t)
        for prefix in ["江苏省", "南通市"] where s.hasPrefix(prefix) && s.count > prefix.count {
            s = s.dropFirst(prefix.count)
        }
        for suffix in ["人力资源和社会保障局", "人力资源社会保障局", "人社局", "社保中心", "人社"]
        where s.hasSuffix(suffix) && s.count > suffix.count {
            s = s.dropLast(suffix.count)
            break
        }
        return lookup[String(s)] ?? t
    }
}

public struct Taxonomy: Sendable {
    public struct Level1: Decodable, Sendable {
        public let name: String
        public let level2: [String]
    }
    public struct SmallTalk: Decodable, Sendable {
        public let level1: String
        public let level2: String
    }
    public let level1: [Level1]
    public let smallTalk: SmallTalk

    private struct File: Decodable {
        let level1: [Level1]
        let smallTalk: SmallTalk
    }

    public init(json: Data) throws {
        let f = try JSONDecoder().decode(File.self, from: json)
        level1 = f.level1
        smallTalk = f.smallTalk
    }

    public func level2(of level1Name: String) -> [String]? {
        level1.first { $0.name == level1Name }?.level2
    }

    public func contains(level1 l1: String, level2 l2: String? = nil) -> Bool {
        guard let children = level2(of: l1) else { return false }
        return l2.map { children.contains($0) } ?? true
    }
}

/// The team (`team.json`): `{"supervisors": ["张主任"], "reviewers": ["李娜", "王强"]}`. On a shared
/// file this guards against mistakes, not against people: the server store brings real roles.
public struct Team: Equatable, Sendable {
    public var supervisors: [String] = []
    public var reviewers: [String] = []
    /// The bureau's targets, drawn as a line on the county bars (counties below are marked ▼):
    /// `"accuracyTarget": 0.8, "hitRateTarget": 0.85` in team.json.
    public var accuracyTarget: Double = 0.80
    public var hitRateTarget: Double = 0.85
    /// The file it was read from (nil: none was found, so nobody supervises).
    public var file: String?

    public init(supervisors: [String] = [], reviewers: [String] = [], accuracyTarget: Double = 0.80, hitRateTarget: Double = 0.85) {
        self.supervisors = supervisors
        self.reviewers = reviewers
        self.accuracyTarget = accuracyTarget
        self.hitRateTarget = hitRateTarget
    }

    public init(json: Data) throws {
        struct File: Decodable { var supervisors: [String]?; var reviewers: [String]?; var accuracyTarget: Double?; var hitRateTarget: Double? }
        let f = try JSONDecoder().decode(File.self, from: json)
        for (name, v) in [("accuracyTarget", f.accuracyTarget), ("hitRateTarget", f.hitRateTarget)] {
            if let v, !(0...1).contains(v) { throw ReferenceDataError(file: "team.json", reason: "\(name) 应在 0 与 1 之间 (between 0 and 1), 是 \(v)") }
        }
        self.init(supervisors: f.supervisors ?? [], reviewers: f.reviewers ?? [], accuracyTarget: f.accuracyTarget ?? 0.80,
                  hitRateTarget: f.hitRateTarget ?? 0.85)
    }

    public func isSupervisor(_ name: String) -> Bool { supervisors.contains(name) }

    /// Why `name` may not do a supervisor's work (nil: they may), naming the file to edit: the one
    /// read, else team.json in the data directory (`dataDirectory`, the default's own).
    public func notSupervisor(_ name: String, dataDirectory: URL = WorkbenchPaths.dataDirectory()) -> String? {
        guard !isSupervisor(name) else { return nil }
        let dir = dataDirectory.path
        let path = file ?? dataDirectory.appendingPathComponent(ReferenceData.teamFile).path
        if supervisors.isEmpty {
            return file == nil
                ? "没有主管名单：在数据目录 \(dir) 中新建 \(path)，写明 {\"supervisors\": [\"姓名\"]} (no supervisors named: create \(path))"
                : "\(path) 中没有主管：写明 {\"supervisors\": [\"姓名\"]} (no supervisors named in \(path))"
        }
        return "\(name) 不是主管（\(path) 中的主管：\(supervisors.joined(separator: "、"))） (\(name) is not a supervisor)"
    }
}
