import Foundation

// MARK: leases, double review, assignment (TeamStore) on the server

extension PostgresRecordStore {
    /// One statement per claim: each record's lease row is taken when free, expired or already the
    /// reviewer's (renewed, keeping `since`). A concurrent claim of the same record waits on the row
    /// lock and then re-checks the WHERE against the committed lease, so no record has two holders.
    public func claim(_ keys: [RecordKey], reviewer: String, at: Int64) throws -> Set<RecordKey> {
        let expires = at + Self.leaseSeconds
        // Sorted: two claims lock their rows in the same order (no deadlock between them).
        let sorted = Array(Set(keys)).sorted()
        return try write {
            try db.execute("DELETE FROM lease WHERE reviewer = ? AND NOT (seq = ANY(?))", [reviewer, sorted])
            guard !sorted.isEmpty else { return [] }
            let rows = try db.query("""
                INSERT INTO lease (seq, reviewer, since, expires) SELECT k, ?, ?, ? FROM unnest(?::bigint[]) AS k
                ON CONFLICT (seq) DO UPDATE SET
                  since = CASE WHEN lease.reviewer = excluded.reviewer THEN lease.since ELSE excluded.since END,
                  reviewer = excluded.reviewer, expires = excluded.expires
                WHERE lease.reviewer = excluded.reviewer OR lease.expires <= ?
                RETURNING seq
                """, [reviewer, at, expires, sorted, at])
            return Set(rows.map { $0.int64(0) })
        }
    }

    public func leases(_ keys: [RecordKey], except reviewer: String, at: Int64) throws -> [RecordKey: Lease] {
        guard !keys.isEmpty else { return [:] }
        return try read {
            var out: [RecordKey: Lease] = [:]
            for row in try db.query("SELECT seq, reviewer, since, expires FROM lease WHERE seq = ANY(?) AND reviewer <> ? AND expires > ?",
                                    [keys, reviewer, at]) {
                out[row.int64(0)] = Lease(key: row.int64(0), reviewer: row.string(1), since: row.int64(2), expires: row.int64(3))
            }
            return out
        }
    }

    public func releaseLeases(reviewer: String) throws {
        try write { try db.execute("DELETE FROM lease WHERE reviewer = ?", [reviewer]) }
    }

    public func assign(_ filter: RecordFilter, to shares: [(reviewer: String, share: Int)], by: String, at: Int64) throws -> [String: Int] {
        guard shares.contains(where: { $0.share > 0 }) else { return [:] }
        let pairs = ReviewRules.assign(try keys(filter), shares: shares)
        return try write {
            var counts: [String: Int] = [:]
            // Per reviewer, one statement for all their records.
            for (who, keys) in Dictionary(grouping: pairs, by: \.1) {
                try db.execute("""
                    INSERT INTO assignment (seq, reviewer, assigned_at, assigned_by) SELECT k, ?, ?, ? FROM unnest(?::bigint[]) AS k
                    ON CONFLICT (seq) DO UPDATE SET reviewer = excluded.reviewer, assigned_at = excluded.assigned_at,
                      assigned_by = excluded.assigned_by
                    """, [who, at, by, keys.map(\.0)])
                counts[who] = keys.count
            }
            return counts
        }
    }

    public func assignments() throws -> [String: (assigned: Int, open: Int)] {
        try read {
            var out: [String: (assigned: Int, open: Int)] = [:]
            for row in try db.query("""
                SELECT a.reviewer, count(*), count(*) FILTER (WHERE record.label IS NULL)
                FROM assignment a JOIN record ON record.seq = a.seq GROUP BY a.reviewer
                """) {
                out[row.string(0)] = (row.int(1), row.int(2))
            }
            return out
        }
    }

    public func drawSample(_ filter: RecordFilter, rate: Double, seed: UInt64, by: String, at: Int64) throws -> Int {
        let (w, args) = Self.whereClause(filter)
        return try write {
            let rows = try db.query("""
                SELECT record.seq, org, asked_at FROM record WHERE \(w) AND label IS NULL
                AND record.seq NOT IN (SELECT seq FROM double_sample)
                """, args)
            var strata: [String: [Int64]] = [:]
            for row in rows { strata[ReviewRules.stratum(org: row.string(1), askedAt: row.int64(2)), default: []].append(row.int64(0)) }
            let chosen = ReviewRules.sample(strata, rate: rate, seed: seed)
            if !chosen.isEmpty {
                try db.execute("INSERT INTO double_sample (seq, drawn_at, drawn_by, seed) SELECT k, ?, ?, ? FROM unnest(?::bigint[]) AS k",
                               [at, by, Int64(bitPattern: seed), chosen])
            }
            return chosen.count
        }
    }

