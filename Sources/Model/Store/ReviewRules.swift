/// What each review write does to a record, decided from its current state alone: every store
/// reads the record (locked, in its write transaction), asks here, and writes the state and the
/// history row it gets back (nil: nothing changes). One set of rules, so the SQLite file and the
/// server never disagree on what a key does.
public enum ReviewRules {
    typealias Outcome = (state: ReviewState, change: LabelChange)

    /// A label (or, with nil, clearing it). `theirs`: another reviewer labelled it; `holder`:
    /// another reviewer holds a lease on it.
    static func label(_ r: InteractionRecord, _ label: Label?, reviewer: String, at: Int64, theirs: String?, holder: String?)
        -> Outcome?
    {
        guard r.label != label else { return nil }
        var s = r.reviewState
        s.label = label
        // A new label undoes an earlier second review: it has not been confirmed.
        s.status = label == nil ? .unlabeled : .labeled
        s.reviewer = label == nil ? nil : reviewer
        s.labeledAt = label == nil ? nil : at
        s.reviewedBy = nil
        s.reviewedAt = nil
        return (s, change(r, s, label == nil ? .clear : .label, reviewer, at, override: theirs != nil || holder != nil))
    }

    /// Who else's work the label would touch: their label, or nil.
    public static func theirs(_ r: InteractionRecord, reviewer: String) -> String? {
        r.label != nil && r.reviewer != nil && r.reviewer != reviewer ? r.reviewer : nil
    }

    static func markReviewed(_ r: InteractionRecord, _ label: Label?, reviewer: String, at: Int64) throws -> Outcome? {
        let newLabel = label ?? r.label
        guard let newLabel else { throw StoreError.notLabeled(r.id) }
        if r.status == .reviewed, r.label == newLabel { return nil }
        var s = r.reviewState
        s.label = newLabel
        s.status = .reviewed
        s.reviewedBy = reviewer
        s.reviewedAt = at
        return (s, change(r, s, .review, reviewer, at))
    }

    static func note(_ r: InteractionRecord, _ note: String?, reviewer: String, at: Int64) -> Outcome? {
        let note = note.flatMap { $0.trimmed.isEmpty ? nil : $0 }
        guard r.note != note else { return nil }
        var s = r.reviewState
        s.note = note
        return (s, change(r, s, .note, reviewer, at, old: r.note, new: note))
    }

    static func businessType(_ r: InteractionRecord, biz1: String?, biz2: String?, reviewer: String, at: Int64) -> Outcome? {
        let biz2 = biz1 == nil ? nil : biz2
        guard r.correctedBiz1 != biz1 || r.correctedBiz2 != biz2 else { return nil }
        var s = r.reviewState
        s.correctedBiz1 = biz1
        s.correctedBiz2 = biz2
        return (s, change(r, s, .businessType, reviewer, at, old: bizText(r.correctedBiz1, r.correctedBiz2), new: bizText(biz1, biz2)))
    }

    static func restore(_ r: InteractionRecord, _ state: ReviewState, expecting: ReviewState?, reviewer: String, at: Int64) throws
        -> Outcome?
    {
        guard r.reviewState != state else { return nil }
        if let expecting, r.reviewState != expecting {
            throw StoreError.changedSince(r.id, reviewer: r.reviewedBy ?? r.reviewer ?? "?")
        }
        // old/new value: the business-type correction, so a reader of the history alone can
        // follow a record in and out of small talk (ReviewSession's incremental figures).
        return (state, change(r, state, .undo, reviewer, at, old: bizText(r.correctedBiz1, r.correctedBiz2),
                              new: bizText(state.correctedBiz1, state.correctedBiz2)))
    }

    static func adjudicate(_ r: InteractionRecord, _ label: Label, by: String, at: Int64) -> Outcome? {
        guard r.label != label || r.status != .reviewed else { return nil }
        var s = r.reviewState
        s.label = label
        s.status = .reviewed
        s.reviewer = by
        s.labeledAt = at
        s.reviewedBy = by
        s.reviewedAt = at
        return (s, change(r, s, .adjudicate, by, at))
    }

    static func sendBack(_ r: InteractionRecord, note: String, by: String, at: Int64) -> Outcome {
        var s = r.reviewState
        s.note = note.trimmed.isEmpty ? r.note : note
        return (s, change(r, s, .sendBack, by, at, old: r.note, new: s.note))
    }

    /// A vote on a sampled, undecided record.
    struct VoteDecision {
        /// Write this reviewer's vote (nil: withdraw it).
        var vote: Label?
        /// A `vote` history row written before the outcome's own (the second, agreeing vote).
        var voteRow: LabelChange?
        var outcome: Outcome
    }

