import MedvirkAPI
import MedvirkCore

extension APIHandlers {
    static func receipt(_ r: HearingResponse) throws -> Components.Schemas.ReceiptStatus {
        .init(number: r.receiptNumber, consultationId: r.consultationId, status: try convert(r.status), late: r.late,
              receivedAt: r.receivedAt, sha256: r.sha256)
    }

    /// Only the token that submitted a response can see its receipt; to anyone else it does not exist.
    func getReceipt(_ input: Operations.GetReceipt.Input) async throws -> Operations.GetReceipt.Output {
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        guard let response = try await store.response(receipt: input.path.receiptNumber), response.tokenId == token.id else {
            throw Problem.notFound("receipt", input.path.receiptNumber)
        }
        return .ok(.init(body: .json(try Self.receipt(response))))
    }

    func withdrawResponse(_ input: Operations.WithdrawResponse.Input) async throws -> Operations.WithdrawResponse.Output {
        guard case .token(let token) = principal else { throw Problem.unauthenticated }
        let response = try await store.withdrawResponse(receipt: input.path.receiptNumber, token: token, actor: try writeActor())
        return .ok(.init(body: .json(try Self.receipt(response))))
    }
}
