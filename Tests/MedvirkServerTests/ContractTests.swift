import Foundation
import MedvirkAPI
import MedvirkCore
@testable import MedvirkServer
import Testing
import Yams

/// The contract is read in one place: these pin what the server takes from `openapi.yaml` beyond the
/// generated code (enums, limits, the parsed document) to the contract itself.
@Suite struct ContractTests {
    /// Raw values of a `CaseIterable` string enum.
    func values<E: CaseIterable & RawRepresentable>(_: E.Type) -> Set<String> where E.RawValue == String {
        Set(E.allCases.map(\.rawValue))
    }

    @Test func everyCoreEnumHasExactlyTheContractsValues() {
        typealias S = Components.Schemas
        let pairs: [(String, Set<String>, Set<String>)] = [
            ("Country", values(Country.self), values(S.Country.self)),
            ("CouncilKind", values(CouncilKind.self), values(S.CouncilKind.self)),
            ("CouncilStatus", values(CouncilStatus.self), values(S.CouncilStatus.self)),
            ("CouncilAuthority", values(CouncilAuthority.self), values(S.CouncilAuthority.self)),
            ("LegalBasisKind", values(LegalBasisKind.self), values(S.LegalBasis.KindPayload.self)),
            ("LegalBasisKind (patch)", values(LegalBasisKind.self), values(S.LegalBasisPatch.KindPayload.self)),
            ("MemberGroup", values(MemberGroup.self), values(S.MemberGroup.self)),
            ("MemberRole", values(MemberRole.self), values(S.MemberRole.self)),
            ("ConsultationStatus", values(ConsultationStatus.self), values(S.ConsultationStatus.self)),
            ("ConsultationPhase", values(ConsultationPhase.self), values(S.ConsultationPhase.self)),
            ("Audience", values(Audience.self), values(S.Audience.self)),
            ("LatePolicy", values(LatePolicy.self), values(S.LatePolicy.self)),
            ("PublishResponses", values(PublishResponses.self), values(S.PublishResponses.self)),
            ("PartyKind", values(PartyKind.self), values(S.PartyKind.self)),
            ("RespondentKind", values(RespondentKind.self), values(S.RespondentKind.self)),
            ("ResponseStatus", values(ResponseStatus.self), values(S.ResponseStatus.self)),
            ("MeetingKind", values(MeetingKind.self), values(S.MeetingKind.self)),
            ("MeetingStatus", values(MeetingStatus.self), values(S.MeetingStatus.self)),
            ("AgendaItemKind", values(AgendaItemKind.self), values(S.AgendaItemKind.self)),
            ("FollowUpStatus", values(FollowUpStatus.self), values(S.FollowUpStatus.self)),
            ("TargetGroup", values(TargetGroup.self), values(S.TargetGroup.self)),
            ("UserCategory", values(UserCategory.self), values(S.UserCategory.self)),
            ("ChannelPurpose", values(ChannelPurpose.self), values(S.ChannelPurpose.self)),
            ("ChannelKind", values(ChannelKind.self), values(S.ChannelKind.self)),
            ("CadencePeriod", values(CadencePeriod.self), values(S.CadencePeriod.self)),
            ("ChangeType", values(ChangeType.self), values(S.ChangeEvent._TypePayload.self)),
            ("ChangeAction", values(ChangeAction.self), values(S.ChangeEvent.ActionPayload.self)),
        ]
        for (name, core, contract) in pairs {
            #expect(core == contract, "\(name): only in Core \(core.subtracting(contract)), only in the contract \(contract.subtracting(core))")
        }
        // Moderation may set only some statuses; every one of them must exist in Core.
        #expect(values(S.ModerationPatch.StatusPayload.self).isSubset(of: values(ResponseStatus.self)))
    }

