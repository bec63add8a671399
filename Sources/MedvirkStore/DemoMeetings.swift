import Foundation
import MedvirkCore

/// A year of demo meetings in Fjordby: quarterly council meetings with agendas (one closed item each),
/// approved and draft minutes, decisions in every follow-up state, a council below its minimum,
/// citizen meetings during the consultations and one cancelled meeting.
extension Store {
    func loadMeetingDemo() async throws {
        let now = clock.now()
        let day: TimeInterval = 86_400
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Copenhagen")!
        let yearStart = calendar.date(from: calendar.dateComponents([.year], from: now))!
        let councils = try await councils(CouncilFilter(municipality: "fjordby"), PageRequest(limit: 200, after: nil)).items
        func council(_ kind: CouncilKind) -> Council? { councils.first { $0.draft.kind == kind } }
        let hall = MeetingLocation(name: "Fjordby Rådhus, mødelokale 2", address: "Torvet 1, 4000 Fjordby")
        let access = Accessibility(stepFree: true, hearingLoop: true, signLanguageInterpreter: false, notes: "Elevator ved hovedindgangen.")

        /// Meetings at the local hours such meetings keep: councils at 16, citizen meetings at 19, theme days at 10.
        func localHour(_ kind: MeetingKind) -> Int {
            switch kind {
            case .councilMeeting: 16
            case .citizenMeeting, .informationMeeting: 19
            case .themeDay, .workshop: 10
            case .openHouse: 14
            }
        }

        func meeting(_ council: Council?, _ kind: MeetingKind, _ title: String, at day: Date, hours: Double = 2,
                     status: MeetingStatus, consultation: String? = nil, location: MeetingLocation? = nil) async throws -> Meeting {
            let start = calendar.date(bySettingHour: localHour(kind), minute: 0, second: 0, of: day) ?? day
            return try await createMeeting(MeetingDraft(
                municipalityId: "fjordby", councilId: council?.id, consultationId: consultation, kind: kind, title: title,
                description: nil, startsAt: start, endsAt: start + hours * 3600, location: location ?? hall, onlineURL: nil,
                isPublic: true, status: status, accessibility: access,
                registration: kind == .councilMeeting ? nil : Registration(required: false, url: nil, deadline: nil)), actor: .service)
        }

        func item(_ meeting: Meeting, _ title: String, _ kind: AgendaItemKind, open: Bool = true) async throws -> AgendaItem {
            try await createAgendaItem(meeting: meeting.id, AgendaItemDraft(
                position: nil, title: title, description: nil, kind: kind, isPublic: open, documents: [], consultationId: nil), actor: .service)
        }

        /// Holds a council meeting: agenda with a closed item, minutes listing the voting members, an advisory decision.
        func hold(_ council: Council, _ number: Int, at start: Date, approve: Bool, followUp: FollowUp?) async throws {
            let m = try await meeting(council, .councilMeeting, "\(council.draft.name): møde \(number)", at: start, status: .held)
            _ = try await item(m, "Godkendelse af dagsorden og referat", .information)
            let advice = try await item(m, "Budget og serviceniveau", .advice)
            _ = try await item(m, "Enkeltsag (lukket punkt)", .discussion, open: false)
            let date = CalendarDate.today(in: "Europe/Copenhagen", now: start)
            let voting = try await members(council: council.id, .on(date), PageRequest(limit: 200, after: nil)).items
                .filter { $0.draft.voting }.map(\.id)
            _ = try await putMinutes(meeting: m.id, text: "Rådet drøftede budgettet og afgav høringssvar.", present: voting, absent: [], actor: .service)
            if approve { _ = try await approveMinutes(meeting: m.id, actor: .service) }
            guard let followUp, !voting.isEmpty else { return }
            let decision = try await createDecision(meeting: m.id, item: advice.id, text: "Rådet anbefaler, at serviceniveauet fastholdes.",
                                                    votes: Votes(inFavour: voting.count, against: 0, abstain: 0), actor: .service)
            if followUp.status != .pending { _ = try await updateFollowUp(decision.id, followUp, actor: .service) }
        }

        let quarters = [15.0, 100, 190, 280].map { yearStart + $0 * day }.filter { $0 < now - day }
        let followUps = [
            FollowUp(status: .followed, feedback: "Anbefalingen er indarbejdet i budgettet.", respondedAt: nil),
            FollowUp(status: .partlyFollowed, feedback: "Fastholdt for hjemmeplejen, ikke for madservice, af økonomiske grunde.", respondedAt: nil),
            FollowUp(status: .notFollowed, feedback: "Kommunalbestyrelsen prioriterede skoleområdet; besparelsen var nødvendig.", respondedAt: nil),
            FollowUp(status: .pending, feedback: nil, respondedAt: nil),
        ]
        if let senior = council(.seniorCouncil) {
            for (i, start) in quarters.enumerated() {
                try await hold(senior, i + 1, at: start, approve: i < quarters.count - 1, followUp: followUps[i % followUps.count])
            }
        }
        if let disability = council(.disabilityCouncil) {
            // Two meetings against a minimum of four: below the minimum in the activity report.
            for (i, start) in quarters.prefix(2).enumerated() {
                try await hold(disability, i + 1, at: start + 2 * day, approve: true, followUp: nil)
            }
        }
        if let centre = council(.userCouncil) {
            for (i, start) in quarters.enumerated() {
                try await hold(centre, i + 1, at: start + 5 * day, approve: true, followUp: i == 0 ? followUps[0] : nil)
            }
            _ = try await meeting(centre, .councilMeeting, "Brugerrådsmøde (aflyst)", at: now + 20 * day, status: .cancelled)
            _ = try await meeting(centre, .councilMeeting, "Brugerrådsmøde", at: now + 45 * day, status: .planned)
        }

        let consultations = try await consultations(ConsultationFilter(municipality: "fjordby", reader: Reader(administers: ["*"])), PageRequest(limit: 50, after: nil)).items
        if let road = consultations.first(where: { $0.draft.title.contains("Strandvejen") }) {
            _ = try await meeting(nil, .citizenMeeting, "Borgermøde om Strandvejen", at: road.draft.opensAt + 10 * day, status: .held,
                                  consultation: road.id, location: MeetingLocation(name: "Strandskolens aula", address: "Strandvejen 40"))
        }
        if let policy = consultations.first(where: { $0.draft.title.contains("værdighedspolitik") }) {
            _ = try await meeting(nil, .themeDay, "Temadag: et værdigt ældreliv", at: policy.draft.opensAt + 15 * day, hours: 5,
                                  status: .planned, consultation: policy.id)
        }
        _ = try await meeting(nil, .openHouse, "Åbent hus på Aktivitetscenter Solhøj", at: now + 12 * day, hours: 3, status: .planned,
                              location: MeetingLocation(name: "Aktivitetscenter Solhøj", address: "Solvej 1"))
    }
}
