import Model

/// What the review list does next: 待办 (the work this reviewer may do) against the whole list,
/// and after a label the next record still to do, claimed, a second vote waiting first.
extension ReviewListScreen {
    /// Shows 待办 (`on`) or the whole list: the organisations, period, type and text stay; the
    /// whole list's status and label come back as they were. The caller queries again.
    func setTodo(_ on: Bool, hasAssignment: Bool) {
        guard on != todo else {
            if on { filter.assignee = hasAssignment ? ctx.reviewer : nil }
            return
        }
        if on {
            fullStatus = (filter.status, filter.label)
            filter.status = .unlabeled
            filter.label = nil
            filter.assignee = hasAssignment ? ctx.reviewer : nil
        } else {
            filter.status = fullStatus.status
            filter.label = fullStatus.label
            filter.assignee = nil
        }
        todo = on
    }

    /// The filter the base list keeps between runs: the whole list's (待办 is how it opens).
    var rememberedFilter: RecordFilter {
        guard todo else { return filter }
        var f = filter
        f.status = fullStatus.status
        f.label = fullStatus.label
        f.assignee = nil
        return f
    }

    /// The filter bar set a status or label other than 待办's: the whole list it is.
    func filterEdited() {
        guard todo, filter.status != .unlabeled || filter.label != nil else { return }
        todo = false
        filter.assignee = nil
    }

    /// Still to do here: unlabelled (in review mode, not yet reviewed), not being saved, and not
    /// held by another reviewer.
    func isToDo(_ k: RecordKey) -> Bool {
        guard !ctx.writes.isPending(k), leases[k] == nil else { return false }
        // Not read (the server away): in 待办 every listed record was to do when listed.
        guard let r = rows[k] else { return todo && offline }
        // A double-review record: to do until it has two labels, and only for those who have not given theirs.
        if let s = samples[k], r.label == nil, !reviewMode { return s.mine == nil && s.votes < 2 }
        return reviewMode ? r.status != .reviewed : r.status == .unlabeled
    }

    /// After a label: the next record still to do, looking ahead in chunks, claimed (with the two
    /// after it) so that no other reviewer is sent there too; else simply the next one.
    func advance(after index: Int) {
        // After a pair's second label, the list goes on from where the reviewer was.
        let resume = secondVoteFrom.flatMap { keys.indices.contains(index) && keys[index] == $0.key ? $0.index : nil }
        secondVoteFrom = nil
        if !reviewMode, ctx.sampleExists, goToSecondVote(from: index, resume: resume ?? index) { return }
        let start = resume ?? index
        var i = start + 1
        let limit = min(keys.count, start + 5001)
        while i < limit {
            let chunk = Array(keys[i..<min(limit, i + 200)])
            load(chunk)
            readLeases(chunk)
            for (n, k) in chunk.enumerated() {
                if isToDo(k) {
                    // Prefetched by the last claim and not near its end: ours already, no write.
                    if held.contains(k), ctx.clock() - claimedAt < 60 {
                        select(i)
                        return
                    }
                    let ahead = chunk[(n + 1)...].filter(isToDo).prefix(2)
                    // The record just labelled stays held until its write is committed.
                    let current = keys.indices.contains(index) ? [keys[index]] : []
                    // Claimed at the same moment by someone else: theirs; look further.
                    if claim(current + [k] + ahead).contains(k) {
                        select(i)
                        return
                    }
                    if offline { break }
                    rereadLease(k)
                }
                i += 1
            }
        }
        if start + 1 < keys.count {
            select(start + 1)
            ctx.say(reviewMode ? Localized("后面没有未复核的记录", "no unreviewed record further down")
                               : Localized("后面没有未标注的记录", "no unlabelled record further down"))
        }
    }

    /// A sampled record whose first label is in and that waits for a second reviewer comes
    /// before the list's next one: pairs complete while the first label is fresh, agreement figures
    /// fill as the team works, and no half-done pair is left behind when the list moves on. Only
    /// records in this list (so a reviewer's assignment holds). True when the selection moved there.
    func goToSecondVote(from index: Int, resume: Int? = nil) -> Bool {
        guard let waiting = try? ctx.store.awaitingSecondVote(reviewer: ctx.reviewer, at: ctx.clock(), limit: 20),
              !waiting.isEmpty else { return false }
        if positions == nil { positions = keys.positions() }
        for k in waiting {
            guard let i = positions?[k], i != index else { continue }
            load([k])
            rereadLease(k)
            guard isToDo(k) else { continue }
            let current = keys.indices.contains(index) ? [keys[index]] : []
            if claim(current + [k]).contains(k) {
                secondVoteFrom = (resume ?? index, k)
                // The detail says why it came next: 双评样本（盲评）：已有 1/2 人标注.
                select(i)
                return true
            }
        }
        return false
    }
}
