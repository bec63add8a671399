import Foundation
import MedvirkCore

/// Fjordby's dialogue inventory, modelled on how municipalities describe how they reach people.
extension Store {
    typealias DemoChannel = (area: String, TargetGroup, UserCategory, ChannelPurpose, ChannelKind, String, Cadence?, String?, String?, String?,
                             council: CouncilKind?)

    func loadDialogueDemo() async throws {
        try await loadInventory("fjordby", fjordbyChannels)
        try await loadInventory("nordvik", nordvikChannels)
    }

    /// Creates the channels, matching service areas by name (creating missing ones) and councils by kind.
    func loadInventory(_ m: String, _ rows: [DemoChannel]) async throws {
        var areas = Dictionary(try await serviceAreas(municipality: m, PageRequest(limit: 200, after: nil)).items.map { ($0.name, $0.id) },
                               uniquingKeysWith: { first, _ in first })
        let councils = try await councils(CouncilFilter(municipality: m), PageRequest(limit: 200, after: nil)).items
        for (areaName, group, category, purpose, kind, name, cadence, volume, assessment, changes, councilKind) in rows {
            if areas[areaName] == nil {
                areas[areaName] = try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: areaName, description: nil), actor: .service).id
            }
            _ = try await createChannel(DialogueChannelDraft(
                municipalityId: m, serviceAreaId: areas[areaName]!, targetGroup: group, userCategory: category, purpose: purpose, kind: kind,
                name: name, description: nil, cadence: cadence, volume: volume, assessment: assessment, plannedChanges: changes,
                councilId: councilKind.flatMap { kind in councils.first { $0.draft.kind == kind }?.id }, active: true), actor: .service)
        }
    }

    var fjordbyChannels: [DemoChannel] {
        let (employment, culture, technical, elderly) = ("Beskæftigelse", "Kultur og Fritid", "Teknik og Miljø", "Ældre og Sundhed")
        return [
            (employment, .boardsAndCouncils, .employment, .formal, .councilMeeting, "Beskæftigelsesrådets møder",
             Cadence(count: 4, per: .year), nil, "Godt fremmøde fra arbejdsmarkedets parter.", nil, nil),
            (elderly, .boardsAndCouncils, .elderly, .formal, .councilMeeting, "Ældrerådet og dets arbejdsgrupper",
             Cadence(count: 10, per: .year), "Arbejdsgrupper om boliger, kost og demens.", "Stærk dialog; arbejdsgrupperne giver dybde.",
             "Flere åbne møder på plejecentrene.", .seniorCouncil),
            (culture, .serviceUsers, .culture, .informal, .facebook, "Kulturhusets Facebook-sider", Cadence(count: 5, per: .week),
             "Ca. 4.000 følgere", "Når mange, men få ældre.", "Supplér med trykt program på bibliotekerne.", nil),
            (culture, .hearingParties, .culture, .formal, .citizenMeeting, "Borgerhøringer om kulturstrategien", Cadence(count: 1, per: .year),
             nil, "Få unge deltager.", "Prøv høring på gymnasiet.", nil),
            (technical, .serviceUsers, .technicalAndEnvironment, .informal, .sms, "SMS-service om vejarbejde og affald",
             Cadence(count: 3.5, per: .month), "3-4 SMS om måneden til 6.500 modtagere", "Borgerne er glade for varslingerne.", nil, nil),
            (technical, .serviceUsers, .technicalAndEnvironment, .formal, .selfService, "Giv et tip: selvbetjeningsformular",
             nil, "Ca. 800 henvendelser på 18 måneder", "Hurtig sagsbehandling, men ingen kvittering til borgeren.",
             "Automatisk kvittering med forventet svartid.", nil),
            (technical, .hearingParties, .technicalAndEnvironment, .formal, .letter, "Breve til grundejerforeninger",
             Cadence(count: 2, per: .year), nil, "Formelt korrekt, men langsomt.", "Digital Post i stedet for brev.", nil),
            (technical, .serviceUsers, .technicalAndEnvironment, .informal, .personalMeeting, "Dør-til-dør på berørte veje",
             nil, "Ved større vejprojekter", "Skaber tillid i anlægsfasen.", nil, nil),
        ]
    }

    var nordvikChannels: [DemoChannel] {
        let (health, school) = ("Helse og omsorg", "Oppvekst")
        return [
            (health, .boardsAndCouncils, .elderly, .formal, .councilMeeting, "Eldrerådets møter", Cadence(count: 6, per: .year), nil,
             "Rådet uttaler seg i alle saker om eldre.", nil, .seniorCouncil),
            (health, .serviceUsers, .elderly, .informal, .citizenMeeting, "Pårørendemøter på sykehjemmet", Cadence(count: 2, per: .year),
             "20–30 deltakere", "Godt oppmøte, men få menn.", "Tilby kveldsmøter.", nil),
            (school, .boardsAndCouncils, .childrenAndYouth, .formal, .councilMeeting, "Brukerråd og FAU på skolene", Cadence(count: 4, per: .year),
             nil, "Fungerer godt ved de store skolene.", nil, nil),
            (school, .serviceUsers, .childrenAndYouth, .informal, .app, "Foreldreappen", Cadence(count: 2, per: .week), "Ca. 1 900 foresatte",
             "Rask informasjon, lite dialog.", nil, nil),
        ]
    }
}
