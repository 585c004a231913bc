import Foundation
import Model

/// A change a key asked for, waiting for its commit.
struct PendingWrite: Equatable {
    enum Op: Equatable {
        case label(Label?), review(Label?), note(String?), businessType(BusinessType)
        case restore(ReviewState, expecting: ReviewState)
    }
    let key: RecordKey
    let recordId: String
    let op: Op
    let at: Int64
    /// Undo's own restores do not go on the undo stack.
    let undoable: Bool
    /// A label on another reviewer's work: refused (so the app asks) until confirmed.
    var others: OthersWork = .refuse
    /// An attempt met a lost connection (perhaps during COMMIT): when the next attempt finds
    /// nothing to change, the earlier one landed and the write counts as saved.
    var interrupted = false
}

struct UndoEntry: Equatable {
    let key: RecordKey
    let recordId: String
    let before: ReviewState
    /// What the change left: undo refuses when the record no longer looks like this.
    let after: ReviewState
}

/// The write queue: keys queue changes, `persist` commits them in order, each in its own short
/// transaction, and only then are they shown. A busy database (another process importing) keeps
/// the rest queued; the next tick retries. So does a server that cannot be reached: each write
/// stays queued (⟳) until the server is back and is then committed once. Undo is a stack of
/// committed changes.
final class WriteQueue {
    private(set) var pending: [PendingWrite] = []
    private(set) var undoStack: [UndoEntry] = []
    private(set) var labelsThisSession = 0

    /// Why `persist` stopped with writes still queued.
    enum Stall: Equatable {
        /// Another process holds the SQLite write lock.
        case busy
        /// The server cannot be reached (the store's words).
        case unreachable(String)
    }

    /// One write's outcome.
    enum Outcome {
        /// Committed; `record` is the row as it is now. No change: an attempt before a lost
        /// connection had committed it (the history has its one row).
        case saved(PendingWrite, LabelChange?, record: InteractionRecord?)
        /// Nothing to change (the same label again).
        case unchanged(PendingWrite)
        case failed(PendingWrite, Error)
        /// Another reviewer's label or lease: nothing written; the app asks before `overwrite`.
        case refused(PendingWrite, StoreError)
    }

    func queue(_ key: RecordKey, _ id: String, _ op: PendingWrite.Op, at: Int64, undoable: Bool = true,
               others: OthersWork = .refuse) {
        pending.append(PendingWrite(key: key, recordId: id, op: op, at: at, undoable: undoable, others: others))
    }

    /// A refused write again, confirmed by its key: it overwrites (the history says so).
    func confirm(_ w: PendingWrite, at: Int64) {
        queue(w.key, w.recordId, w.op, at: at, undoable: w.undoable, others: .overwrite)
    }

    func isPending(_ key: RecordKey) -> Bool { pending.contains { $0.key == key } }
    func popUndo() -> UndoEntry? { undoStack.popLast() }
    var canUndo: Bool { !undoStack.isEmpty }

    /// Writes the queue in order. `before` gives the record as last read (the screen's row, else
    /// nil: read here), what undo goes back to. Stops at a busy database or an unreachable server,
    /// keeping the rest queued.
    func persist(store: any RecordStore, reviewer: String, before cached: (RecordKey) -> InteractionRecord?)
        -> (outcomes: [Outcome], stall: Stall?)
    {
        var out: [Outcome] = []
        var retried = false
        while let w = pending.first {
            do {
                let before = try cached(w.key) ?? store.record(id: w.recordId)
                let change: LabelChange?
                switch w.op {
                case .label(let l):
                    change = try store.setLabel(l, recordId: w.recordId, reviewer: reviewer, at: w.at, others: w.others)
                case .review(let l): change = try store.markReviewed(recordId: w.recordId, label: l, reviewer: reviewer, at: w.at)
                case .note(let n): change = try store.setNote(n, recordId: w.recordId, reviewer: reviewer, at: w.at)
                case .businessType(let t):
                    change = try store.correctBusinessType(biz1: t.level1, biz2: t.level2, recordId: w.recordId,
                                                           reviewer: reviewer, at: w.at)
                case .restore(let s, let expected):
                    change = try store.restore(s, expecting: expected, recordId: w.recordId, reviewer: reviewer, at: w.at)
                }
                pending.removeFirst()
                retried = false
                if change == nil && !w.interrupted {
                    out.append(.unchanged(w))
                    continue
                }
                // The one read of the record after its write: the list's row, undo's `after`. The
                // write is committed: a failure here (the connection lost just after) leaves the
                // row to the next sync and this change out of undo, never the write queued again.
                let after = (try? store.records(keys: [w.key]))?[w.key]
                if w.undoable, let before, let after, before.review != after.review {
                    undoStack.append(UndoEntry(key: w.key, recordId: w.recordId, before: before.review, after: after.review))
                }
                let labels = change.map { [.label, .review, .vote, .adjudicate].contains($0.action) }
                    ?? (before?.review.label != after?.review.label)
                if labels { labelsThisSession += 1 }
                out.append(.saved(w, change, record: after))
            } catch StoreError.busy {
                // Reviewers writing at once wait for each other: one more wait before the write
                // stays queued and the screen says so (a long import holds the lock for seconds).
                if !retried {
                    retried = true
                    continue
                }
                return (out, .busy)
            } catch StoreError.unreachable(let place, let why) {
                // Once more at once (a restarted server is usually back; a lost reply is checked
                // by reading), then queued until the next tick.
                if !pending.isEmpty { pending[0].interrupted = true }
                if !retried {
                    retried = true
                    continue
                }
                return (out, .unreachable("\(place)：\(why)"))
            } catch let e as StoreError {
                pending.removeFirst()
                if case .othersWork = e { out.append(.refused(w, e)) } else { out.append(.failed(w, e)) }
            } catch {
                pending.removeFirst()
                out.append(.failed(w, error))
            }
        }
        return (out, nil)
    }

    /// Drops what is still queued (quit anyway).
    func dropPending() { pending.removeAll() }
}

extension LabelChange {
    /// The status line after a save.
    var savedText: Localized {
        let label = newLabel.map { "\($0.glyph) \($0.chineseName)" } ?? "未标注"
        let labelEn = newLabel.map { "\($0.glyph) \($0.englishName)" } ?? "unlabelled"
        switch action {
        case .note: return Localized("已保存备注", "Note saved")
        case .businessType: return Localized("已保存业务类型：\(newValue ?? "（清除修正）")", "Business type saved: \(newValue ?? "(correction cleared)")")
        case .undo: return Localized("已撤销：记录 \(recordId) 恢复为 \(label)（\(newStatus.chineseName)）", "Undone: record \(recordId) back to \(labelEn) (\(newStatus.name(.en)))")
        case .review: return Localized("已复核并保存：\(label)", "Reviewed and saved: \(labelEn)")
        case .vote: return Localized("已保存你的双评标注：\(label)（盲评：两人都标注前对方看不到）",
                                     "Your double-review label saved: \(labelEn) (blind until both are in)")
        case .adjudicate: return Localized("已仲裁：\(label)", "Decided: \(labelEn)")
        case .sendBack: return Localized("已退回两位审核员重新标注", "Sent back to both reviewers")
        default: return Localized("已保存：\(label)", "Saved: \(labelEn)")
        }
    }
}
