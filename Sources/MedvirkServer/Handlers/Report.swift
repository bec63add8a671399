import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import OpenAPIRuntime

extension APIHandlers {
    static func api(_ a: CouncilActivity) throws -> Components.Schemas.CouncilActivity {
        .init(
            councilId: a.council.id, name: a.council.draft.name, kind: try convert(a.council.draft.kind), meetingsHeld: a.meetingsHeld,
            minMeetingsPerYear: a.council.draft.minMeetingsPerYear, belowMinimum: a.belowMinimum, seatsDefined: a.seatsDefined,
            seatsFilled: a.seatsFilled,
            termsEndingSoon: a.termsEndingSoon.map { .init(memberId: $0.memberId, name: $0.name, termEnd: $0.termEnd.text) },
            decisions: .init(pending: a.decisions[.pending] ?? 0, followed: a.decisions[.followed] ?? 0,
                             partlyFollowed: a.decisions[.partlyFollowed] ?? 0, notFollowed: a.decisions[.notFollowed] ?? 0),
            followUpsOverdue: a.followUpsOverdue,
            consultations: a.consultations.map { .init(consultationId: $0.consultationId, title: $0.title, responded: $0.responded) })
    }

    func councilActivityReport(_ input: Operations.CouncilActivityReport.Input) async throws -> Operations.CouncilActivityReport.Output {
        let municipality = input.query.municipality
        try checkParameter("municipality", municipality, max: 63)
        let now = store.clock.now()
        let year = input.query.year ?? Int(CalendarDate.today(in: "UTC", now: now).text.prefix(4))!
        guard (1900...2999).contains(year) else {
            throw Problem.badRequest("year must be between 1900 and 2999.", slug: "invalid-parameter", errors: [FieldError("year", "out of range")])
        }
        // Councils by name in their municipality's language (Æ, Ø, Å after Z; "Aa" as Å), municipality by municipality.
        var activity: [CouncilActivity] = []
        let all = try await store.councilActivity(municipality: municipality, year: year, reader: reader)
        for group in Dictionary(grouping: all, by: \.council.draft.municipalityId).sorted(by: { $0.key < $1.key }) {
            let language = try await store.municipality(group.key)?.language ?? .da
            activity += Collation.sorted(group.value, language: language) { $0.council.draft.name }
        }
        if input.query.format == .csv {
            return .ok(.init(body: .csv(HTTPBody(ActivityCSV.render(activity)))))
        }
        return .ok(.init(body: .json(.init(municipalityId: municipality, year: year, generatedAt: now, councils: try activity.map(Self.api)))))
    }
}

/// The activity report as one CSV row per council (RFC 4180, UTF-8 with a BOM, CRLF).
enum ActivityCSV {
    static func render(_ activity: [CouncilActivity]) -> String {
        let header = ["council_id", "name", "kind", "meetings_held", "min_meetings_per_year", "below_minimum", "seats_defined",
                      "seats_filled", "terms_ending_soon", "decisions_pending", "decisions_followed", "decisions_partly_followed",
                      "decisions_not_followed", "follow_ups_overdue", "consultations", "consultations_responded"]
        let rows = activity.map(row)
        return "\u{FEFF}" + ([header] + rows).map(CSV.line).joined()
    }

    static func row(_ a: CouncilActivity) -> [String] {
        let d = a.council.draft
        let counts: [Int] = [a.decisions[.pending] ?? 0, a.decisions[.followed] ?? 0, a.decisions[.partlyFollowed] ?? 0,
                             a.decisions[.notFollowed] ?? 0, a.followUpsOverdue, a.consultations.count,
                             a.consultations.filter(\.responded).count]
        var fields: [String] = [a.council.id, d.name, d.kind.rawValue, String(a.meetingsHeld)]
        fields.append(d.minMeetingsPerYear.map { String($0) } ?? "")
        fields += [String(a.belowMinimum), String(a.seatsDefined), String(a.seatsFilled), String(a.termsEndingSoon.count)]
        return fields + counts.map { String($0) }
    }
}
