import Foundation
import GRDB
import MedvirkCore

/// One council's year, as municipalities otherwise assemble it by hand.
public struct CouncilActivity: Sendable {
    public struct TermEnding: Sendable {
        public var memberId: String
        public var name: String
        public var termEnd: CalendarDate
    }

    public struct ConsultationTakenPart: Sendable {
        public var consultationId: String
        public var title: String
        public var responded: Bool
    }

    public var council: Council
    public var meetingsHeld: Int
    public var seatsDefined: Int
    public var seatsFilled: Int
    public var termsEndingSoon: [TermEnding]
    public var decisions: [FollowUpStatus: Int]
    public var followUpsOverdue: Int
    public var consultations: [ConsultationTakenPart]

    public var belowMinimum: Bool { council.draft.minMeetingsPerYear.map { meetingsHeld < $0 } ?? false }
}

extension Store {
    /// The activity of every live council (of one municipality, or all) in `year`. Seats are counted on the
    /// last day of the year, or today for the current year; terms ending within 90 days count from today.
    /// Meetings, decisions and consultations count only where `reader` may read them one by one.
    public func councilActivity(municipality: String?, year: Int, reader: Reader) async throws -> [CouncilActivity] {
        let now = clock.now()
        let readerArgument = reader.argument, stamp = Timestamps.format(now)
        return try await pool.read { db in
            let visible: [(any DatabaseValueConvertible)?] = [readerArgument, stamp]
            let councils = try CouncilRecord.fetchAll(db, sql: """
                SELECT * FROM councils WHERE deleted_at IS NULL AND (?1 IS NULL OR municipality_id = ?1) ORDER BY municipality_id, seq
                """, arguments: [municipality]).map(\.council)
            return try councils.map { council in
                let zone = try Self.liveMunicipality(db, council.draft.municipalityId)?.timeZone ?? "UTC"
                let today = CalendarDate.today(in: zone, now: now)
                let yearEnd = CalendarDate(String(format: "%04d-12-31", year))!
                let reference = min(today, yearEnd)
                let soon = CalendarDate.today(in: zone, now: now.addingTimeInterval(90 * 86_400))
                let held = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM meetings m WHERE m.council_id = ?3 AND m.status = 'held' AND substr(m.starts_at, 1, 4) = ?4
                      AND \(Readable.condition(.meeting, "m", reader: "?1", now: "?2"))
                    """, arguments: StatementArguments(visible + [council.id, String(format: "%04d", year)])) ?? 0
                let members = try Self.liveMembers(db, council: council.id)
                let filled = members.filter { $0.draft.deputyOf == nil && $0.draft.activeOn(reference) }.count
                let ending = members.compactMap { member -> CouncilActivity.TermEnding? in
                    guard let end = member.draft.termEnd, today <= end, end <= soon else { return nil }
                    return CouncilActivity.TermEnding(memberId: member.id, name: member.draft.name, termEnd: end)
                }
                var decisions = Dictionary(uniqueKeysWithValues: FollowUpStatus.allCases.map { ($0, 0) })
                for row in try Row.fetchAll(db, sql: """
                    SELECT d.follow_up_status AS status, count(*) AS n FROM decisions d JOIN meetings m ON m.id = d.meeting_id
                    WHERE d.council_id = ?3 AND substr(m.starts_at, 1, 4) = ?4
                      AND \(Readable.condition(.decision, "d", reader: "?1", now: "?2"))
                    GROUP BY d.follow_up_status
                    """, arguments: StatementArguments(visible + [council.id, String(format: "%04d", year)])) {
                    if let status = FollowUpStatus(rawValue: row["status"]) { decisions[status] = row["n"] }
                }
                let overdue = try Int.fetchOne(db, sql: """
                    SELECT count(*) FROM decisions d WHERE d.council_id = ?3 AND d.follow_up_status = 'pending' AND d.created_at < ?4
                      AND \(Readable.condition(.decision, "d", reader: "?1", now: "?2"))
                    """, arguments: StatementArguments(visible + [council.id, Timestamps.format(now.addingTimeInterval(-90 * 86_400))])) ?? 0
                let consultations = try Row.fetchAll(db, sql: """
                    SELECT c.id, c.title, EXISTS (SELECT 1 FROM responses r WHERE r.party_id = p.id AND r.status != 'withdrawn') AS responded
                    FROM parties p JOIN consultations c ON c.id = p.consultation_id
                    WHERE p.council_id = ?3 AND p.deleted_at IS NULL AND substr(c.closes_at, 1, 4) = ?4
                      AND \(Readable.condition(.consultation, "c", reader: "?1", now: "?2"))
                    ORDER BY c.closes_at
                    """, arguments: StatementArguments(visible + [council.id, String(format: "%04d", year)])).map {
                    CouncilActivity.ConsultationTakenPart(consultationId: $0["id"], title: $0["title"], responded: $0["responded"])
                }
                return CouncilActivity(council: council, meetingsHeld: held, seatsDefined: council.draft.seats.reduce(0) { $0 + $1.count },
                                       seatsFilled: filled, termsEndingSoon: ending, decisions: decisions,
                                       followUpsOverdue: overdue, consultations: consultations)
            }
        }
    }
}
