import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import OpenAPIRuntime

extension APIHandlers {
    static let exportPageSize = 500

    /// Encodes like the generated layer: sorted keys, unescaped slashes, RFC 3339 dates.
    static let ndjsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// NDJSON lines encoded like the API's own JSON, with a `type` field.
    static func ndjson<T: Encodable>(_ type: String, _ value: T) throws -> String {
        let encoder = ndjsonEncoder
        guard case .object(var object) = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value)) else { return "" }
        object["type"] = .string(type)
        return String(decoding: try encoder.encode(JSONValue.object(object)), as: UTF8.self) + "\n"
    }

    /// A streamed gzip download: its body, an entity tag from the municipality's write generation (a streamed
    /// body is not read for one), and its `Content-Disposition`.
    struct Download {
        var body: HTTPBody
        var eTag: String
        var contentDisposition: String
    }

    func download(_ stream: GzipStream, municipality: String, name: String, variant: String) -> Download {
        let generation = store.generations.current(municipality)
        return Download(body: HTTPBody(stream, length: .unknown, iterationBehavior: .single),
                        eTag: "\"export-\(municipality)-\(generation)-\(variant)\"",
                        contentDisposition: "attachment; filename=\"\(name)\"")
    }

    func exportResponses(_ input: Operations.ExportResponses.Input) async throws -> Operations.ExportResponses.Output {
        let consultation = try await visibleConsultation(input.path.consultationId)
        let municipality = consultation.draft.municipalityId
        try principal.requireAdmin(municipality)
        let format = input.query.format ?? .csv
        let store = self.store
        let section: GzipStream.Section = { cursor in
            let page = try await store.responses(consultation: consultation.id, status: nil, reader: Reader(administers: ["*"]), PageRequest(limit: Self.exportPageSize, after: cursor))
            let text = try page.items.map { response in
                format == .csv ? ResponseCSV.row(response) : try Self.ndjson("response", Self.api(response, .full))
            }.joined()
            return (text, page.next)
        }
        let preamble = format == .csv ? ResponseCSV.preamble : ""
        let file = download(GzipStream(preamble: preamble, sections: [section]), municipality: municipality,
                            name: "\(municipality)-\(consultation.id)-responses.\(format.rawValue).gz", variant: format.rawValue)
        return .ok(.init(headers: .init(eTag: file.eTag, contentDisposition: file.contentDisposition), body: .applicationGzip(file.body)))
    }

    func exportMunicipality(_ input: Operations.ExportMunicipality.Input) async throws -> Operations.ExportMunicipality.Output {
        let id = input.path.municipalityId
        try principal.requireAdmin(id)
        guard let municipality = try await store.municipality(id) else { throw Problem.notFound("municipality", id) }
        let store = self.store, handlers = self
        func paged<T: Sendable>(_ type: String, _ fetch: @escaping @Sendable (PageRequest) async throws -> Page<T>,
                                _ render: @escaping @Sendable (T) throws -> some Encodable) -> GzipStream.Section {
            { cursor in
                let page = try await fetch(PageRequest(limit: Self.exportPageSize, after: cursor))
                return (try page.items.map { try Self.ndjson(type, render($0)) }.joined(), page.next)
            }
        }
        let sections: [GzipStream.Section] = [
            { _ in (try Self.ndjson("municipality", Self.api(municipality)), nil) },
            paged("service_area", { try await store.serviceAreas(municipality: id, $0) }, Self.api),
            paged("council", { try await store.councils(CouncilFilter(municipality: id), $0) }, Self.api),
            paged("member", { try await store.members(municipality: id, $0) }) { try Self.api($0, showPrivate: true) },
            paged("consultation", { try await store.consultations(ConsultationFilter(municipality: id, reader: Reader(administers: ["*"])), $0) }, try handlers.api),
            paged("party", { try await store.parties(municipality: id, $0) }) { try Self.api($0, showPrivate: true) },
            paged("response", { try await store.responses(municipality: id, $0) }) { try Self.api($0, .full) },
            paged("theme", { try await store.themes(municipality: id, $0) }, Self.api),
            paged("memo_version", { try await store.memoVersions(municipality: id, $0) }) { Self.api($0.info, consultation: $0.consultation) },
            // The file manifest: the bytes themselves are in the database (`medvirk backup`) and at each `href`.
            paged("file", { try await store.files(municipality: id, $0) }) { try Self.api($0, insider: true) },
        ]
        let file = download(GzipStream(preamble: "", sections: sections), municipality: id,
                            name: "\(id)-export.ndjson.gz", variant: "ndjson")
        return .ok(.init(headers: .init(eTag: file.eTag, contentDisposition: file.contentDisposition), body: .applicationGzip(file.body)))
    }
}

/// RFC 4180 CSV of responses: UTF-8 with a byte-order mark (so spreadsheet programs pick UTF-8), CRLF line ends,
/// every field quoted.
enum ResponseCSV {
    static let columns = ["receipt_number", "id", "status", "late", "received_at", "respondent_kind", "name", "organisation",
                          "email", "address", "on_behalf_of", "publish_name", "party_id", "contains_national_id",
                          "withheld_reason", "redactions", "sha256", "text", "public_text", "attachments", "answer_type",
                          "analysis_summary", "analysis_theme_ids", "analysis_assessment", "analysis_accommodated",
                          "personal_data_erased_at"]

    static var preamble: String { "\u{FEFF}" + CSV.line(columns) }

    static func row(_ r: HearingResponse) -> String {
        let who = r.submission.respondent
        let received = UTCTimestamp.secondsText(r.receivedAt)
        return CSV.line([r.receiptNumber, r.id, r.status.rawValue, String(r.late), received, who.kind.rawValue, who.name ?? "",
                     who.organisation ?? "", who.email ?? "", who.address ?? "", who.onBehalfOf ?? "", String(who.publishName),
                     r.submission.partyId ?? "", String(r.containsNationalId), r.withheldReason ?? "",
                     r.redactions.joined(separator: " | "), r.sha256, r.submission.text, r.publicText, attachments(r),
                     r.submission.answerType.rawValue, r.analysis?.summary ?? "", (r.analysis?.themeIds ?? []).joined(separator: " | "),
                     r.analysis?.assessment ?? "", r.analysis?.accommodated?.rawValue ?? "",
                     r.personalDataErasedAt.map(UTCTimestamp.secondsText) ?? ""])
    }

    /// Each attachment as `file id, filename, media type, bytes, sha256, status`, separated by ` | `; a published
    /// attachment replaced by a redacted copy names the copy the public sees.
    static func attachments(_ r: HearingResponse) -> String {
        r.attachments.map { a in
            [a.file.id, a.file.filename, a.file.mediaType, String(a.file.size), a.file.sha256,
             a.status.rawValue + (a.replacementFileId.map { " (the public sees \($0))" } ?? "")].joined(separator: ", ")
        }.joined(separator: " | ")
    }
}
