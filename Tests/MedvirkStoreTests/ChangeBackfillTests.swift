import Foundation
import GRDB
import MedvirkCore
import MedvirkStore
import Testing

@Suite struct ChangeBackfillTests {
    /// What a feed leaves standing when replayed from the start: created or updated and not deleted since.
    func replay(_ store: Store, adminOf: [String]?) async throws -> Set<String> {
        var live = Set<String>()
        var after: Int64 = 0
        while true {
            let page = try await store.changes(municipality: nil, after: after, limit: 200, adminOf: adminOf)
            for event in page.events {
                let key = "\(event.type.rawValue) \(event.id)"
                if event.action == .deleted { live.remove(key) } else { live.insert(key) }
            }
            if page.events.isEmpty { return live }
            after = page.next
        }
    }

    /// A database written before the feed existed starts its feed with a `created` event per live resource,
    /// and the public part of it is exactly what the public could read.
    @Test func aDatabaseWithoutAFeedGetsOneOnOpen() async throws {
        let path = temporaryDatabase()
        let migrator = try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))
        var store = try Store.open(path: path, migrations: migrator)
        try await store.loadDemo()
        let admin = try await replay(store, adminOf: nil)
        let anonymous = try await replay(store, adminOf: [])
        #expect(anonymous.count > 50 && admin.count > anonymous.count)
        try store.close()

        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(sql: "DELETE FROM changes; DELETE FROM public_resources")
        }
        try queue.close()

        store = try Store.open(path: path, migrations: migrator)
        let first = try await store.changes(municipality: nil, after: 0, limit: 200, adminOf: nil)
        #expect(first.events.allSatisfy { $0.action == .created })
        #expect(try await replay(store, adminOf: nil) == admin)
        #expect(try await replay(store, adminOf: []) == anonymous)
        try store.close()
    }
}
