import Foundation

/// Who may submit a response to a consultation, and when.
public enum SubmissionRules {
    /// Returns whether the response is late; throws 404 (not visible), 409 (not open, closed) or 403 (not entitled).
    public static func check(_ consultation: Consultation, token: TokenInfo, tokenParties: [Party], party: Party?,
                             partyId: String?, now: Date) throws -> Bool {
        let draft = consultation.draft
        // The consultation rule of the store's `Readable`, in Swift: this runs inside the single writer, where
        // another statement would cost every submission. ResponseTests checks a draft is a 404 here as in reads.
        guard draft.isPublic else { throw Problem.notFound("consultation", consultation.id) }
        if !token.municipalities.isEmpty && !token.municipalities.contains(draft.municipalityId) {
            throw Problem.forbidden("This token may not submit responses in municipality '\(draft.municipalityId)'.")
        }
        if draft.status == .concluded {
            throw Problem.conflict("consultation-closed", "The consultation is concluded and takes no more responses.")
        }
        // Its retention period has ended: no new personal data is taken in that would never be erased.
        if consultation.personalDataErasedAt != nil {
            throw Problem.conflict("consultation-closed", "The consultation's retention period has ended and its respondents' personal data was erased; it takes no more responses.")
        }
        var late = false
        switch draft.phase(at: now) {
        case .upcoming:
            throw Problem.conflict("consultation-not-open", "The consultation opens for responses at \(draft.opensAt.formatted(.iso8601)).")
        case .open:
            break
        case .closed:
            guard draft.latePolicy == .acceptFlagged else {
                throw Problem.conflict("consultation-closed", "The deadline was \(draft.closesAt.formatted(.iso8601)); late responses are not accepted.")
            }
            late = true
        }
        if let partyId, party == nil {
            throw Problem.validation([FieldError("party_id", "no party '\(partyId)' in this consultation")])
        }
        if draft.audience == .invited {
            guard !tokenParties.isEmpty else {
                throw Problem.forbidden("Only the invited parties may respond to this consultation; this token answers for none of them.")
            }
            guard let party else {
                throw Problem.validation([FieldError("party_id", "is required: name the invited party you answer for")])
            }
            guard tokenParties.contains(where: { $0.id == party.id }) else {
                throw Problem.forbidden("This token may not answer for party '\(party.id)'.")
            }
        } else if let party, let owner = party.partnerTokenId, owner != token.id {
            throw Problem.forbidden("This token may not answer for party '\(party.id)'.")
        }
        return late
    }
}
