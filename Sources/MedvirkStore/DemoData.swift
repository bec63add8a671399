import Foundation
import MedvirkCore

/// Invented demo data modelled on how Danish and Norwegian municipalities describe their councils.
extension Store {
    /// Loads the demo municipalities into an empty database; returns false (and does nothing) otherwise.
    @discardableResult
    /// `renderMemo` renders the demo's hearing memos as they are published (nil leaves them unpublished).
    public func loadDemo(renderMemo: (@Sendable (HearingMemo) throws -> RenderedMemo)? = nil) async throws -> Bool {
        guard try await municipalities(PageRequest(limit: 1, after: nil)).items.isEmpty else { return false }
        try await loadDanishDemo()
        try await loadNorwegianDemo()
        try await loadConsultationDemo()
        if let renderMemo { try await loadMemoDemo(render: renderMemo) }
        try await loadMeetingDemo()
        try await loadDialogueDemo()
        return true
    }

    private func council(_ municipality: String, _ area: String?, _ name: String, _ kind: CouncilKind, unit: String? = nil,
                         description: String, legal: LegalBasis, hearing: [String], meetings: Int, term: Int,
                         seats: [Seat], email: String? = nil, established: String) async throws -> Council {
        try await createCouncil(CouncilDraft(
            municipalityId: municipality, serviceAreaId: area, name: name, kind: kind, unit: unit, description: description,
            legalBasis: legal, authority: .advisory, hearingRights: hearing, minMeetingsPerYear: meetings, termYears: term,
            seats: seats, contactEmail: email, website: nil, status: .active, establishedOn: CalendarDate(established),
            dissolvedOn: nil), actor: .service)
    }

    private func member(_ council: Council, _ name: String, _ role: MemberRole, _ group: MemberGroup, voting: Bool,
                        organisation: String? = nil, nominatedBy: String? = nil, deputyOf: Member? = nil,
                        from: String, to: String?, email: String? = nil, phone: String? = nil) async throws -> Member {
        try await createMember(council: council.id, MemberDraft(
            name: name, role: role, group: group, organisation: organisation, nominatedBy: nominatedBy, voting: voting,
            deputyOf: deputyOf?.id, termStart: CalendarDate(from)!, termEnd: to.flatMap(CalendarDate.init), email: email,
            phone: phone), actor: .service)
    }