    public func sampleState(_ keys: [RecordKey], reviewer: String) throws -> [RecordKey: SampleState] {
        guard !keys.isEmpty else { return [:] }
        return try read {
            var out: [RecordKey: SampleState] = [:]
            for row in try db.query("""
                SELECT s.seq, record.label,
                  (SELECT count(*) FROM vote v WHERE v.seq = s.seq),
                  (SELECT count(DISTINCT label) FROM vote v WHERE v.seq = s.seq),
                  (SELECT label FROM vote v WHERE v.seq = s.seq AND v.reviewer = ?)
                FROM double_sample s JOIN record ON record.seq = s.seq WHERE s.seq = ANY(?)
                """, [reviewer, keys]) {
                let n = row.int(2), kinds = row.int(3)
                out[row.int64(0)] = SampleState(votes: n, mine: row.stringOrNil(4).flatMap(Label.init(rawValue:)),
                                                disputed: n >= 2 && kinds > 1 && row.stringOrNil(1) == nil)
            }
            return out
        }
    }

    static let voteColumns = "v.seq, record.id, v.reviewer, v.label, v.note, v.at"

    static func vote(_ r: PGRow) -> Vote? {
        guard let label = Label(rawValue: r.string(3)) else { return nil }
        return Vote(key: r.int64(0), recordId: r.string(1), reviewer: r.string(2), label: label, note: r.stringOrNil(4), at: r.int64(5))
    }

    public func votes() throws -> [Vote] {
        try read {
            try db.query("SELECT \(Self.voteColumns) FROM vote v JOIN record ON record.seq = v.seq ORDER BY v.at, v.id").compactMap(Self.vote)
        }
    }

    static let disputedSeqs = """
        SELECT v.seq FROM vote v JOIN record ON record.seq = v.seq WHERE record.label IS NULL
        GROUP BY v.seq HAVING count(*) >= 2 AND count(DISTINCT v.label) > 1
        """

    public func disputes(limit: Int) throws -> [Dispute] {
        try read {
            let rows = try db.query("""
                SELECT \(Self.voteColumns) FROM vote v JOIN record ON record.seq = v.seq
                WHERE v.seq IN (\(Self.disputedSeqs)) ORDER BY v.seq, v.at, v.id
                """)
            return ReviewRules.disputes(rows.compactMap(Self.vote), limit: limit)
        }
    }

    public func disputeCount() throws -> Int {
        try read { try db.query("SELECT count(*) FROM (\(Self.disputedSeqs)) d").first?.int(0) ?? 0 }
    }

    public func sampleExists() throws -> Bool {
        try read { try !db.query("SELECT 1::bigint FROM double_sample LIMIT 1").isEmpty }
    }

    public func awaitingSecondVote(reviewer: String, at: Int64, limit: Int) throws -> [RecordKey] {
        try read {
            try db.query("""
                SELECT v.seq FROM vote v JOIN record ON record.seq = v.seq
                WHERE record.label IS NULL
                  AND NOT EXISTS (SELECT 1 FROM lease l WHERE l.seq = v.seq AND l.reviewer <> ? AND l.expires > ?)
                GROUP BY v.seq HAVING count(*) = 1 AND max(v.reviewer) <> ?
                ORDER BY min(v.at), v.seq LIMIT ?
                """, [reviewer, at, reviewer, limit]).map { $0.int64(0) }
        }
    }

    @discardableResult
    public func adjudicate(recordId: String, label: Label, by: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { _, r in ReviewRules.adjudicate(r, label, by: by, at: at) }
    }

    @discardableResult
    public func sendBack(recordId: String, note: String, by: String, at: Int64) throws -> LabelChange? {
        try writeReview(recordId: recordId) { key, r in
            try db.execute("DELETE FROM vote WHERE seq = ?", [key])
            return ReviewRules.sendBack(r, note: note, by: by, at: at)
        }
    }
}

// MARK: the regional knowledge base on the server

extension PostgresRecordStore {
    static let kbColumns = SQLiteRecordStore.kbColumns