    /// `votes`: the record's votes so far, oldest first. Nil: nothing changes (the same vote).
    static func vote(_ r: InteractionRecord, votes: [(reviewer: String, label: Label?)], label: Label?, reviewer: String, at: Int64)
        throws -> VoteDecision?
    {
        let mine = votes.first { $0.reviewer == reviewer }?.label ?? nil
        guard mine != label else { return nil }
        let others = votes.filter { $0.reviewer != reviewer }
        if label != nil, mine == nil, others.count >= 2 { throw StoreError.sampleComplete(r.id) }
        let voteRow = LabelChange(recordId: r.id, action: .vote, oldLabel: mine, newLabel: label, oldStatus: r.status,
                                  newStatus: r.status, reviewer: reviewer, at: at)
        if let label, others.count == 1, others[0].label == label {
            var s = r.reviewState
            s.label = label
            s.status = .labeled
            s.reviewer = reviewer
            s.labeledAt = at
            return VoteDecision(vote: label, voteRow: voteRow,
                                outcome: (s, change(r, s, .label, reviewer, at, new: "双评一致：\(others[0].reviewer)、\(reviewer)")))
        }
        return VoteDecision(vote: label, voteRow: nil, outcome: (r.reviewState, voteRow))
    }

    static func bizText(_ b1: String?, _ b2: String?) -> String? {
        let t = BusinessType(b1, b2)
        return t.isEmpty ? nil : t.text
    }

    static func change(_ r: InteractionRecord, _ s: ReviewState, _ action: LabelChange.Action, _ reviewer: String,
                       _ at: Int64, old: String? = nil, new: String? = nil, override: Bool = false) -> LabelChange {
        LabelChange(recordId: r.id, action: action, oldLabel: r.label, newLabel: s.label, oldStatus: r.status,
                    newStatus: s.status, reviewer: reviewer, at: at, oldValue: old, newValue: new, override: override)
    }

    /// Who an imported label's history row names when the log names nobody.
    static let unnamedImporter = "import"

    /// The history row a label that arrives with imported data gets (nil: it arrives unlabelled).
    static func importedLabel(_ r: InteractionRecord) -> LabelChange? {
        guard r.label != nil || r.status != .unlabeled else { return nil }
        return LabelChange(recordId: r.id, action: .import, oldLabel: nil, newLabel: r.label, oldStatus: .unlabeled,
                           newStatus: r.status, reviewer: r.reviewedBy ?? r.reviewer ?? unnamedImporter,
                           at: r.reviewedAt ?? r.labeledAt ?? 0)
    }

    /// Strata for the double-review sample: organisation × week (Monday-based, Asia/Shanghai days).
    static func stratum(org: String, askedAt: Int64) -> String {
        let day = ShanghaiTime.startOfDay(askedAt) / 86400
        return org + "|\((day + 3) / 7)"
    }

    /// How many of each stratum the sample takes, and which (the same seed and records give the same).
    static func sample(_ strata: [String: [Int64]], rate: Double, seed: UInt64) -> [Int64] {
        var out: [Int64] = []
        for (_, seqs) in strata {
            let n = Int((rate * Double(seqs.count)).rounded())
            guard n > 0 else { continue }
            out += seqs.sorted { mix(seed, $0) < mix(seed, $1) }.prefix(n)
        }
        return out
    }

    /// SplitMix64 of the seed and a record key: a stable pseudo-random order.
    static func mix(_ seed: UInt64, _ seq: Int64) -> UInt64 {
        var z = seed &+ UInt64(bitPattern: seq) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Smooth weighted round robin: each key goes to the reviewer furthest behind their share.
    static func assign(_ keys: [RecordKey], shares: [(reviewer: String, share: Int)]) -> [(RecordKey, String)] {
        let weighted = shares.filter { $0.share > 0 }
        guard !weighted.isEmpty else { return [] }
        let total = weighted.reduce(0) { $0 + $1.share }
        var credit = Array(repeating: 0, count: weighted.count)
        return keys.map { key in
            for i in credit.indices { credit[i] += weighted[i].share }
            let pick = credit.indices.max { credit[$0] < credit[$1] || (credit[$0] == credit[$1] && $0 > $1) }!
            credit[pick] -= total
            return (key, weighted[pick].reviewer)
        }
    }

    /// Disputes from their votes (grouped by record), oldest first by when the second label came in.
    static func disputes(_ votes: [Vote], limit: Int) -> [Dispute] {
        let disputes = Dictionary(grouping: votes, by: \.key).map { Dispute(key: $0.key, recordId: $0.value[0].recordId, votes: $0.value) }
        return Array(disputes.sorted { ($0.votes.map(\.at).max() ?? 0, $0.key) < ($1.votes.map(\.at).max() ?? 0, $1.key) }.prefix(limit))
    }
}