    private func loadDanishDemo() async throws {
        let m = "fjordby"
        _ = try await createMunicipality(MunicipalityDraft(id: m, name: "Fjordby Kommune", country: .dk,
                                                           timeZone: "Europe/Copenhagen", website: "https://fjordby.example.dk"), actor: .service)
        let elderly = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: "Ældre og Sundhed", description: "Hjemmepleje, plejecentre og aktivitetscentre."), actor: .service)
        let social = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: "Psykiatri og Handicap", description: "Botilbud, værksteder og støtte til borgere med handicap."), actor: .service)
        _ = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: "Børn og Unge", description: "Dagtilbud, skoler og fritid."), actor: .service)

        let senior = try await council(m, elderly.id, "Fjordby Ældreråd", .seniorCouncil,
            description: "Rådgiver kommunalbestyrelsen i alle spørgsmål om ældre. Vælges ved direkte valg blandt borgere over 60 år samtidig med kommunalvalget.",
            legal: LegalBasis(kind: .statutory, reference: "Retssikkerhedsloven §§ 30-34"),
            hearing: ["Ældrepolitik", "Budget for ældreområdet", "Kvalitetsstandarder for hjemmepleje"], meetings: 4, term: 4,
            seats: [Seat(group: .users, count: 9, nominatedBy: "Direkte valg blandt borgere over 60 år", voting: true)],
            email: "aeldreraad@fjordby.example.dk", established: "1997-01-01")
        _ = try await member(senior, "Inger Holm Madsen", .chair, .users, voting: true, from: "2026-01-01", to: "2029-12-31", email: "inger.holm@example.dk", phone: "+45 20 11 22 33")
        _ = try await member(senior, "Bent Kjærgaard", .viceChair, .users, voting: true, from: "2026-01-01", to: "2029-12-31")
        _ = try await member(senior, "Ruth Østergaard", .member, .users, voting: true, from: "2026-01-01", to: "2029-12-31")
        _ = try await member(senior, "Poul Åberg", .member, .users, voting: true, from: "2026-01-01", to: "2029-12-31")

        let disability = try await council(m, social.id, "Fjordby Handicapråd", .disabilityCouncil,
            description: "Rådgiver kommunalbestyrelsen i handicappolitiske spørgsmål og følger udviklingen for borgere med handicap.",
            legal: LegalBasis(kind: .statutory, reference: "Retssikkerhedsloven § 37 a"),
            hearing: ["Handicappolitik", "Tilgængelighed i byggeri og byrum", "Budget for det specialiserede socialområde"], meetings: 4, term: 4,
            seats: [Seat(group: .organisation, count: 3, nominatedBy: "Danske Handicaporganisationer, lokalafdelingen", voting: true),
                    Seat(group: .organisation, count: 1, nominatedBy: "Andre lokale foreninger", voting: true),
                    Seat(group: .politicians, count: 4, nominatedBy: "Kommunalbestyrelsen", voting: true)],
            established: "2007-01-01")
        _ = try await member(disability, "Hanne Lykke", .chair, .organisation, voting: true, organisation: "Dansk Blindesamfund, Fjordby", nominatedBy: "Danske Handicaporganisationer, lokalafdelingen", from: "2026-01-01", to: "2029-12-31")
        _ = try await member(disability, "Jørgen Mølgaard", .member, .organisation, voting: true, organisation: "Scleroseforeningen", nominatedBy: "Danske Handicaporganisationer, lokalafdelingen", from: "2026-01-01", to: "2029-12-31")
        _ = try await member(disability, "Sofie Brandt", .viceChair, .politicians, voting: true, nominatedBy: "Kommunalbestyrelsen", from: "2026-01-01", to: "2029-12-31")

        let centre = try await council(m, elderly.id, "Brugerråd Aktivitetscenter Solhøj", .userCouncil, unit: "Aktivitetscenter Solhøj",
            description: "Brugerne af aktivitetscentret har indflydelse på aktiviteter, åbningstider og husets økonomi. Kun brugerrepræsentanter stemmer.",
            legal: LegalBasis(kind: .bylaws, reference: "Vedtægt for brugerråd på aktivitetscentre"),
            hearing: ["Aktiviteter og åbningstider", "Centrets budget"], meetings: 4, term: 2,
            seats: [Seat(group: .users, count: 3, nominatedBy: "Valgt blandt centrets brugere", voting: true),
                    Seat(group: .staff, count: 1, nominatedBy: "Medarbejderne", voting: false),
                    Seat(group: .management, count: 1, nominatedBy: nil, voting: false)],
            established: "2012-03-01")
        let chair = try await member(centre, "Else Vestergaard", .chair, .users, voting: true, from: "2025-03-01", to: "2027-02-28")
        let second = try await member(centre, "Karl Bøgh", .member, .users, voting: true, from: "2025-03-01", to: "2027-02-28")
        _ = try await member(centre, "Grethe Søndergaard", .member, .users, voting: true, from: "2025-03-01", to: "2027-02-28")
        _ = try await member(centre, "Anni Fog", .member, .users, voting: false, deputyOf: chair, from: "2025-03-01", to: "2027-02-28")
        _ = try await member(centre, "Ole Krogh", .member, .users, voting: false, deputyOf: second, from: "2025-03-01", to: "2027-02-28")
        _ = try await member(centre, "Mette Lund", .secretary, .management, voting: false, from: "2025-03-01", to: nil, email: "mette.lund@fjordby.example.dk")

        let relatives = try await council(m, elderly.id, "Pårørenderåd Plejecenter Lærkebo", .relativesCouncil, unit: "Plejecenter Lærkebo",
            description: "Pårørende til beboerne drøfter hverdagen på plejecentret med ledelsen.",
            legal: LegalBasis(kind: .voluntary, reference: nil), hearing: ["Husorden og aktiviteter"], meetings: 4, term: 2,
            seats: [Seat(group: .relatives, count: 4, nominatedBy: "Valgt på pårørendemøde", voting: true),
                    Seat(group: .management, count: 1, nominatedBy: nil, voting: false)],
            established: "2018-09-01")
        _ = try await member(relatives, "Lise Thomsen", .chair, .relatives, voting: true, from: "2025-09-01", to: "2027-08-31")
        _ = try await member(relatives, "Henrik Dalsgaard", .member, .relatives, voting: true, from: "2025-09-01", to: "2027-08-31")

        _ = try await council(m, nil, "Fjordby Ungeråd", .youthCouncil,
            description: "Unge mellem 13 og 21 år giver kommunalbestyrelsen de unges perspektiv.",
            legal: LegalBasis(kind: .bylaws, reference: "Kommunalbestyrelsens vedtægt for Fjordby Ungeråd"),
            hearing: ["Ungdomspolitik", "Fritidstilbud"], meetings: 6, term: 1,
            seats: [Seat(group: .users, count: 11, nominatedBy: "Valgt blandt unge på skoler og uddannelser", voting: true)],
            established: "2015-01-01")
    }

    private func loadNorwegianDemo() async throws {
        let m = "nordvik"
        _ = try await createMunicipality(MunicipalityDraft(id: m, name: "Nordvik kommune", country: .no,
                                                           timeZone: "Europe/Oslo", website: "https://www.nordvik.example.no"), actor: .service)
        let health = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: "Helse og omsorg", description: nil), actor: .service)
        let school = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: "Oppvekst", description: "Barnehager og skoler."), actor: .service)

        let senior = try await council(m, health.id, "Eldrerådet i Nordvik", .seniorCouncil,
            description: "Lovpålagt medvirkningsorgan for eldre, med rett til å uttale seg i alle saker som gjelder eldre.",
            legal: LegalBasis(kind: .statutory, reference: "Kommuneloven § 5-12 og forskrift om kommunale medvirkningsorgan"),
            hearing: ["Budsjett og økonomiplan", "Helse- og omsorgstjenester", "Universell utforming"], meetings: 4, term: 4,
            seats: [Seat(group: .organisation, count: 5, nominatedBy: "Pensjonistforeningene", voting: true),
                    Seat(group: .politicians, count: 2, nominatedBy: "Kommunestyret", voting: true)],
            established: "1992-01-01")
        _ = try await member(senior, "Solveig Haugen", .chair, .organisation, voting: true, organisation: "Nordvik pensjonistforening", from: "2023-11-01", to: "2027-10-31")
        _ = try await member(senior, "Arne Bråten", .member, .politicians, voting: true, from: "2023-11-01", to: "2027-10-31")

        let asen = try await council(m, school.id, "Brukerråd Åsen skole", .userCouncil, unit: "Åsen skole",
            description: "Foreldre og elever gir råd til rektor om skolens drift, miljø og satsinger.",
            legal: LegalBasis(kind: .bylaws, reference: "Vedtekter for brukerråd i Nordvik-skolen"),
            hearing: ["Skolens årsplan", "Skolemiljø"], meetings: 4, term: 2,
            seats: [Seat(group: .users, count: 5, nominatedBy: "Foreldrerådet og elevrådet", voting: true),
                    Seat(group: .staff, count: 1, nominatedBy: "De ansatte", voting: false),
                    Seat(group: .management, count: 1, nominatedBy: nil, voting: false)],
            established: "2010-08-15")
        let leader = try await member(asen, "Kari Nordmo", .chair, .users, voting: true, from: "2025-08-15", to: "2027-08-14", email: "kari.nordmo@example.no")
        let pupil = try await member(asen, "Emil Sæther", .member, .users, voting: true, from: "2025-08-15", to: "2027-08-14")
        _ = try await member(asen, "Ingrid Løvås", .member, .users, voting: true, from: "2025-08-15", to: "2027-08-14")
        _ = try await member(asen, "Tor Fjellheim", .member, .users, voting: false, deputyOf: leader, from: "2025-08-15", to: "2027-08-14")
        _ = try await member(asen, "Nora Øien", .member, .users, voting: false, deputyOf: pupil, from: "2025-08-15", to: "2027-08-14")
        _ = try await member(asen, "Per Moen", .observer, .management, voting: false, from: "2025-08-15", to: nil)

        _ = try await council(m, nil, "Nordvik ungdomsråd", .youthCouncil,
            description: "Ungdom mellom 13 og 19 år, med rett til å uttale seg i saker som gjelder ungdom.",
            legal: LegalBasis(kind: .statutory, reference: "Kommuneloven § 5-12"),
            hearing: ["Ungdomstilbud", "Kollektivtransport"], meetings: 6, term: 2,
            seats: [Seat(group: .users, count: 9, nominatedBy: "Elevrådene", voting: true)], established: "2019-01-01")
    }
}
