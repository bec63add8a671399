import Foundation
import MedvirkCore

/// Fjordby's dialogue inventory, modelled on how municipalities describe how they reach people.
extension Store {
    func loadDialogueDemo() async throws {
        let m = "fjordby"
        let areas = try await serviceAreas(municipality: m, PageRequest(limit: 200, after: nil)).items
        func area(_ name: String) async throws -> String {
            if let found = areas.first(where: { $0.name == name }) { return found.id }
            return try await createServiceArea(ServiceAreaDraft(municipalityId: m, name: name, description: nil), actor: nil).id
        }
        let councils = try await councils(CouncilFilter(municipality: m), PageRequest(limit: 200, after: nil)).items
        let senior = councils.first { $0.draft.kind == .seniorCouncil }
        let employment = try await area("Beskæftigelse"), culture = try await area("Kultur og Fritid")
        let technical = try await area("Teknik og Miljø"), elderly = try await area("Ældre og Sundhed")
        let rows: [(String, TargetGroup, UserCategory, ChannelPurpose, ChannelKind, String, Cadence?, String?, String?, String?, String?)] = [
            (employment, .boardsAndCouncils, .employment, .formal, .councilMeeting, "Beskæftigelsesrådets møder",
             Cadence(count: 4, per: .year), nil, "Godt fremmøde fra arbejdsmarkedets parter.", nil, nil),
            (elderly, .boardsAndCouncils, .elderly, .formal, .councilMeeting, "Ældrerådet og dets arbejdsgrupper",
             Cadence(count: 10, per: .year), "Arbejdsgrupper om boliger, kost og demens.", "Stærk dialog; arbejdsgrupperne giver dybde.",
             "Flere åbne møder på plejecentrene.", senior?.id),
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
        for (areaId, group, category, purpose, kind, name, cadence, volume, assessment, changes, council) in rows {
            _ = try await createChannel(DialogueChannelDraft(
                municipalityId: m, serviceAreaId: areaId, targetGroup: group, userCategory: category, purpose: purpose, kind: kind,
                name: name, description: nil, cadence: cadence, volume: volume, assessment: assessment, plannedChanges: changes,
                councilId: council, active: true), actor: nil)
        }
    }
}
