import Foundation

/// Counts of a consultation's responses and parties. Built from the responses the caller may read (the
/// store's `Readable` rule), so a public caller's counts move only with published responses.
public struct ConsultationStatistics: Sendable, Equatable {
    public struct Count: Sendable, Equatable {
        public var key: String
        public var label: String?
        public var count: Int

        public init(key: String, label: String? = nil, count: Int) {
            self.key = key
            self.label = label
            self.count = count
        }
    }

    public var consultationId: String
    /// Admins of the municipality count everything; everyone else what they may read.
    public var isAdmin: Bool
    public var responses: Int
    public var byRespondentKind: [Count]
    public var byAnswerType: [Count]
    /// Nil where the caller may not see the analysis.
    public var byTheme: [Count]?
    public var byAccommodated: [Count]?
    public var late: Int
    public var withheld: Int?
    public var withdrawn: Int?
    public var partiesInvited: Int
    public var partiesResponded: Int
    public var partiesNoComments: Int

    /// `readable`: the responses the caller may read, in any state. `showAnalysis`: the caller may see the
    /// analysis (an admin, or anyone while a published memo shows it). `parties` as the public party list shows them.
    public static func build(consultationId: String, isAdmin: Bool, readable: [HearingResponse], showAnalysis: Bool,
                             themes: [Theme], parties: [Party]) -> ConsultationStatistics {
        let counted = readable.filter { $0.status != .withdrawn }
        func count(_ key: String, _ matches: (HearingResponse) -> Bool) -> Count { Count(key: key, count: counted.filter(matches).count) }
        let byTheme = themes.sorted { $0.position < $1.position }.map { theme in
            Count(key: theme.id, label: theme.title, count: counted.filter { $0.analysis?.themeIds.contains(theme.id) ?? false }.count)
        } + [count("unthemed") { ($0.analysis?.themeIds ?? []).isEmpty }]
        let byAccommodated = Accommodated.allCases.map { value in count(value.rawValue) { $0.analysis?.accommodated == value } }
            + [count("unanalysed") { $0.analysis?.accommodated == nil }]
        let noComments = parties.filter { party in
            let answers = counted.filter { $0.submission.partyId == party.id }.map(\.submission.answerType)
            return party.responded && !answers.isEmpty && answers.allSatisfy { $0 == .noComments }
        }.count
        return ConsultationStatistics(
            consultationId: consultationId, isAdmin: isAdmin, responses: counted.count,
            byRespondentKind: RespondentKind.allCases.map { kind in count(kind.rawValue) { $0.submission.respondent.kind == kind } },
            byAnswerType: AnswerType.allCases.map { type in count(type.rawValue) { $0.submission.answerType == type } },
            byTheme: showAnalysis ? byTheme : nil, byAccommodated: showAnalysis ? byAccommodated : nil,
            late: counted.filter(\.late).count,
            withheld: isAdmin ? readable.filter { $0.status == .withheld }.count : nil,
            withdrawn: isAdmin ? readable.filter { $0.status == .withdrawn }.count : nil,
            partiesInvited: parties.count, partiesResponded: parties.filter(\.responded).count, partiesNoComments: noComments)
    }
}
