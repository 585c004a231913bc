import Model

/// The review list's leases (issue 12): the record a reviewer is on, and the next ones, are theirs
/// while they work on it (docs/architecture.md, "A team on one database").
extension ReviewListScreen {

    /// Claims records for this reviewer (ending their other leases); the keys now held.
    @discardableResult
    func claim(_ wanted: [RecordKey]) -> Set<RecordKey> {
        offline = false
        // A read-only or damaged database: no leases (labels are refused anyway).
        if ctx.writeRefusal != nil { held = []; return held }
        do {
            held = try ctx.store.claim(wanted, reviewer: ctx.reviewer, at: ctx.clock())
            claimedAt = ctx.clock()
        } catch StoreError.unreachable {
            // The server is away: the records are taken as ours, so keys queued meanwhile move on
            // as they would online (issue 32); each write is checked when it commits, and
            // another's work met then is asked about.
            held = Set(wanted)
            claimedAt = ctx.clock()
            offline = true
        } catch {
            // A busy database: the lease is tried again on the next tick; labels still ask first.
            held = []
        }
        return held
    }

    /// On idle ticks: holds the selected record while it is still to do (and renews the lease
    /// every 30 s); lets go of what is no longer needed.
    func holdSelection() {
        let now = ctx.clock()
        guard let key = selectedKey, let r = rows[key] else { return }
        let wanted = r.status == .unlabeled && leases[key] == nil
        // The record just labelled and the ones prefetched are let go after a few idle seconds.
        if wanted, held == [key] || (held.contains(key) && now - claimedAt < 5), now - claimedAt < 30 { return }
        if !wanted, held.isEmpty { return }
        if !wanted, !held.contains(key), now - claimedAt < 30 { return }
        claim(wanted ? [key] : [])
    }

    /// The app quits: every lease ends at once rather than in two minutes.
    func releaseLeases() {
        try? ctx.store.releaseLeases(reviewer: ctx.reviewer)
        held = []
    }
}
