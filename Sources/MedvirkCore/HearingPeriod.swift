import Foundation

/// The hearing period of a consultation in the days people count: from the local opening date to the local
/// closing date, in the municipality's time zone. Both countries set a normal minimum: Denmark's Ministry of
/// Justice guidance on hearings (vejledning om høring, normally at least 4 weeks, a stated reason when
/// shorter) and Norway's utredningsinstruksen §3-3 (normally 3 months, never under 6 weeks without a
/// written reason).
public enum HearingPeriod {
    /// 28 days in Denmark, 42 in Norway.
    public static func defaultMinimumDays(_ country: Country) -> Int { country == .dk ? 28 : 42 }

    /// The closing date minus the opening date, both in `timeZone` (a period from 1 March 09:00 to 29 March
    /// 12:00 is 28 days, whatever the hours and daylight saving time).
    public static func days(opensAt: Date, closesAt: Date, timeZone: String) -> Int {
        let open = CalendarDate.today(in: timeZone, now: opensAt), close = CalendarDate.today(in: timeZone, now: closesAt)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func day(_ date: CalendarDate) -> Date {
            let parts = date.text.split(separator: "-").compactMap { Int($0) }
            return utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])) ?? Date(timeIntervalSince1970: 0)
        }
        return utc.dateComponents([.day], from: day(open), to: day(close)).day ?? 0
    }

    /// The rule when a consultation is published, a published one's period changes, or its reason is taken
    /// away (also while it is concluded or withdrawn): a period shorter than `minimum` days needs a reason
    /// (422 `hearing-period-too-short` naming `short_period_reason`). A consultation published before the
    /// rule keeps its period until it changes.
    public static func check(_ next: ConsultationDraft, previous: ConsultationDraft?, timeZone: String, minimum: Int) throws {
        guard next.status != .draft else { return }
        let publishing = next.status == .published && (previous == nil || previous?.status == .draft)
        let periodChanged = previous.map { $0.opensAt != next.opensAt || $0.closesAt != next.closesAt } ?? true
        let hadReason = !(previous?.shortPeriodReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        guard publishing || periodChanged || hadReason else { return }
        let days = days(opensAt: next.opensAt, closesAt: next.closesAt, timeZone: timeZone)
        guard days < minimum, (next.shortPeriodReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        throw Problem(status: 422, slug: "hearing-period-too-short", title: "Hearing period too short",
                      detail: "The hearing period is \(days) days, shorter than the municipality's minimum of \(minimum) days (min_hearing_days); give short_period_reason to publish it.",
                      errors: [FieldError("short_period_reason", "is required when the period (\(days) days) is shorter than min_hearing_days (\(minimum))")])
    }
}
