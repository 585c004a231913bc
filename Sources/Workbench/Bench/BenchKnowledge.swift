import Foundation
import Model

/// `workbench bench`, the knowledge-base part: building the matcher's index over 10,000 entries
/// and matching the evaluation questions against it.
enum BenchKnowledge {
    static func run(reference: ReferenceData, evalFile: String?) throws {
        let p = BenchTiming.p
        let today = ShanghaiTime.startOfDay(Int64(Date().timeIntervalSince1970))
        let entries = DemoKnowledge.scaled(count: 10_000, reference: reference, today: today)
        var builds: [Double] = []
        var matcher: KnowledgeMatcher!
        for _ in 0..<5 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            matcher = KnowledgeMatcher(entries: entries, organisations: reference.organisations, synonyms: reference.synonyms)
            builds.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        print(String(format: "knowledge: index build, %d entries (%d topics, %d stored questions): p50 %.0f ms, max %.0f ms (target ≤ 200 ms)",
                     entries.count, matcher.topicCount, matcher.documentCount, p(builds, 0.5), builds.max() ?? 0))
        var questions = DemoCorpus.allQuestions
        for file in [evalFile, evalFile.map { $0.replacingOccurrences(of: "-tune.csv", with: "-test.csv") }].compactMap({ $0 }) {
            if let cases = try? KnowledgeEval.read(file) { questions += cases.map(\.question) }
        }
        // With the synonyms (as used) and without (the cost of the table), in one run.
        let plain = KnowledgeMatcher(entries: entries, organisations: reference.organisations)
        for (name, m) in [("with synonyms", matcher!), ("without synonyms", plain)] {
            var times: [Double] = []
            for _ in 0..<3 {
                for q in questions {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    _ = m.match(q, askerOrganisation: "如皋市", day: today)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                }
            }
            print(String(format: "knowledge: match over %d questions × 3, %@: p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 ≤ 5 ms)",
                         questions.count, name, p(times, 0.5), p(times, 0.99), times.max() ?? 0))
        }
    }
}
