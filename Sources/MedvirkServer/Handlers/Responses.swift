import Foundation
import MedvirkAPI
import MedvirkCore
import MedvirkStore
import Synchronization

/// Idempotency keys whose first request is still being processed; a duplicate meanwhile is a 409.
final class InFlightKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    func begin(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }
    func end(_ key: String) { _ = keys.withLock { $0.remove(key) } }
}

extension APIHandlers {
    enum ResponseView { case full, publicView }

    /// The public view never carries e-mail, address, the unredacted text or moderation details.
    static func api(_ r: HearingResponse, _ view: ResponseView) throws -> Components.Schemas.HearingResponse {
        let who = r.submission.respondent
        switch view {
        case .publicView:
            let shown = Dictionary(uniqueKeysWithValues: r.publicFields.map { ($0.name, $0.text) })
            return .init(
                id: r.id, consultationId: r.consultationId, receiptNumber: r.receiptNumber,
                respondent: .init(kind: try convert(who.kind), name: shown["respondent.name"] ?? nil,
                                  organisation: shown["respondent.organisation"] ?? nil, onBehalfOf: shown["respondent.on_behalf_of"] ?? nil),
                text: r.publicText, answerType: try convert(r.submission.answerType), late: r.late,
                attachments: try Self.publicAttachments(r),
                receivedAt: r.receivedAt)
        case .full:
            return .init(
                id: r.id, consultationId: r.consultationId, receiptNumber: r.receiptNumber,
                receipt: .init(number: r.receiptNumber, receivedAt: r.receivedAt, sha256: r.sha256),
                respondent: .init(kind: try convert(who.kind), name: who.name, organisation: who.organisation, email: who.email,
                                  address: who.address, onBehalfOf: who.onBehalfOf, publishName: who.publishName),
                text: r.submission.text, publicText: r.publicText, partyId: r.submission.partyId,
                answerType: try convert(r.submission.answerType), late: r.late,
                containsNationalId: r.containsNationalId, status: try convert(r.status), withheldReason: r.withheldReason,
                redactions: r.redactions,
                attachments: r.attachments.isEmpty ? nil : try Self.apiAttachments(r),
                analysis: try r.analysis.map(Self.api),
                moderationNote: r.moderationNote, receivedAt: r.receivedAt, updatedAt: r.updatedAt)
        }
    }

    static func api(_ a: ResponseAnalysis) throws -> Components.Schemas.ResponseAnalysis {
        .init(summary: a.summary, themeIds: a.themeIds, assessment: a.assessment, accommodated: try a.accommodated.map(convert),
              updatedAt: a.updatedAt)
    }

    /// Every attachment with its moderation, for admins and the submitter.
    static func apiAttachments(_ r: HearingResponse) throws -> [Components.Schemas.ResponseAttachment] {
        try r.attachments.map { a in
            .init(fileId: a.file.id, title: a.title, status: try convert(a.status), reason: a.reason,
                  personalDataChecked: a.personalDataChecked, replacementFileId: a.replacementFileId, file: Self.apiRef(a.file))
        }
    }

    /// The published attachments, each as the public may download it (the redacted copy where there is one); nil when none.
    static func publicAttachments(_ r: HearingResponse) throws -> [Components.Schemas.ResponseAttachment]? {
        let published = r.attachments.filter { $0.status == .published }
        guard !published.isEmpty else { return nil }
        return try published.map { a in
            .init(fileId: a.publicFile.id, title: a.title, status: try convert(a.status), file: Self.apiRef(a.publicFile))
        }
    }

    func listResponses(_ input: Operations.ListResponses.Input) async throws -> Operations.ListResponses.Output {
        let request = try pageRequest(limit: input.query.limit, cursor: input.query.cursor)
        let consultation = try await visibleConsultation(input.path.consultationId)
        let isAdmin = principal.canAdminister(consultation.draft.municipalityId)
        if input.query.status != nil && !isAdmin {
            throw Problem.forbidden("Filtering by status needs an admin token for this municipality.")
        }
        let page = try await store.responses(consultation: consultation.id, status: try input.query.status.map(convert), reader: reader, request)
        let data = try page.items.map { try Self.api($0, isAdmin ? .full : .publicView) }
        let next = nextPage(page)
        return .ok(.init(headers: .init(link: next.link), body: .json(.init(data: data, nextCursor: next.cursor))))
    }