    static func decodeEntry(_ r: PGRow, id: String, from i: Int) -> KnowledgeEntry {
        let similar = r.string(i + 5)
        var e = KnowledgeEntry(
            id: id, topic: r.string(i), region: r.string(i + 1), biz1: r.stringOrNil(i + 2), biz2: r.stringOrNil(i + 3),
            standardQuestion: r.string(i + 4), similarQuestions: similar.isEmpty ? [] : similar.split(separator: "\n").map(String.init),
            answer: r.string(i + 6), policyBasis: r.string(i + 7), effectiveFrom: r.int64(i + 8), effectiveTo: r.int64OrNil(i + 9),
            state: KnowledgeEntry.State(rawValue: r.string(i + 10)) ?? .draft, version: r.int(i + 11), updatedBy: r.string(i + 12),
            updatedAt: r.int64(i + 13), lastReviewedAt: r.int64OrNil(i + 14))
        e.botIds = KnowledgeEntry.parseBotIds(r.string(i + 15))
        return e
    }

    static func arguments(_ e: KnowledgeEntry) -> PGArgs {
        let v = KnowledgeEntry.storedValues(e)
        return [v.topic, v.region, v.biz1, v.biz2, v.standardQuestion, v.similar, v.answer, v.policyBasis, v.effectiveFrom,
                v.effectiveTo, v.state, v.version, v.updatedBy, v.updatedAt, v.lastReviewedAt, v.botIds]
    }

    public func knowledgeEntries() throws -> [KnowledgeEntry] {
        try read { try db.query("SELECT id, \(Self.kbColumns) FROM kb_entry ORDER BY seq").map { Self.decodeEntry($0, id: $0.string(0), from: 1) } }
    }

    public func knowledgeEntry(id: String) throws -> KnowledgeEntry? {
        try read {
            try db.query("SELECT id, \(Self.kbColumns) FROM kb_entry WHERE id = ?", [id]).first.map { Self.decodeEntry($0, id: $0.string(0), from: 1) }
        }
    }

    public func knowledgeHistory(id: String) throws -> [KnowledgeVersion] {
        try read {
            try db.query("SELECT action, \(Self.kbColumns) FROM kb_version WHERE entry_id = ? ORDER BY version", [id]).map {
                KnowledgeVersion(entry: Self.decodeEntry($0, id: id, from: 1), action: KnowledgeVersion.Action(rawValue: $0.string(0)) ?? .edit)
            }
        }
    }

    public func saveKnowledge(_ entries: [(KnowledgeEntry, KnowledgeVersion.Action)], stamp: (by: String, at: Int64)?) throws -> [KnowledgeEntry?] {
        try write {
            // One editor's save at a time: new entries' numbers and the versions never collide.
            try db.execute("LOCK TABLE kb_entry IN SHARE ROW EXCLUSIVE MODE")
            return try entries.map { try save($0.0, $0.1, stamp: stamp) }
        }
    }

    private func save(_ entry: KnowledgeEntry, _ action: KnowledgeVersion.Action, stamp: (by: String, at: Int64)?) throws -> KnowledgeEntry? {
        var e = KnowledgeEntry.stamped(entry, action, stamp: stamp)
        let current = e.id.isEmpty ? nil
            : try db.query("SELECT id, \(Self.kbColumns) FROM kb_entry WHERE id = ?", [e.id]).first.map { Self.decodeEntry($0, id: $0.string(0), from: 1) }
        let values = Array(repeating: "?", count: 16).joined(separator: ", ")
        if let current {
            guard let next = KnowledgeEntry.nextVersion(e, of: current, action, stamped: stamp != nil) else { return nil }
            e = next
            try db.execute("""
                UPDATE kb_entry SET topic = ?, region = ?, biz1 = ?, biz2 = ?, standard_question = ?, similar_questions = ?,
                  answer = ?, policy_basis = ?, effective_from = ?, effective_to = ?, state = ?, version = ?, updated_by = ?,
                  updated_at = ?, last_reviewed_at = ?, bot_ids = ? WHERE id = ?
                """, Self.arguments(e) + [e.id])
        } else {
            let seq = try db.query("SELECT coalesce(max(seq), 0) + 1 FROM kb_entry").first?.int64(0) ?? 1
            if e.id.isEmpty { e.id = String(format: "KB-%05d", seq) }
            e.version = 1
            try db.execute("INSERT INTO kb_entry (id, seq, \(Self.kbColumns)) VALUES (?, ?, \(values))", [e.id, seq] + Self.arguments(e))
        }
        try db.execute("INSERT INTO kb_version (entry_id, action, \(Self.kbColumns)) VALUES (?, ?, \(values))",
                       [e.id, KnowledgeEntry.versionAction(action, isNew: current == nil).rawValue] + Self.arguments(e))
        return e
    }
}
