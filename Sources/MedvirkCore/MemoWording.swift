import Foundation

/// The words of the hearing memo in Danish, Norwegian Bokmål and Nynorsk, and the dates as people write
/// them ("1. december 2026", "1. desember 2026").
public struct MemoWording: Sendable {
    public var memo, draft, caseNumber, period, periodText, shortPeriodReason, introduction, parties, party, answer: String
    public var responded, noComments, noResponse, responses, otherResponses, sender, summary, assessment, accommodated: String
    public var late, recommendation, counts, countResponses, countNoComments, countLate, countWithheld, countInvited, countResponded: String
    public var onBehalfOf, receipt, received, noResponsesUnder: String
    /// The CSV overview's header row.
    public var overviewColumns: [String]
    public var kinds: [RespondentKind: String]
    public var partyKinds: [PartyKind: String]
    public var accommodation: [Accommodated: String]

    public static func of(_ language: Language) -> MemoWording {
        switch language {
        case .da: danish
        case .nb: bokmal
        case .nn: nynorsk
        }
    }

    /// `date` as a date people write in `language`, in `timeZone`: "1. december 2026".
    public static func date(_ date: Date, language: Language, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Collation.locale(language)
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        formatter.dateStyle = .long
        formatter.timeStyle = .none
        return formatter.string(from: date)
    }

    /// "Høringen løb fra 1. december 2026 til 5. januar 2027 (35 dage)."
    public func periodSentence(from start: String, to end: String, days: Int) -> String {
        periodText.replacingOccurrences(of: "{start}", with: start).replacingOccurrences(of: "{end}", with: end)
            .replacingOccurrences(of: "{days}", with: String(days))
    }

    static let danish = MemoWording(
        memo: "Høringsnotat", draft: "UDKAST", caseNumber: "Sagsnummer", period: "Høringsperiode",
        periodText: "Høringen løb fra {start} til {end} ({days} dage).",
        shortPeriodReason: "Begrundelse for den korte høringsperiode", introduction: "Indledning", parties: "Høringsparter",
        party: "Høringspart", answer: "Svar", responded: "Har afgivet høringssvar", noComments: "Ingen bemærkninger",
        noResponse: "Har ikke svaret", responses: "Høringssvar", otherResponses: "Øvrige høringssvar", sender: "Afsender",
        summary: "Resumé", assessment: "Administrationens bemærkninger", accommodated: "Imødekommet",
        late: "Modtaget efter fristen", recommendation: "Indstilling", counts: "Opgørelse",
        countResponses: "Høringssvar i notatet", countNoComments: "heraf uden bemærkninger", countLate: "heraf modtaget efter fristen",
        countWithheld: "Tilbageholdte høringssvar (ikke gengivet)", countInvited: "Inviterede høringsparter",
        countResponded: "Høringsparter, der har svaret", onBehalfOf: "på vegne af", receipt: "Kvitteringsnummer", received: "Modtaget",
        noResponsesUnder: "Ingen høringssvar.",
        overviewColumns: ["Modtaget", "Høring", "Svar-id", "Emne (temaer)", "Afsender", "Taler som", "Organisation", "Resumé",
                          "Vurdering", "Imødekommet", "Svartype", "Efter fristen"],
        kinds: [.citizen: "Borger", .organisation: "Organisation", .council: "Råd", .business: "Virksomhed", .authority: "Myndighed"],
        partyKinds: [.council: "Råd", .organisation: "Organisation", .authority: "Myndighed", .other: "Anden"],
        accommodation: [.yes: "Ja", .partly: "Delvist", .no: "Nej", .notApplicable: "Ikke relevant"])

    static let bokmal = MemoWording(
        memo: "Høringsnotat", draft: "UTKAST", caseNumber: "Saksnummer", period: "Høringsperiode",
        periodText: "Høringen var åpen fra {start} til {end} ({days} dager).",
        shortPeriodReason: "Begrunnelse for kort høringsfrist", introduction: "Innledning", parties: "Høringsinstanser",
        party: "Høringsinstans", answer: "Svar", responded: "Har avgitt høringsuttalelse", noComments: "Uten merknad",
        noResponse: "Har ikke svart", responses: "Høringsuttalelser", otherResponses: "Andre høringsuttalelser", sender: "Avsender",
        summary: "Sammendrag", assessment: "Administrasjonens vurdering", accommodated: "Imøtekommet",
        late: "Mottatt etter fristen", recommendation: "Innstilling", counts: "Oppsummering",
        countResponses: "Høringsuttalelser i notatet", countNoComments: "herav uten merknad", countLate: "herav mottatt etter fristen",
        countWithheld: "Tilbakeholdte høringsuttalelser (ikke gjengitt)", countInvited: "Inviterte høringsinstanser",
        countResponded: "Høringsinstanser som har svart", onBehalfOf: "på vegne av", receipt: "Kvitteringsnummer", received: "Mottatt",
        noResponsesUnder: "Ingen høringsuttalelser.",
        overviewColumns: ["Mottatt", "Høring", "Svar-id", "Emne (temaer)", "Avsender", "Uttaler seg som", "Organisasjon", "Sammendrag",
                          "Vurdering", "Imøtekommet", "Svartype", "Etter fristen"],
        kinds: [.citizen: "Innbygger", .organisation: "Organisasjon", .council: "Råd", .business: "Virksomhet", .authority: "Myndighet"],
        partyKinds: [.council: "Råd", .organisation: "Organisasjon", .authority: "Myndighet", .other: "Annen"],
        accommodation: [.yes: "Ja", .partly: "Delvis", .no: "Nei", .notApplicable: "Ikke relevant"])

    static let nynorsk = MemoWording(
        memo: "Høyringsnotat", draft: "UTKAST", caseNumber: "Saksnummer", period: "Høyringsperiode",
        periodText: "Høyringa var open frå {start} til {end} ({days} dagar).",
        shortPeriodReason: "Grunngjeving for kort høyringsfrist", introduction: "Innleiing", parties: "Høyringsinstansar",
        party: "Høyringsinstans", answer: "Svar", responded: "Har gitt høyringsfråsegn", noComments: "Utan merknad",
        noResponse: "Har ikkje svart", responses: "Høyringsfråsegner", otherResponses: "Andre høyringsfråsegner", sender: "Avsendar",
        summary: "Samandrag", assessment: "Administrasjonen si vurdering", accommodated: "Imøtekomen",
        late: "Motteken etter fristen", recommendation: "Tilråding", counts: "Oppsummering",
        countResponses: "Høyringsfråsegner i notatet", countNoComments: "av dette utan merknad", countLate: "av dette mottekne etter fristen",
        countWithheld: "Haldne tilbake (ikkje attgjevne)", countInvited: "Inviterte høyringsinstansar",
        countResponded: "Høyringsinstansar som har svart", onBehalfOf: "på vegner av", receipt: "Kvitteringsnummer", received: "Motteke",
        noResponsesUnder: "Ingen høyringsfråsegner.",
        overviewColumns: ["Motteke", "Høyring", "Svar-id", "Emne (tema)", "Avsendar", "Uttaler seg som", "Organisasjon", "Samandrag",
                          "Vurdering", "Imøtekomen", "Svartype", "Etter fristen"],
        kinds: [.citizen: "Innbyggjar", .organisation: "Organisasjon", .council: "Råd", .business: "Verksemd", .authority: "Styresmakt"],
        partyKinds: [.council: "Råd", .organisation: "Organisasjon", .authority: "Styresmakt", .other: "Anna"],
        accommodation: [.yes: "Ja", .partly: "Delvis", .no: "Nei", .notApplicable: "Ikkje relevant"])
}
