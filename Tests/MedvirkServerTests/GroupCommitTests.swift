import Foundation
import Synchronization
import Testing

@Suite struct GroupCommitTests {
    /// Submissions arriving together share commits; a failing one is rolled back alone (its receipt number
    /// too), and every 201 is for a response that is stored.
    @Test func aBurstOfSubmissionsCommitsTogetherAndFailuresStayAlone() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let open = try await seedConsultation(api, municipality: m)
            let closed = try await seedConsultation(api, municipality: m, opensIn: -7200, closesIn: -3600)
            let partner = try await api.service.token(.partner)
            let batches = Mutex<[Int]>([])
            api.service.store.onSubmissionBatch { size in batches.withLock { $0.append(size) } }

            let replies = try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                for n in 0..<48 {
                    group.addTask {
                        let target = n.isMultiple(of: 4) ? closed : open
                        return (n, try await submit(api, target, token: partner, key: "burst-\(n)", text: "Svar nummer \(n)"))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (n, reply) in replies {
                if n.isMultiple(of: 4) { expectProblem(reply, .conflict, "consultation-closed") } else { #expect(reply.status == .created) }
            }
            #expect(batches.withLock { $0.reduce(0, +) } == 48)

            let stored = try await api.get("/v1/consultations/\(open)/responses?limit=200", token: api.service.admin).data
            #expect(stored.count == 36)
            let receipts = stored.compactMap { $0["receipt_number"] as? String }.sorted()
            #expect(receipts == (1...36).map { String(format: "TES-%@-%06d", String(receipts[0].dropFirst(4).prefix(4)), $0) })
            for (n, reply) in replies where !n.isMultiple(of: 4) {
                let id = try #require(reply.string("id"))
                let read = try await api.get("/v1/responses/\(id)", token: api.service.admin)
                #expect(read.string("text") == "Svar nummer \(n)" && read.string("receipt_number") == reply.string("receipt_number"))
            }
        }
    }
}
