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

    /// Every limit copied by hand from the contract matches it: `Rules.text`/`optionalText`/`length(field, …,
    /// max: N)` its `maxLength`, `Rules.maxItems` its `maxItems`, `Rules.range(field, …, A...B)` its `minimum`
    /// and `maximum` (in Core's validators and the handlers), `checkParameter(name, …, max: N)` the parameter's
    /// `maxLength`, and the page limits.
    @Test func limitsCopiedByHandMatchTheContract() throws {
        let root = try #require(try Yams.load(yaml: contractText) as? [String: Any])
        let components = try #require(root["components"] as? [String: Any])
        let schemas = try #require(components["schemas"] as? [String: [String: Any]])
        let parameters = try #require(components["parameters"] as? [String: [String: Any]])

        /// The value of `keyword` at `path` ("respondent.name", "documents[].title") in a schema.
        func values(_ keyword: String, _ path: [String], in schema: [String: Any]) -> [Double] {
            var schema = schema
            if let ref = schema["$ref"] as? String { schema = schemas[String(ref.split(separator: "/").last!)] ?? [:] }
            for variant in (schema["oneOf"] as? [[String: Any]] ?? []) + (schema["anyOf"] as? [[String: Any]] ?? []) {
                let found = values(keyword, path, in: variant)
                if !found.isEmpty { return found }
            }
            guard let first = path.first else { return (schema[keyword] as? NSNumber).map { [$0.doubleValue] } ?? [] }
            let isArray = first.hasSuffix("[]")
            let name = isArray ? String(first.dropLast(2)) : first
            guard var property = (schema["properties"] as? [String: Any])?[name] as? [String: Any] else { return [] }
            if isArray { property = property["items"] as? [String: Any] ?? [:] }
            return values(keyword, Array(path.dropFirst()), in: property)
        }

        /// (regex, contract keywords for its numbers): the field is group 1, the numbers groups 2….
        let forms: [(String, [String])] = [
            (#"Rules\.(?:optional)?[tT]ext\("([a-z_.\[\]\\()]+)", [^)]*?max: ([0-9_]+)\)"#, ["maxLength"]),
            (#"Rules\.length\("([a-z_.\[\]\\()]+)", [^)]*?max: ([0-9_]+)\)"#, ["maxLength"]),
            (#"Rules\.maxItems\("([a-z_.\[\]\\()]+)", [^)]*?max: ([0-9_]+)\)"#, ["maxItems"]),
            (#"Rules\.range\("([a-z_.\[\]\\()]+)", [^)]*?, ([0-9_.]+)\.\.\.([0-9_.]+)\)"#, ["minimum", "maximum"]),
        ]
        // Parameters are declared in `components` and inline in operations.
        var allParameters = Array(parameters.values)
        for item in (root["paths"] as? [String: [String: Any]] ?? [:]).values {
            for value in item.values {
                let list = (value as? [String: Any])?["parameters"] ?? value
                allParameters += (list as? [[String: Any]] ?? []).filter { $0["name"] != nil }
            }
        }
        var checked = 0
        for folder in ["Sources/MedvirkCore", "Sources/MedvirkServer/Handlers"] {
            let directory = packageRoot.appendingPathComponent(folder)
            for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) where file.hasSuffix(".swift") {
                let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
                func group(_ match: NSTextCheckingResult, _ i: Int) -> String { String(source[Range(match.range(at: i), in: source)!]) }
                for (pattern, keywords) in forms {
                    for match in try NSRegularExpression(pattern: pattern).matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                        let field = group(match, 1).replacingOccurrences(of: "[\\(i)]", with: "[]")
                        let path = field.split(separator: ".").map(String.init)
                        // The schemas this file validates: those whose name begins like one of its types (nested
                        // fields such as `documents[].title` are followed through their `$ref`).
                        let mine = schemas.filter { name, _ in Self.prefixes(file).contains { name.hasPrefix($0) } }
                        for (i, keyword) in keywords.enumerated() {
                            let limit = Double(group(match, i + 2).replacingOccurrences(of: "_", with: ""))!
                            let found = mine.flatMap { values(keyword, path, in: $0.value) }
                            #expect(!found.isEmpty, "\(file): \(field) has no \(keyword) in the contract")
                            #expect(found.allSatisfy { $0 == limit }, "\(file): \(field) is held to \(limit), the contract's \(keyword) is \(found)")
                        }
                        checked += 1
                    }
                }
                let parameter = try NSRegularExpression(pattern: #"checkParameter\("([a-z_]+)", [^)]*?max: ([0-9]+)\)"#)
                for match in parameter.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                    let name = group(match, 1), limit = Int(group(match, 2))!
                    let declared = allParameters.filter { $0["name"] as? String == name }
                        .compactMap { ($0["schema"] as? [String: Any])?["maxLength"] as? Int }
                    #expect(!declared.isEmpty && declared.allSatisfy { $0 == limit }, "\(file): parameter \(name) is held to \(limit), the contract says \(declared)")
                    checked += 1
                }
            }
        }
        #expect(checked > 50)

        let limit = try #require(parameters["Limit"]?["schema"] as? [String: Any])
        #expect(limit["maximum"] as? Int == PageRequest.maxLimit)
        let cursor = try #require(parameters["Cursor"]?["schema"] as? [String: Any])
        #expect(cursor["pattern"] as? String == Cursor.pattern)
    }

    static func prefixes(_ file: String) -> [String] {
        switch file {
        case "Council.swift": ["Council"]
        case "Member.swift": ["Member"]
        case "Municipality.swift": ["Municipality", "ServiceArea"]
        case "Consultation.swift": ["Consultation"]
        case "Meeting.swift": ["Meeting", "AgendaItem", "FollowUp"]
        case "HearingResponse.swift": ["HearingResponse", "ModerationPatch"]
        case "ModerationRules.swift": ["ModerationPatch"]
        case "DialogueChannel.swift": ["DialogueChannel"]
        case "Decisions.swift": ["DecisionCreate"]
        case "MinutesHandlers.swift": ["MinutesInput"]
        case "HostedFile.swift": ["AttachmentModeration"]
        case "Theme.swift": ["Theme"]
        case "Webhook.swift": ["Webhook"]
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
