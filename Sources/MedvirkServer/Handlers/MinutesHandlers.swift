import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func api(_ m: Minutes) -> Components.Schemas.Minutes {
        .init(meetingId: m.meetingId, text: m.text, present: m.present, absent: m.absent,
              status: m.isApproved ? .approved : .draft, approvedAt: m.approvedAt, updatedAt: m.updatedAt)
    }

    /// Draft minutes are admin-only; approved minutes of a public meeting are public.
    func getMinutes(_ input: Operations.GetMinutes.Input) async throws -> Operations.GetMinutes.Output {
        let meeting = try await visibleMeeting(input.path.meetingId)
        try await requireReadable(.minutes, meeting.id, name: "minutes of meeting")
        guard let minutes = try await store.minutes(meeting: meeting.id) else { throw Problem.notFound("minutes of meeting", meeting.id) }
        return .ok(.init(body: .json(Self.api(minutes))))
    }

    func putMinutes(_ input: Operations.PutMinutes.Input) async throws -> Operations.PutMinutes.Output {
        guard case .json(let body) = input.body else { throw Problem.badRequest("Expected a JSON body.") }
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        try Problem.check(Rules.optionalText("text", body.text, max: 100_000))
        let actor = try writeActor()
        let minutes = try await store.putMinutes(meeting: meeting.id, text: body.text, present: body.present ?? [],
                                                 absent: body.absent ?? [], actor: actor)
        return .ok(.init(body: .json(Self.api(minutes))))
    }

    func approveMinutes(_ input: Operations.ApproveMinutes.Input) async throws -> Operations.ApproveMinutes.Output {
        let meeting = try await visibleMeeting(input.path.meetingId)
        try principal.requireAdmin(meeting.draft.municipalityId)
        var signed: ConsultationDocument?
        if case .json(let body) = input.body {
            if let fileId = body.signedFileId {
                signed = ConsultationDocument(title: body.title ?? "Signed minutes", url: nil, fileId: fileId, kind: .minutes)
            } else if body.title != nil {
                throw Problem.validation([FieldError("signed_file_id", "is required when a title is given")])
            }
        }
        return .ok(.init(body: .json(Self.api(try await store.approveMinutes(meeting: meeting.id, signed: signed, actor: try writeActor())))))
    }
}
