import Foundation
import GRDB
import MedvirkCore

extension Store {
    /// 72 hours: when `consultation.closing_soon` is announced unless `--closing-soon-lead` says otherwise.
    public static let defaultClosingSoonLead: TimeInterval = 72 * 3600

    /// Announces, in commit order, every moment due at `now` that was not announced yet. Safe to run twice.
    func announceClockMoments(now: Date, lead: TimeInterval) async throws {
        let stamp = Timestamps.format(now)
        let anyDue = try await pool.read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (\(Self.dueMoments))"), arguments: [stamp, Int(lead)]) ?? false
        }
        guard anyDue else { return }
        try await pool.write { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.dueMoments + " ORDER BY due, seq, event"), arguments: [stamp, Int(lead)])
            for row in rows {
                let id: String = row["id"], event: String = row["event"]
                try db.cachedStatement(sql: "INSERT INTO clock_events (consultation_id, event, at) VALUES (?, ?, ?)").execute(arguments: [id, event, stamp])
                try Self.recordWrite(db, actor: nil, municipality: row["municipality_id"], [Change.updated(.consultation, id).named(event)], now: now)
            }
        }
    }

    /// The moments a published consultation reaches as time passes, each announced once in the change feed
    /// (to admins and, while the consultation is public, to everyone): opened at `opens_at`, closing soon
    /// `lead` seconds before `closes_at` (`--closing-soon-lead`), closed at `closes_at`. Those due at or before
    /// `?1` that have no `clock_events` row; `?2` is the lead in seconds.
    static let dueMoments = """
        SELECT * FROM (
            SELECT c.seq, c.id, c.municipality_id, 'consultation.opened' AS event, c.opens_at AS due FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL
            UNION ALL
            SELECT c.seq, c.id, c.municipality_id, 'consultation.closing_soon',
                   strftime('%Y-%m-%dT%H:%M:%fZ', c.closes_at, '-' || ?2 || ' seconds') FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL
            UNION ALL
            SELECT c.seq, c.id, c.municipality_id, 'consultation.closed', c.closes_at FROM consultations c
            WHERE c.status = 'published' AND c.deleted_at IS NULL
        ) d WHERE d.due <= ?1 AND NOT EXISTS (SELECT 1 FROM clock_events e WHERE e.consultation_id = d.id AND e.event = d.event)
        """

    /// The next moment after `now` that will need announcing.
    func nextClockMoment(after now: Date, lead: TimeInterval) async throws -> Date? {
        try await pool.read { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT min(due) FROM (\(Self.dueMoments.replacingOccurrences(of: "d.due <= ?1", with: "d.due > ?1")))
                """), arguments: [Timestamps.format(now), Int(lead)])
        }.map(Timestamps.parse)
    }
}
