import Foundation
import Model

/// After a large import: adds the new records to the text index, with a progress bar, in short
/// transactions. Interrupted (Ctrl-C), it goes on where it stopped the next time an import, the
/// app or `workbench db index` runs; searches are right meanwhile, only slower.
func buildTextIndex(_ db: any RecordStore) throws {
    guard try !db.textIndexProgress().isComplete else { return }
    let bar = ProgressBar(label: "全文索引 (text index)")
    let started = Date()
    let last = try db.completeTextIndex { p in
        bar.update(done: Int(p.fraction * 1000), total: 1000, detail: String(format: "%.0f%%", p.fraction * 100))
        return true
    }
    bar.finish()
    if last.isComplete, Date().timeIntervalSince(started) > 1 {
        printText(String(format: "全文索引已建立，用时 %.1f 秒 (text index built in %.1f s)",
                         Date().timeIntervalSince(started), Date().timeIntervalSince(started)))
    }
}
