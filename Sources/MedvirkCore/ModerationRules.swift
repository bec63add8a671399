import Foundation

/// What moderation may do to a hearing response, and when its respondent may withdraw it. Pure rules: the
/// store applies them inside the write's transaction, beside `SubmissionRules` for submissions.
public enum ModerationRules {
    /// The response after `moderation`, or the reason it is refused: 409 `response-withdrawn` (a withdrawn
    /// response never changes), 422 for a redaction that does not occur in the publishable text, 422 for a
    /// withhold without a reason, 409 `publication-disabled` when the consultation never publishes, and 422
    /// naming each public field that still shows a national identity number (CPR or fødselsnummer; see
    /// `NationalIdScreening`) when publishing.
    public static func apply(_ moderation: Moderation, to stored: HearingResponse, consultation: Consultation) throws -> HearingResponse {
        var response = stored
        guard response.status != .withdrawn else {
            throw Problem.conflict("response-withdrawn", "The respondent withdrew this response; it can never be published.")
        }
        if let redactions = moderation.redactions {
            let written = response.publishableFields.compactMap(\.text)
            let missing = redactions.enumerated().filter { redaction in !written.contains { $0.contains(redaction.element) } }
            try Problem.check(missing.map { FieldError("redactions[\($0.offset)]", "does not occur in the text or the respondent's public fields") })
            response.redactions = redactions
        }
        if let status = moderation.status { response.status = status }
        response.withheldReason = response.status == .withheld ? (moderation.withheldReason ?? response.withheldReason) : nil
        switch response.status {
        case .withheld:
            if (response.withheldReason ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw Problem.validation([FieldError("withheld_reason", "is required to withhold a response")])
            }
        case .published:
            if consultation.draft.publishResponses == .never {
                throw Problem.conflict("publication-disabled", "This consultation never publishes responses.")
            }
            let found = response.publicFields.filter { $0.text.map(NationalIdScreening.containsNationalId) ?? false }
            try Problem.check(found.map {
                FieldError($0.name, "still contains a national identity number; add a redaction for every one before publishing")
            })
        default:
            break
        }
        try Problem.check(Rules.optionalText("withheld_reason", response.withheldReason, max: 2000))
        return response
    }

    /// A respondent may withdraw its response until the consultation's deadline (409 `consultation-closed` after).
    public static func checkWithdrawal(_ consultation: Consultation, now: Date) throws {
        guard now < consultation.draft.closesAt else {
            throw Problem.conflict("consultation-closed", "The deadline has passed; the response can no longer be withdrawn.")
        }
    }
}
