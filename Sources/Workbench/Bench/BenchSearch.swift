import Foundation
import Model

/// Text search at scale (issue: text search that answers in milliseconds at 1,000,000 records):
/// the index's build time and size, then the first page of 50 and the count for words of every
/// kind, each query run once cold and measured warm.
enum BenchSearch {
    static func run(storePath: String, reference: ReferenceData, end: Int64, queries: Int) throws {
        let fm = FileManager.default
        func size() -> Int {
            ["", "-wal"].reduce(0) { $0 + ((try? fm.attributesOfItem(atPath: storePath + $1)[.size] as? Int) ?? 0) }
        }
        let store = try SQLiteRecordStore(path: storePath)
        let before = size()
        if try !store.textIndexProgress().isComplete {
            let t0 = Date()
            try store.completeTextIndex(batch: 50_000)
            defer { fflush(nil) }
            print(String(format: "text index: built over %d records in %.1f s; file %.0f → %.0f MB (+%.0f%%)",
                         try store.totalCount(), Date().timeIntervalSince(t0), Double(before) / 1e6, Double(size()) / 1e6,
                         Double(size() - before) * 100 / Double(max(1, before))))
        } else {
            print(String(format: "text index: already built; file %.0f MB", Double(before) / 1e6))
        }

        // Words drawn from the stored texts: at a random place of a random record (so common words
        // come up as often as they occur) and uniformly from the distinct pieces of a sample (so
        // rare ones come up too).
        var rng = SeededRandom(seed: 11)
        let total = try store.totalCount()
        let sample = try store.records(keys: (0..<3000).map { _ in RecordKey(rng.int(1...max(1, total))) }).sorted { $0.key < $1.key }.map(\.value)  // in key order: the same words every run
        func texts() -> [Character] { let r = rng.pick(sample); return Array(rng.chance(0.3) ? r.question : r.answer) }
        func isCJK(_ c: Character) -> Bool { c.unicodeScalars.allSatisfy { (0x4E00...0x9FFF).contains($0.value) } }
        func common(_ n: Int) -> String {
            for _ in 0..<100 {
                let s = texts()
                guard s.count >= n else { continue }
                let i = rng.int(0...(s.count - n))
                let w = s[i..<(i + n)]
                if w.allSatisfy(isCJK) { return String(w) }
            }
            return "社保"
        }
        var distinct: [Int: [String]] = [:]
        for r in sample.prefix(1500) {
            for text in [r.question, r.answer] {
                let s = Array(text)
                for n in 1...6 where s.count >= n {
                    for i in stride(from: 0, through: s.count - n, by: n) where s[i..<(i + n)].allSatisfy(isCJK) {
                        distinct[n, default: []].append(String(s[i..<(i + n)]))
                    }
                }
            }
        }
        for n in distinct.keys { distinct[n] = Array(Set(distinct[n]!)).sorted() }
        func rare(_ n: Int) -> String { distinct[n].map { rng.pick($0) } ?? common(n) }
        func runs(_ keep: (Character) -> Bool) -> [String] {
            var out: [String] = []
            for r in sample.prefix(1500) {
                var cur = ""
                for c in r.question + " " + r.answer {
                    if keep(c) { cur.append(c) } else { if cur.count >= 2 { out.append(cur) }; cur = "" }
                }
            }
            return out.isEmpty ? ["12333"] : out
        }
        let ascii = runs { $0.isASCII && $0.isLetter }
        let digits = runs { $0.isASCII && $0.isNumber }
        let orgs = reference.organisations.names
        let day: Int64 = 86400
        let lastDay = ShanghaiTime.startOfDay(end)
        let misses = ["龘", "靐龘", "不存在的词语", "zzqxw", "98765432123", "社保龘", "工伤认定书模版"]

        let kinds: [(String, () -> RecordFilter)] = [
            ("1 char, common", { RecordFilter(text: common(1)) }),
            ("1 char, rare", { RecordFilter(text: rare(1)) }),
            ("2 chars, common", { RecordFilter(text: common(2)) }),
            ("2 chars, rare", { RecordFilter(text: rare(2)) }),
            ("3 chars", { RecordFilter(text: rng.chance(0.5) ? common(3) : rare(3)) }),
            ("4-6 chars", { let n = rng.int(4...6); return RecordFilter(text: rng.chance(0.5) ? common(n) : rare(n)) }),
            ("ASCII word", { RecordFilter(text: rng.pick(ascii)) }),
            ("digits", {
                let d = Array(rng.pick(digits)); let n = rng.int(1...min(6, d.count)); let i = rng.int(0...(d.count - n))
                return RecordFilter(text: String(d[i..<(i + n)])) }),
            ("miss", { RecordFilter(text: rng.pick(misses)) }),
            ("two words, one excluded", { RecordFilter(text: "\(common(2)) -\(rng.chance(0.5) ? common(2) : rare(3))") }),
            ("问:/答: word", { RecordFilter(text: (rng.chance(0.5) ? "问:" : "答:") + (rng.chance(0.5) ? common(2) : rare(3))) }),
            ("text + org + 30 days", {
                RecordFilter(orgs: [rng.pick(orgs)], fromDay: lastDay - Int64(rng.int(29...89)) * day, toDay: lastDay - Int64(rng.int(0...30)) * day,
                             text: rng.chance(0.5) ? common(rng.int(1...4)) : rare(rng.int(1...4))) }),
        ]
        var pages: [Double] = [], counts: [Double] = []
        var worst: (Double, String) = (0, "")
        for (name, make) in kinds {
            let filters = (0..<queries).map { _ in make() }
            // Cold pass (reads the index and the rows from disk), then the measured warm pass.
            for f in filters { _ = try store.page(f, after: nil, limit: 50); _ = try store.count(f) }
            var p: [Double] = [], c: [Double] = []
            var matches: [Int] = []
            var slowest: [(Double, String)] = []
            for f in filters {
                let ms = try BenchTiming.ms { _ = try store.page(f, after: nil, limit: 50) }
                p.append(ms)
                slowest = Array((slowest + [(ms, f.text ?? "")]).sorted { $0.0 > $1.0 }.prefix(3))
                if ms > worst.0 { worst = (ms, f.text ?? "") }
                var n = 0
                c.append(try BenchTiming.ms { n = try store.count(f) })
                matches.append(n)
            }
            pages += p
            counts += c
            print(String(format: "search %-24@ first page p50 %6.2f p99 %6.2f max %6.2f ms | count p50 %6.2f p99 %6.2f max %6.2f ms | matches median %d",
                         name as NSString, BenchTiming.p(p, 0.5), BenchTiming.p(p, 0.99), p.max() ?? 0,
                         BenchTiming.p(c, 0.5), BenchTiming.p(c, 0.99), c.max() ?? 0, matches.sorted()[matches.count / 2]))
            print("  slowest pages: " + slowest.map { String(format: "「%@」 %.1f ms", $0.1, $0.0) }.joined(separator: ", "))
            fflush(nil)  // each figure as it is measured, also into a file
        }
        print(String(format: "search, all kinds: first page p99 %.2f ms (target ≤ 50), count p99 %.2f ms (target ≤ 200); slowest page %.1f ms for 「%@」",
                     BenchTiming.p(pages, 0.99), BenchTiming.p(counts, 0.99), worst.0, worst.1))
    }
}