    func submitResponse(_ input: Operations.SubmitResponse.Input) async throws -> Operations.SubmitResponse.Output {
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        let key = input.headers.idempotencyKey
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.", slug: "invalid-idempotency-key",
                                     errors: [FieldError("Idempotency-Key", "must be 1 to 255 visible ASCII characters")])
        }
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let who = body.respondent
        // The store validates it.
        let submission = Submission(
            respondent: Respondent(kind: try convert(who.kind), name: who.name, organisation: who.organisation, email: who.email,
                                   address: who.address, onBehalfOf: who.onBehalfOf, publishName: who.publishName ?? false),
            text: body.text ?? "", partyId: body.partyId,
            attachments: (body.attachments ?? []).map { AttachmentInput(fileId: $0.fileId, title: $0.title) },
            answerType: try body.answerType.map(convert) ?? .withComments)

        let flightKey = token.id + "\u{0}" + key
        guard inFlight.begin(flightKey) else {
            throw Problem.conflict("idempotency-key-in-flight", "A request with this Idempotency-Key is still being processed; retry shortly.")
        }
        defer { inFlight.end(flightKey) }
        let outcome = try await store.submitResponse(
            consultation: input.path.consultationId, submission, token: token, idempotencyKey: key, actor: try writeActor())

        let answer: Components.Schemas.HearingResponse = switch outcome {
        case .created(let response), .replayed(let response): try Self.api(response, .full)
        case .replayedAnswer(let data): try JSONDecoder().decode(Components.Schemas.HearingResponse.self, from: data)
        }
        let replayed: String? = if case .created = outcome { nil } else { "true" }
        return .created(.init(headers: .init(location: "/v1/receipts/\(answer.receiptNumber)", idempotencyReplayed: replayed),
                              body: .json(answer)))
    }

    /// Admins of its municipality and the token that submitted it get the full response (the submitter in any
    /// state, as its receipt shows); everyone else the public view of a published response, or 404.
    func getResponse(_ input: Operations.GetResponse.Input) async throws -> Operations.GetResponse.Output {
        let id = input.path.responseId
        if let response = try await store.response(id, readableBy: reader) {
            let admin = reader.administers(response.municipalityId)
            var shown = try Self.api(response, admin || isSubmitter(of: response) ? .full : .publicView)
            // The analysis is the administration's, private to admins.
            if !admin { shown.analysis = nil }
            return .ok(.init(body: .json(shown)))
        }
        guard let own = try await store.response(id), isSubmitter(of: own) else { throw Problem.notFound("response", id) }
        var shown = try Self.api(own, .full)
        shown.analysis = nil
        return .ok(.init(body: .json(shown)))
    }

    func isSubmitter(of response: HearingResponse) -> Bool {
        if case .token(let token) = principal { return response.tokenId == token.id }
        return false
    }

    func moderateResponse(_ input: Operations.ModerateResponse.Input) async throws -> Operations.ModerateResponse.Output {
        // The submitter can read its own response, so it is told why it may not moderate it (403), not 404.
        var found = try await store.response(input.path.responseId, readableBy: reader)
        if found == nil, let own = try await store.response(input.path.responseId), isSubmitter(of: own) { found = own }
        guard let current = found else { throw Problem.notFound("response", input.path.responseId) }
        try principal.requireAdmin(current.municipalityId)
        let moderated: Components.Schemas.ModerationPatch.StatusPayload? = switch current.status {
        case .published: .published
        case .withheld: .withheld
        default: nil
        }
        let analysed = current.analysis.map {
            Components.Schemas.ResponseAnalysisPatch(summary: $0.summary, themeIds: $0.themeIds, assessment: $0.assessment,
                                                     accommodated: $0.accommodated?.rawValue)
        }
        let merged = try MergePatch.apply(to: Components.Schemas.ModerationPatch(
            status: moderated, withheldReason: current.withheldReason, redactions: current.redactions, analysis: analysed))
        let moderation = Moderation(status: try merged.status.map(convert), withheldReason: merged.withheldReason,
                                    redactions: merged.redactions ?? [], analysis: try Self.analysisChange(merged.analysis, current: current.analysis))
        try moderation.validate()
        let actor = try writeActor()
        return .ok(.init(body: .json(try Self.api(try await store.moderateResponse(current.id, moderation, actor: actor), .full))))
    }
}

extension APIHandlers {
    /// What a merged moderation patch does to the analysis: nothing when it is as stored, removal when the
    /// patch nulled it, else the new analysis. An `accommodated` outside the listed values is a 422 naming it.
    static func analysisChange(_ merged: Components.Schemas.ResponseAnalysisPatch?, current: ResponseAnalysis?) throws -> Moderation.AnalysisChange {
        guard let merged else { return current == nil ? .keep : .remove }
        var accommodated: Accommodated?
        if let value = merged.accommodated {
            guard let known = Accommodated(rawValue: value) else {
                let allowed = Accommodated.allCases.map(\.rawValue).joined(separator: ", ")
                throw Problem.validation([FieldError("analysis.accommodated", "'\(value.prefix(40))' is not one of \(allowed)")])
            }
            accommodated = known
        }
        let analysis = ResponseAnalysis(summary: merged.summary, themeIds: merged.themeIds ?? [], assessment: merged.assessment,
                                        accommodated: accommodated)
        if var stored = current {
            stored.updatedAt = nil
            if stored == analysis { return .keep }
        }
        return .set(analysis)
    }
}
