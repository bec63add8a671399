import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// 72 hours: when `consultation.closing_soon` is announced unless `--closing-soon-lead` says otherwise.
    public static let defaultClosingSoonLead: TimeInterval = 72 * 3600

    /// Announces, in order, every moment due at `now` that was not announced yet. Safe to run twice.
    func announceClockMoments(now: Date) async throws {
        let (stamp, lead) = (Timestamps.format(now), Int(closingSoonLead))
        let anyDue = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (\(Self.dueMoments))"), arguments: [stamp, lead, nil]) ?? false
        }
        guard anyDue else { return }
        try await pool.write { db in try Self.announceClockMoments(db, now: now, lead: closingSoonLead) }
    }

    /// Inside a write: announces the moments due at `now` (of one consultation when `consultation` is given,
    /// as publishing does, so a consultation published after it opened is announced opened in the same commit).
    static func announceClockMoments(_ db: Database, now: Date, lead: TimeInterval, consultation: String? = nil) throws {
        let stamp = Timestamps.format(now)
        let rows = try Row.fetchAll(db.cachedStatement(sql: Self.dueMoments + " ORDER BY due, seq, rank"),
                                    arguments: [stamp, Int(lead), consultation])
        for row in rows {
            let id: String = row["id"], event: String = row["event"]
            try db.cachedStatement(sql: "INSERT INTO clock_events (consultation_id, event, at) VALUES (?, ?, ?)").execute(arguments: [id, event, stamp])
            try recordWrite(db, actor: nil, municipality: row["municipality_id"], [Change.updated(.consultation, id).named(event)], now: now)
        }
    }

    /// The moments a published consultation reaches as time passes, each announced once in the change feed
    /// (to admins and, while the consultation is public, to everyone): opened at `opens_at`, closing soon
    /// `lead` seconds before `closes_at` (`--closing-soon-lead`) but not before it opens, closed at `closes_at`. Those due at or before
    /// `?1` that have no `clock_events` row; `?2` is the lead in seconds, `?3` one consultation or NULL for all.
    static let dueMoments = """
        SELECT * FROM (
            SELECT c.seq, c.id, c.municipality_id, 'consultation.opened' AS event, 1 AS rank, c.opens_at AS due FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL AND (?3 IS NULL OR c.id = ?3)
            UNION ALL
            SELECT c.seq, c.id, c.municipality_id, 'consultation.closing_soon', 2,
                   max(strftime('%Y-%m-%dT%H:%M:%fZ', c.closes_at, '-' || ?2 || ' seconds'), c.opens_at) FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL AND (?3 IS NULL OR c.id = ?3)
            UNION ALL
            SELECT c.seq, c.id, c.municipality_id, 'consultation.closed', 3, c.closes_at FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL AND (?3 IS NULL OR c.id = ?3)
        ) d WHERE d.due <= ?1 AND NOT EXISTS (SELECT 1 FROM clock_events e WHERE e.consultation_id = d.id AND e.event = d.event)
        """

    /// Inside a write that moved a consultation's opening or deadline: forgets the announcements of moments
    /// that now lie ahead, so they are announced again when the clock reaches them (a reopened consultation
    /// closes again).
    static func rescheduleClockMoments(_ db: Database, consultation: String, opensAt: Date, closesAt: Date, now: Date, lead: TimeInterval) throws {
        try db.cachedStatement(sql: """
            DELETE FROM clock_events WHERE consultation_id = ?1 AND (
                (event = 'consultation.opened' AND ?2 > ?4)
                OR (event = 'consultation.closing_soon' AND max(strftime('%Y-%m-%dT%H:%M:%fZ', ?3, '-' || ?5 || ' seconds'), ?2) > ?4)
                OR (event = 'consultation.closed' AND ?3 > ?4))
            """).execute(arguments: [consultation, Timestamps.format(opensAt), Timestamps.format(closesAt), Timestamps.format(now), Int(lead)])
    }

    /// The next moment after `now` that will need announcing.
    func nextClockMoment(after now: Date) async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT min(due) FROM (\(Self.dueMoments.replacingOccurrences(of: "d.due <= ?1", with: "d.due > ?1")))
                """), arguments: [Timestamps.format(now), Int(closingSoonLead), nil])
        }.map(Timestamps.parse)
    }
}
