import Foundation
import MedvirkCore

/// Demo hearing memos: a concluded Danish consultation in Fjordby and a concluded Norwegian one in Nordvik,
/// each with themes, analysed responses, a party that answered "no comments" and a published memo.
extension Store {
    func loadMemoDemo(render: @escaping @Sendable (HearingMemo) throws -> RenderedMemo) async throws {
        let now = clock.now()
        let day: TimeInterval = 86_400
        try await loadMemoDemo(
            municipality: "fjordby", token: "Demo: Fjordby høringsportal",
            render: render,
            consultation: ConsultationDraft(
                municipalityId: "fjordby", serviceAreaId: nil, title: "Vinteråbent havnebad",
                summary: "Skal havnebadet holde åbent om vinteren med sauna og omklædning?",
                body: "Kommunen foreslår at holde havnebadet åbent fra oktober til april med en sauna drevet af en forening.",
                caseNumber: "28/0415", documents: [], opensAt: now - 70 * day, closesAt: now - 40 * day, status: .published, audience: .public,
                latePolicy: .reject, publishResponses: .onApproval, conclusion: nil, tags: ["fritid"],
                memoIntroduction: "Forslaget var i offentlig høring i 30 dage. Notatet gengiver høringssvarene i resumé og administrationens bemærkninger.",
                memoRecommendation: "Administrationen indstiller, at havnebadet holder vinteråbent i en forsøgsperiode på to år, og at saunaen placeres ved den nordlige mole."),
            themes: [("Åbningstider", "Hvornår badet skal være åbent."), ("Sauna og omklædning", nil), ("Sikkerhed", "Livredning og is.")],
            parties: [("Ældrerådet", .council), ("Aabenraa Vinterbadere", .organisation), ("Fjordby Svømmeklub", .organisation),
                      ("Zealand Kajakklub", .organisation)],
            responses: [
                (0, "Ældrerådet", .council, nil, .withComments, "Ældrerådet støtter forslaget, men beder om gode adgangsforhold og håndgreb ved trappen.",
                 "Ældrerådet støtter vinteråbent bad og ønsker bedre adgang.", [0, 1], "Der etableres håndgreb og en ny trappe.", .yes),
                (1, "Aabenraa Vinterbadere", .organisation, nil, .noComments, "", nil, [], nil, nil),
                (nil, "Karen Friis", .citizen, true, .withComments, "Jeg frygter at saunaen larmer om aftenen, og at der bliver for mange biler.",
                 "Bekymring for støj og parkering om aftenen.", [1], "Saunaen lukker kl. 21; parkering henvises til havnepladsen.", .partly),
                (nil, "Ole Strand", .citizen, false, .withComments, "Der bør være livredder til stede, når isen ligger.",
                 "Ønsker livredder ved is.", [2], "Badet lukker ved islæg; der opsættes redningsudstyr.", .no),
            ])
        try await loadMemoDemo(
            municipality: "nordvik", token: "Demo: Nordvik høyringsportal",
            render: render,
            consultation: ConsultationDraft(
                municipalityId: "nordvik", serviceAreaId: nil, title: "Ny plan for helse og omsorg 2027–2030",
                summary: "Forslag til ny plan for helse og omsorg med vekt på hverdagsmestring og velferdsteknologi.",
                body: "Planen legger opp til flere trygghetsalarmer, mer hjemmetrening og et nytt dagsenter.",
                caseNumber: "2026/1187", documents: [], opensAt: now - 120 * day, closesAt: now - 60 * day, status: .published, audience: .public,
                latePolicy: .reject, publishResponses: .onApproval, conclusion: nil, tags: ["helse"],
                memoIntroduction: "Planen var på offentlig høring i 60 dager. Notatet oppsummerer høringsuttalelsene og kommunedirektørens vurdering.",
                memoRecommendation: "Kommunedirektøren tilrår at planen vedtas med endringene som er omtalt i notatet."),
            themes: [("Velferdsteknologi", nil), ("Dagsenter", "Plassering og åpningstider.")],
            parties: [("Eldrerådet", .council), ("Øvre Nordvik velforening", .organisation), ("Fylkeskommunen", .authority),
                      ("Aasen bygdelag", .organisation)],
            responses: [
                (0, "Eldrerådet", .council, nil, .withComments, "Eldrerådet er positivt, men ber om opplæring i bruk av trygghetsalarmer.",
                 "Positivt, ber om opplæring.", [0], "Opplæring innarbeides i planen.", .yes),
                (2, "Fylkeskommunen", .authority, nil, .noComments, "", nil, [], nil, nil),
                (nil, "Kari Nordmann", .citizen, true, .withComments, "Dagsenteret bør ligge sentralt og ha åpent på lørdager.",
                 "Ønsker sentral plassering og lørdagsåpent.", [1], "Lørdagsåpent vurderes i budsjettet.", .partly),
            ])
    }

    /// One concluded consultation with its parties, themes, analysed responses (submitted inside the window)
    /// and a published memo. Each response: the party it answers for (index), sender, kind, publish_name,
    /// answer type, text, summary, theme indexes, assessment, accommodated.
    private func loadMemoDemo(municipality: String, token name: String,
                              render: @escaping @Sendable (HearingMemo) throws -> RenderedMemo, consultation draft: ConsultationDraft,
                              themes: [(String, String?)], parties: [(String, PartyKind)],
                              responses: [(Int?, String, RespondentKind, Bool?, AnswerType, String, String?, [Int], String?, Accommodated?)]) async throws {
        let (token, _) = try await createToken(name: name, scope: .partner, municipalities: [municipality])
        let consultation = try await at(draft.opensAt - 86_400).createConsultation(draft, actor: .service)
        let partyIds = try await parties.asyncMap { try await createParty(consultation: consultation.id, name: $0.0, kind: $0.1, councilId: nil,
                                                                          partnerTokenId: nil, actor: .service).id }
        let themeIds = try await themes.asyncMap { try await createTheme(consultation: consultation.id, ThemeDraft(title: $0.0, description: $0.1, position: nil), actor: .service).id }
        let window = at(draft.opensAt + 86_400)
        for (i, r) in responses.enumerated() {
            let kind = r.2
            let submission = Submission(
                respondent: Respondent(kind: kind, name: r.1, organisation: kind == .citizen ? nil : r.1, email: "demo\(i)@example.org",
                                       address: kind == .citizen ? "Demovej \(i + 1)" : nil, onBehalfOf: nil, publishName: r.3 ?? true),
                text: r.5, partyId: r.0.map { partyIds[$0] }, answerType: r.4)
            guard case .created(let response) = try await window.submitResponse(
                consultation: consultation.id, submission, token: token, idempotencyKey: "demo-memo-\(i)", actor: .service) else { continue }
            let analysis: Moderation.AnalysisChange = r.4 == .noComments ? .keep
                : .set(ResponseAnalysis(summary: r.6, themeIds: r.7.map { themeIds[$0] }, assessment: r.8, accommodated: r.9))
            _ = try await moderateResponse(response.id, Moderation(status: .published, withheldReason: nil, redactions: nil, analysis: analysis),
                                           actor: .service)
        }
        _ = try await publishMemo(consultation: consultation.id, actor: .service, render: render)
        guard let current = try await self.consultation(consultation.id) else { return }
        var concluded = current.draft
        concluded.status = .concluded
        _ = try await updateConsultation(consultation.id, concluded, actor: .service)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