    @Test func convertingAValueTheContractLacksIsAProblemNotACrash() {
        #expect(throws: ContractMismatch.self) {
            let _: Components.Schemas.ModerationPatch.StatusPayload = try convert(ResponseStatus.received)
        }
        let problem = ProblemRendering.problem(for: ContractMismatch(description: "enum lacks a value"))
        #expect(problem.status == 500)
    }

    /// Every `Rules.text`/`optionalText(field, …, max: N)` in Core, every `checkParameter(name, …, max: N)` in
    /// the handlers and the page limits match the contract's `maxLength`/`maximum` for that field.
    @Test func limitsCopiedByHandMatchTheContract() throws {
        let root = try #require(try Yams.load(yaml: contractText) as? [String: Any])
        let components = try #require(root["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        let parameters = try #require(components["parameters"] as? [String: [String: Any]])

        /// The `maxLength` of `path` ("respondent.name", "documents[].title") in every schema that has it.
        func maxLengths(_ path: [String], in schema: [String: Any]) -> [Int] {
            var schema = schema
            if let ref = schema["$ref"] as? String { schema = schemas[String(ref.split(separator: "/").last!)] ?? [:] }
            for variant in (schema["oneOf"] as? [[String: Any]] ?? []) + (schema["anyOf"] as? [[String: Any]] ?? []) {
                let found = maxLengths(path, in: variant)
                if !found.isEmpty { return found }
            }
            guard let first = path.first else { return (schema["maxLength"] as? Int).map { [$0] } ?? [] }
            let isArray = first.hasSuffix("[]")
            let name = isArray ? String(first.dropLast(2)) : first
            guard var property = (schema["properties"] as? [String: Any])?[name] as? [String: Any] else { return [] }
            if isArray { property = property["items"] as? [String: Any] ?? [:] }
            return maxLengths(Array(path.dropFirst()), in: property)
        }

        let rule = try NSRegularExpression(pattern: #"Rules\.(?:optional)?[tT]ext\("([a-z_.\[\]\\()]+)", [^)]*?max: ([0-9_]+)\)"#)
        var checked = 0
        let core = packageRoot.appendingPathComponent("Sources/MedvirkCore")
        for file in try FileManager.default.contentsOfDirectory(atPath: core.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: core.appendingPathComponent(file), encoding: .utf8)
            for match in rule.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                let field = String(source[Range(match.range(at: 1), in: source)!]).replacingOccurrences(of: "[\\(i)]", with: "[]")
                let limit = Int(source[Range(match.range(at: 2), in: source)!].replacingOccurrences(of: "_", with: ""))!
                let path = field.split(separator: ".").map(String.init)
                // The schemas this file validates: those whose name begins like one of its types (nested
                // fields such as `documents[].title` are followed through their `$ref`).
                let found = schemas.filter { name, _ in Self.prefixes(file).contains { name.hasPrefix($0) } }
                    .flatMap { maxLengths(path, in: $0.value) }
                #expect(!found.isEmpty, "\(file): \(field) has no maxLength in the contract")
                #expect(found.allSatisfy { $0 == limit }, "\(file): \(field) is limited to \(limit), the contract says \(found)")
                checked += 1
            }
        }
        #expect(checked > 30)

        let municipality = try #require(parameters["MunicipalityFilter"]?["schema"] as? [String: Any])
        #expect(municipality["maxLength"] as? Int == 63)
        let limit = try #require(parameters["Limit"]?["schema"] as? [String: Any])
        #expect(limit["maximum"] as? Int == PageRequest.maxLimit)
        let cursor = try #require(parameters["Cursor"]?["schema"] as? [String: Any])
        #expect(cursor["maxLength"] as? Int == 200)
    }

    static func prefixes(_ file: String) -> [String] {
        switch file {
        case "Council.swift": ["Council"]
        case "Member.swift": ["Member"]
        case "Municipality.swift": ["Municipality", "ServiceArea"]
        case "Consultation.swift": ["Consultation"]
        case "Meeting.swift": ["Meeting", "AgendaItem", "FollowUp"]
        case "HearingResponse.swift": ["HearingResponse", "ModerationPatch"]
        case "DialogueChannel.swift": ["DialogueChannel"]
        default: [file]
        }
    }

    /// The same contract in block style with other indentation gives the same routes' media types, list
    /// flags and null policy: nothing is read by scanning lines.
    @Test func reformattingTheContractChangesNothing() throws {
        let reformatted = try Yams.dump(object: try Yams.load(yaml: contractText), indent: 4, width: -1, sortKeys: true)
        #expect(reformatted != contractText)
        let original = try ContractDocument.parse(contractText)
        let block = try ContractDocument.parse(reformatted)
        #expect(original.operations == block.operations)
        #expect(original.schemas == block.schemas)
        // And what is read is right.
        #expect(original.operation("PATCH", "/v1/councils/{council_id}")?.mediaTypes == ["application/json", "application/merge-patch+json"])
        #expect(original.operation("POST", "/v1/dialogue-channels/import")?.mediaTypes == ["text/csv"])
        #expect(original.operation("GET", "/v1/councils")?.isList == true)
        #expect(original.operation("GET", "/v1/councils/{council_id}")?.isList == false)
        #expect(original.schemas["CouncilPatch"]?["description"]?.nullable == true)
        #expect(original.schemas["CouncilPatch"]?["name"]?.nullable == false)
        #expect(original.operations.count > 60)
    }

    /// The server built from the reformatted contract still refuses a `null` the contract does not allow,
    /// answers 405 with the same `Allow`, and 415 for a media type the operation does not declare.
    @Test func aServerOnTheReformattedContractBehavesTheSame() async throws {
        let reformatted = try Yams.dump(object: try Yams.load(yaml: contractText), indent: 3, width: -1, sortKeys: true)
        try await withAPI(configure: { $0.contract = reformatted }) { api in
            let (municipality, _) = try await seedMunicipality(api)
            let council = try await seedCouncil(api, municipality: municipality)
            expectProblem(try await api.patch("/v1/councils/\(council)", #"{"name":null}"#), .badRequest, "malformed-request")
            #expect(try await api.patch("/v1/councils/\(council)", #"{"description":null}"#).status == .ok)
            let wrong = try await api.call(.put, "/v1/councils")
            expectProblem(wrong, .methodNotAllowed)
            #expect(wrong["Allow"] == "GET, POST, HEAD, OPTIONS")
            let csv = try await api.call(.post, "/v1/dialogue-channels/import?municipality=\(municipality)", token: api.service.admin,
                                         body: "name\r\n", contentType: "application/json")
            expectProblem(csv, .unsupportedMediaType)
        }
    }
}
