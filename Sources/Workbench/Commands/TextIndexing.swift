import Foundation
import Model

/// Set by SIGINT while the text index is being built: the build stops after its batch.
nonisolated(unsafe) private var indexInterrupted: sig_atomic_t = 0

/// After a large import: adds the new records to the text index, with a progress bar on a
/// terminal and a line every 10% to a pipe or a log, in short transactions. The records are
/// committed before it starts: Ctrl-C stops only this build (after its batch, with a line saying
/// how far it came), and the next import or the app goes on from there;
/// searches are right meanwhile, only slower.
func buildTextIndex(_ db: any RecordStore) throws {
    guard try !db.textIndexProgress().isComplete else { return }
    fflush(nil)  // the import's own lines first, also through a pipe
    let bar = ProgressBar(label: "全文索引 (text index)")
    let started = Date()
    var reported = -1
    indexInterrupted = 0
    let previous = signal(SIGINT) { _ in indexInterrupted = 1 }
    defer { signal(SIGINT, previous) }
    let last = try db.completeTextIndex { p in
        bar.update(done: Int(p.fraction * 1000), total: 1000, detail: String(format: "%.0f%%", p.fraction * 100))
        let tenth = Int(p.fraction * 10)
        if !bar.enabled, tenth > reported, tenth < 10 {
            reported = tenth
            printErr(String(format: "全文索引 %d%%，用时 %.0f 秒 (text index %d%%, %.0f s)", tenth * 10,
                            Date().timeIntervalSince(started), tenth * 10, Date().timeIntervalSince(started)))
        }
        return indexInterrupted == 0
    }
    bar.finish()
    if !last.isComplete, indexInterrupted != 0 {
        printErr(String(format: "全文索引已暂停于 %.0f%%：记录均已导入，搜索仍然正确只是较慢；下次导入或打开工作台时继续 (text index paused at %.0f%%: every record is imported; it resumes next time)",
                        last.fraction * 100, last.fraction * 100))
        return
    }
    if last.isComplete, Date().timeIntervalSince(started) > 1 {
        printText(String(format: "全文索引已建立，用时 %.1f 秒 (text index built in %.1f s)",
                         Date().timeIntervalSince(started), Date().timeIntervalSince(started)))
    }
}
