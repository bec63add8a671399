import Foundation
import Logging
@testable import MedvirkServer
import MedvirkCore
import MedvirkStore
import Synchronization
import Testing

/// The scheduler and the token-use recorder run as services of the application and follow the test clock.
@Suite struct BackgroundServiceTests {
    /// A deadline passing is recorded by the scheduler when the clock moves, with no read of the feed.
    @Test func movingTheClockPastADeadlineReleasesResponsesWithoutAnyRead() async throws {
        try await withAPI { api in
            let (m, _) = try await seedMunicipality(api)
            let partner = try await api.service.token(.partner)
            let consultation = try await seedConsultation(api, municipality: m, closesIn: 3600, extra: #","publish_responses":"after_deadline""#)
            let response = try #require(try await submit(api, consultation, token: partner, key: "k").string("id"))
            #expect(try await api.patch("/v1/responses/\(response)", #"{"status":"published"}"#).status == .ok)
            let store = api.service.store
            let before = try await store.changes(municipality: m, after: 0, limit: 1000, adminOf: []).events
            #expect(!before.contains { $0.type == .response })

            await api.service.clock.advance(by: 3601)
            let after = try await store.changes(municipality: m, after: 0, limit: 1000, adminOf: []).events
            let released = after.filter { $0.type == .response }
            #expect(released.map(\.id) == [response] && released.first?.action == .created)
            #expect(released.first?.at == api.service.clock.now())
            // Reading the feed writes nothing: the generations stay where the scheduler left them.
            let generation = store.generations.current("*")
            _ = try await api.get("/v1/changes?municipality=\(m)")
            #expect(store.generations.current("*") == generation)
        }
    }

    /// A commit to a table a job watches wakes the scheduler (a moved deadline is not slept past).
    @Test(.timeLimit(.minutes(1))) func aCommitToAWatchedTableStartsAPass() async throws {
        try await withAPI { api in
            let (passes, pass) = AsyncStream.makeStream(of: Date.self)
            let scheduler = Scheduler(store: api.service.store, logger: Logger(label: "test"))
            scheduler.register(TimedJob(name: "count passes", tables: ["consultations"], nextDue: { _ in nil },
                                        run: { now in pass.yield(now) }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                var iterator = passes.makeAsyncIterator()
                #expect(await iterator.next() != nil)  // the first pass, at start
                let (m, _) = try await seedMunicipality(api)
                try await seedConsultation(api, municipality: m)
                #expect(await iterator.next() != nil)  // woken by the commit, not by the clock
                group.cancelAll()
            }
        }
    }

    /// Token uses are written by a service that finishes its work on graceful shutdown.
    @Test func aTokensLastUseIsWrittenBeforeShutdownEnds() async throws {
        let seen = Mutex<(Service, String)?>(nil)
        try await withAPI { api in
            let (id, partner) = try await api.service.tokenWithId(.partner)
            #expect(try await api.get("/v1/councils", token: partner).status == .ok)
            seen.withLock { $0 = (api.service, id) }
        }
        let (service, id) = try #require(seen.withLock { $0 })
        let record = try await service.store.tokens().first { $0.info.id == id }
        #expect(record?.lastUsedAt != nil)
        #expect(record?.lastUsedAt.flatMap(UTCTimestamp.parseMilliseconds) == service.clock.now())
    }
}
