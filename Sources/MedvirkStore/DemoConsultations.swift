import Foundation
import MedvirkCore

/// Demo consultations in Fjordby: a road project with many responses (some published, some withheld,
/// one late), an open policy consultation, and a budget consultation for invited councils only.
extension Store {
    /// The same database read at another time, so demo responses can arrive inside a past window.
    func at(_ date: Date) -> Store {
        Store(pool: pool, path: path, migrator: migrator, clock: ManualClock(date), generations: generations, submissions: submissions,
              tokenReader: tokenReader, tokenCache: tokenCache)
    }

    func loadConsultationDemo() async throws {
        let now = clock.now()
        let day: TimeInterval = 86_400
        let (webForm, _) = try await createToken(name: "Demo: Fjordby web form", scope: .partner, municipalities: ["fjordby"])
        let (association, _) = try await createToken(name: "Demo: Danske Handicaporganisationer Fjordby", scope: .partner, municipalities: ["fjordby"])
        let technical = try await createServiceArea(ServiceAreaDraft(municipalityId: "fjordby", name: "Teknik og Miljø", description: "Veje, natur og byggeri."), actor: .service)

        let road = try await createConsultation(ConsultationDraft(
            municipalityId: "fjordby", serviceAreaId: technical.id, title: "Ombygning af Strandvejen med cykelstier",
            summary: "Forslag til dobbeltrettet cykelsti, færre parkeringspladser og nye fodgængerfelter på Strandvejen.",
            body: "Kommunen foreslår at ombygge Strandvejen mellem havnen og skolen. Forslaget omfatter cykelsti, nye træer og to hævede flader.",
            caseNumber: "14/8857", documents: [ConsultationDocument(title: "Projektforslag (PDF)", url: "https://fjordby.example.dk/hoeringer/strandvejen.pdf")],
            opensAt: now - 40 * day, closesAt: now - 5 * day, status: .published, audience: .public, latePolicy: .acceptFlagged,
            publishResponses: .afterDeadline, conclusion: nil, tags: ["trafik", "cykelsti"]), actor: .service)
        let voices = [
            ("Anne Kjær", true, "Jeg bor på Strandvejen og støtter cykelstien; mine børn kan endelig cykle sikkert til skole."),
            ("Peter Lund", false, "Vi mister for mange parkeringspladser. Butikkerne ved havnen er afhængige af bilister."),
            ("Grundejerforeningen Strandparken", true, "Foreningen ønsker at de hævede flader flyttes væk fra indkørslerne."),
            ("Mette Holm", true, "Husk belysning på stien, det er mørkt om vinteren."),
            ("Lars Bech", false, "Projektet er for dyrt. Brug pengene på skolerne i stedet."),
            ("Fjordby Cykelklub", true, "Klubben bakker op og foreslår at stien forlænges til stationen."),
        ]
        let past = at(now - 20 * day)
        var stored: [HearingResponse] = []
        for i in 0..<24 {
            let (name, publish, text) = voices[i % voices.count]
            let kind: RespondentKind = name.contains("forening") || name.contains("klub") ? .organisation : .citizen
            let submission = Submission(
                respondent: Respondent(kind: kind, name: name, organisation: kind == .organisation ? name : nil,
                                       email: "svar\(i)@example.dk", address: kind == .citizen ? "Strandvejen \(i + 1)" : nil,
                                       onBehalfOf: nil, publishName: publish),
                text: i == 7 ? text + " Mit CPR-nummer er 120385-1233, hvis I vil ringe." : text, partyId: nil)
            if case .created(let response) = try await past.submitResponse(
                consultation: road.id, submission, token: webForm, idempotencyKey: "demo-road-\(i)", actor: .service) {
                stored.append(response)
            }
        }
        let late = Submission(respondent: Respondent(kind: .citizen, name: "Birgit Dahl", organisation: nil, email: "birgit@example.dk",
                                                     address: "Havnegade 2", onBehalfOf: nil, publishName: false),
                              text: "Undskyld det sene svar: jeg ønsker et fodgængerfelt ved bageren.", partyId: nil)
        _ = try await submitResponse(consultation: road.id, late, token: webForm, idempotencyKey: "demo-road-late", actor: .service)
        for (i, response) in stored.enumerated() {
            let moderation: Moderation = switch i {
            case 4, 10: Moderation(status: .withheld, withheldReason: "Indeholder personlige oplysninger om tredjemand.", redactions: nil)
            case 7: Moderation(status: .published, withheldReason: nil, redactions: ["120385-1233"])
            case 20...: Moderation(status: nil, withheldReason: nil, redactions: nil)
            default: Moderation(status: .published, withheldReason: nil, redactions: nil)
            }
            if moderation.status != nil { _ = try await moderateResponse(response.id, moderation, actor: .service) }
        }

        // The policy consultation's own papers are hosted by Medvirk, and a response carries an attached letter.
        func hosted(_ bytes: Data, _ name: String, _ type: String, by token: String) async throws -> StoredFile {
            try await storeFile(bytes, NewFile(municipalityId: "fjordby", filename: name, mediaType: type, uploadedBy: token, idempotencyKey: nil),
                                actor: .service)
        }
        let letter = try await hosted(DemoFiles.pdf("Høringsbrev: Værdighedspolitik 2027-2030", [
            "Fjordby Kommune sender forslaget til ny værdighedspolitik i offentlig høring.",
            "Høringssvar sendes senest ved høringsfristens udløb.",
        ]), "Høringsbrev værdighedspolitik.pdf", "application/pdf", by: webForm.id)
        let proposal = try await hosted(DemoFiles.pdf("Forslag: Værdighedspolitik 2027-2030", [
            "1. Selvbestemmelse  2. Pårørendesamarbejde  3. Mad og måltider  4. En værdig død",
        ]), "Forslag værdighedspolitik.pdf", "application/pdf", by: webForm.id)
        let parties = try await hosted(Data("Høringsliste\n\nÆldrerådet\nHandicaprådet\nDanske Handicaporganisationer Fjordby\nPensionistforeningen\n".utf8),
                                       "Høringsliste.txt", "text/plain", by: webForm.id)
        let policy = try await createConsultation(ConsultationDraft(
            municipalityId: "fjordby", serviceAreaId: nil, title: "Forslag til ny værdighedspolitik 2027-2030",
            summary: "Hvordan sikrer vi et værdigt ældreliv? Kommunen ønsker borgernes input til den nye politik.",
            body: "Politikken beskriver mål for selvbestemmelse, pårørendesamarbejde, mad og måltider samt en værdig død.",
            caseNumber: "27/1102", documents: [
                ConsultationDocument(title: "Høringsbrev", url: nil, fileId: letter.id, kind: .hearingLetter, language: "da"),
                ConsultationDocument(title: "Høringsliste", url: nil, fileId: parties.id, kind: .partyList, language: "da"),
                ConsultationDocument(title: "Forslag til værdighedspolitik", url: nil, fileId: proposal.id, kind: .proposal, language: "da"),
            ],
            opensAt: now - 10 * day, closesAt: now + 20 * day, status: .published,
            audience: .public, latePolicy: .reject, publishResponses: .onApproval, conclusion: nil, tags: ["ældre", "politik"]), actor: .service)
        let attached = try await hosted(DemoFiles.pdf("Høringssvar fra Pensionistforeningen", [
            "Foreningen støtter politikken, men savner konkrete mål for mad og måltider på plejecentrene.",
        ]), "Høringssvar Pensionistforeningen.pdf", "application/pdf", by: webForm.id)
        let withLetter = Submission(
            respondent: Respondent(kind: .organisation, name: "Inge Sørensen", organisation: "Pensionistforeningen Fjordby", email: "formand@example.dk",
                                   address: nil, onBehalfOf: nil, publishName: true),
            text: "Se vores vedhæftede høringssvar.", partyId: nil, attachments: [AttachmentInput(fileId: attached.id, title: "Høringssvar")])
        if case .created(let response) = try await submitResponse(consultation: policy.id, withLetter, token: webForm,
                                                                  idempotencyKey: "demo-policy-letter", actor: .service) {
            _ = try await moderateResponse(response.id, Moderation(status: .published, withheldReason: nil, redactions: nil), actor: .service)
            _ = try await moderateAttachment(response: response.id, file: attached.id,
                                             AttachmentModeration(status: .published, reason: nil, personalDataChecked: true, replacementFileId: nil),
                                             actor: .service)
        }

        let budget = try await createConsultation(ConsultationDraft(
            municipalityId: "fjordby", serviceAreaId: nil, title: "Budget 2027: høring af de lovpligtige råd",
            summary: "Ældrerådet og Handicaprådet høres om budgetforslaget for 2027.",
            body: "Budgetforslaget indeholder besparelser på hjælpemidler og en udvidelse af træningstilbud.",
            caseNumber: "00/2027", documents: [], opensAt: now - 2 * day, closesAt: now + 30 * day, status: .published,
            audience: .invited, latePolicy: .reject, publishResponses: .onApproval, conclusion: nil, tags: ["budget"]), actor: .service)
        let councils = try await councils(CouncilFilter(municipality: "fjordby"), PageRequest(limit: 200, after: nil)).items
        for council in councils where council.draft.kind == .seniorCouncil || council.draft.kind == .disabilityCouncil {
            _ = try await createParty(consultation: budget.id, name: council.draft.name, kind: .council, councilId: council.id,
                                      partnerTokenId: council.draft.kind == .disabilityCouncil ? association.id : nil, actor: .service)
        }
        _ = try await createParty(consultation: budget.id, name: "Danske Handicaporganisationer Fjordby", kind: .organisation,
                                  councilId: nil, partnerTokenId: association.id, actor: .service)
    }
}
