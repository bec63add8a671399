import Foundation

/// The hearing memo (høringsnotat) of a consultation, built from the stored data in the structure the Danish
/// Ministry of Justice's guidance on hearings sets out: the period, the parties heard (alphabetically, marked
/// where they answered), a summary of each response grouped by subject, and the authority's assessment of
/// each and whether it was accommodated. The server renders it as JSON, Markdown, HTML and CSV.
public struct HearingMemo: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        public var opensAt: Date
        public var closesAt: Date
        public var opensOn: CalendarDate
        public var closesOn: CalendarDate
        public var days: Int
        public var timeZone: String
        public var shortPeriodReason: String?
    }

    public enum PartyAnswer: String, Sendable, CaseIterable { case responded, noComments = "no_comments", noResponse = "no_response" }

    public struct PartyLine: Sendable, Equatable {
        public var name: String
        public var kind: PartyKind
        public var answer: PartyAnswer
    }

    /// Who sent a response, as the public may see it: the name only where the respondent agreed.
    public struct Sender: Sendable, Equatable {
        public var kind: RespondentKind
        public var name: String?
        public var organisation: String?
        public var onBehalfOf: String?
    }

    public struct Entry: Sendable, Equatable {
        public var receiptNumber: String
        public var receivedAt: Date
        public var late: Bool
        public var answerType: AnswerType
        public var sender: Sender
        public var themeIds: [String]
        public var summary: String?
        public var assessment: String?
        public var accommodated: Accommodated?
    }

    /// The responses under one theme, or (`themeId` nil) those without a theme.
    public struct Section: Sendable, Equatable {
        public var themeId: String?
        public var title: String
        public var description: String?
        public var entries: [Entry]
    }

    public struct Counts: Sendable, Equatable {
        public var responses: Int
        public var noComments: Int
        public var late: Int
        public var withheld: Int
        public var partiesInvited: Int
        public var partiesResponded: Int
    }

    public var consultationId: String
    /// Nil for a draft.
    public var version: Int?
    public var language: Language
    public var municipalityName: String
    public var title: String
    public var caseNumber: String?
    public var period: Period
    public var introduction: String?
    public var parties: [PartyLine]
    public var sections: [Section]
    public var recommendation: String?
    public var counts: Counts
    public var generatedAt: Date
    /// Every response in the memo, once each, in the order received (the CSV overview's rows).
    public var entries: [Entry]
    /// Theme titles by id, for the overview.
    public var themeTitles: [String: String]

    public var isDraft: Bool { version == nil }

    /// The memo of `consultation` now. `responses` are all of its responses in any state (withdrawn and
    /// withheld ones are left out, withheld ones counted); `parties` as `GET …/parties` shows them.
    public static func build(consultation: Consultation, municipality: Municipality, parties: [Party], responses: [HearingResponse],
                             themes: [Theme], version: Int?, now: Date) -> HearingMemo {
        let d = consultation.draft
        let zone = municipality.timeZone
        let period = Period(opensAt: d.opensAt, closesAt: d.closesAt, opensOn: CalendarDate.today(in: zone, now: d.opensAt),
                            closesOn: CalendarDate.today(in: zone, now: d.closesAt),
                            days: HearingPeriod.days(opensAt: d.opensAt, closesAt: d.closesAt, timeZone: zone),
                            timeZone: zone, shortPeriodReason: d.shortPeriodReason)
        let live = responses.filter { $0.status != .withdrawn }
        let lines = Collation.sorted(parties, language: municipality.language) { $0.name }.map { party -> PartyLine in
            let answers = live.filter { $0.submission.partyId == party.id }.map(\.submission.answerType)
            let answer: PartyAnswer = !party.responded ? .noResponse
                : (!answers.isEmpty && answers.allSatisfy { $0 == .noComments }) ? .noComments : .responded
            return PartyLine(name: party.name, kind: party.kind, answer: answer)
        }
        let included = responses.filter { $0.status == .received || $0.status == .published }
            .sorted { ($0.receivedAt, $0.receiptNumber) < ($1.receivedAt, $1.receiptNumber) }
        let entries = included.map(entry)
        var sections = themes.sorted { $0.position < $1.position }.map { theme in
            Section(themeId: theme.id, title: theme.title, description: theme.description,
                    entries: entries.filter { $0.themeIds.contains(theme.id) })
        }.filter { !$0.entries.isEmpty }
        let unthemed = entries.filter { $0.themeIds.isEmpty }
        if !unthemed.isEmpty {
            sections.append(Section(themeId: nil, title: MemoWording.of(municipality.language).otherResponses, description: nil, entries: unthemed))
        }
        let counts = Counts(responses: entries.count, noComments: entries.filter { $0.answerType == .noComments }.count,
                            late: entries.filter(\.late).count, withheld: responses.filter { $0.status == .withheld }.count,
                            partiesInvited: parties.count, partiesResponded: parties.filter(\.responded).count)
        return HearingMemo(consultationId: consultation.id, version: version, language: municipality.language,
                           municipalityName: municipality.name, title: d.title, caseNumber: d.caseNumber, period: period,
                           introduction: d.memoIntroduction, parties: lines, sections: sections, recommendation: d.memoRecommendation,
                           counts: counts, generatedAt: now, entries: entries,
                           themeTitles: Dictionary(themes.map { ($0.id, $0.title) }, uniquingKeysWith: { a, _ in a }))
    }

    /// A response as the memo shows it. The memo is public, and a response that is only received has not been
    /// through moderation: a sender field that still holds a national identity number after the redactions
    /// is left out, whatever the response's state.
    static func entry(_ r: HearingResponse) -> Entry {
        let shown = Dictionary(r.publicFields.map { ($0.name, $0.text) }, uniquingKeysWith: { a, _ in a })
        func field(_ name: String) -> String? {
            guard let text = shown[name] ?? nil, !NationalIdScreening.containsNationalId(text) else { return nil }
            return text
        }
        let sender = Sender(kind: r.submission.respondent.kind, name: field("respondent.name"), organisation: field("respondent.organisation"),
                            onBehalfOf: field("respondent.on_behalf_of"))
        return Entry(receiptNumber: r.receiptNumber, receivedAt: r.receivedAt, late: r.late, answerType: r.submission.answerType,
                     sender: sender, themeIds: r.analysis?.themeIds ?? [], summary: r.analysis?.summary,
                     assessment: r.analysis?.assessment, accommodated: r.analysis?.accommodated)
    }

    /// The responses a memo cannot be published without analysing: received or published, with comments,
    /// and no analysis yet ("no comments" answers and withheld responses need none).
    public static func unanalysed(_ responses: [HearingResponse]) -> [HearingResponse] {
        responses.filter { ($0.status == .received || $0.status == .published) && $0.submission.answerType == .withComments && $0.analysis == nil }
            .sorted { $0.receiptNumber < $1.receiptNumber }
    }
}
