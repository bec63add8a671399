import Foundation
import GRDB
import MedvirkCore
import MedvirkStore
import Testing

/// The package root, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func temporaryDatabase() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("medvirk-test-\(UUID().uuidString).sqlite").path
}

/// A copy of the real migrations in a folder a test may change.
func copyOfMigrations() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("medvirk-migrations-\(UUID().uuidString)")
    try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Migrations"), to: folder)
    return folder
}

@Suite struct MigratorTests {
    @Test func freshDatabaseGetsEveryMigrationAndASecondRunIsANoOp() throws {
        let path = temporaryDatabase()
        let migrator = try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))
        let store = try Store.open(path: path, migrations: migrator)
        let status = try store.migrationStatus()
        #expect(status.pending.isEmpty)
        #expect(status.applied.count == migrator.files.count)
        try store.close()

        let queue = try DatabaseQueue(path: path)
        let applied = try migrator.migrate(queue)
        #expect(applied.isEmpty)
        let strict = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM pragma_table_list WHERE strict = 1") ?? 0 }
        #expect(strict >= 7)
    }

    /// 0006 rebuilds `idempotency_keys` so new keys need no stored answer; answers stored before stay, and the
    /// empty answers the demo data stored become NULL (rebuilt from the response).
    @Test func migration6KeepsStoredAnswers() throws {
        let folder = try copyOfMigrations()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0006_replays_from_the_response.sql"))
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in
            for (n, answer) in [(1, "X'7B7D'"), (2, "X''")] {
                try db.execute(sql: """
                    INSERT INTO responses (id, consultation_id, municipality_id, receipt_number, token_id, respondent, text, received_at,
                        late, sha256, contains_national_id, status, redactions, updated_at)
                    VALUES ('res_\(n)', 'hor_1', 'testby', 'TES-2026-00000\(n)', 'tok', '{}', 'Svar', '2026-11-23T12:00:00.000Z',
                        0, 'abc', 0, 'received', '[]', '2026-11-23T12:00:00.000Z');
                    INSERT INTO idempotency_keys (token_id, key, request_sha256, response_id, answer, created_at)
                    VALUES ('tok', 'key\(n)', 'abc', 'res_\(n)', \(answer), '2026-11-23T12:00:00.000Z')
                    """)
            }
        }
        try queue.close()

        try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))).close()
        let migrated = try DatabaseQueue(path: path)
        try migrated.read { db in
            #expect(try Data.fetchOne(db, sql: "SELECT answer FROM idempotency_keys WHERE key = 'key1'") == Data("{}".utf8))
            #expect(try Bool.fetchOne(db, sql: "SELECT answer IS NULL FROM idempotency_keys WHERE key = 'key2'") == true)
            let answerNotNull = try Bool.fetchOne(db, sql: "SELECT \"notnull\" FROM pragma_table_info('idempotency_keys') WHERE name = 'answer'")
            #expect(answerNotNull == false)
        }
    }

    /// Migration 9 cuts stored milliseconds (the demo data and the clock wrote them) to whole seconds.
    @Test func migration9TruncatesStoredTimestampsToWholeSeconds() throws {
        let folder = try copyOfMigrations()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0009_whole_seconds.sql"))
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO municipalities (id, name, country, time_zone, created_at, updated_at)
                VALUES ('testby', 'Testby', 'DK', 'Europe/Copenhagen', '2026-11-23T12:00:00.999Z', '2026-11-23T12:00:01.000Z');
                INSERT INTO consultations (id, municipality_id, title, documents, opens_at, closes_at, status, audience, late_policy,
                    publish_responses, tags, created_at, updated_at)
                VALUES ('hor_1', 'testby', 'Høring', '[]', '2026-11-23T12:00:00.123Z', '2026-12-31T23:59:59.999Z', 'draft', 'public',
                    'reject', 'after_deadline', '[]', '2026-11-23T12:00:00.500Z', '2026-11-23T12:00:00.500Z')
                """)
        }
        try queue.close()

        try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))).close()
        let migrated = try DatabaseQueue(path: path)
        try migrated.read { db in
            let municipality = try Row.fetchOne(db, sql: "SELECT created_at, updated_at FROM municipalities")
            #expect(municipality?["created_at"] == "2026-11-23T12:00:00.000Z")
            #expect(municipality?["updated_at"] == "2026-11-23T12:00:01.000Z")
            let consultation = try Row.fetchOne(db, sql: "SELECT opens_at, closes_at, created_at FROM consultations")
            #expect(consultation?["opens_at"] == "2026-11-23T12:00:00.000Z")
            #expect(consultation?["closes_at"] == "2026-12-31T23:59:59.000Z")
            #expect(consultation?["created_at"] == "2026-11-23T12:00:00.000Z")
        }
    }

    /// Migration 10's pass brings stored text to NFC, once, and tells apart service areas it made equal.
    @Test func migration10NormalisesStoredTextToNFC() throws {
        let folder = try copyOfMigrations()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0010_unicode_nfc.sql"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0011_municipality_language_and_receipt_prefix.sql"))
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO municipalities (id, name, country, time_zone, created_at, updated_at)
                VALUES ('testby', 'A\u{030A}by Kommune', 'DK', 'Europe/Copenhagen', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z');
                INSERT INTO service_areas (id, municipality_id, name, created_at, updated_at) VALUES
                    ('sa_1', 'testby', '\u{00C5}by Skole', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'),
                    ('sa_2', 'testby', 'A\u{030A}by skole', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'),
                    ('sa_3', 'testby', 'Kultur', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'),
                    ('sa_4', 'testby', 'kultur', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z'),
                    ('sa_5', 'testby', '\u{00C5}BY SKOLE', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z')
                """)
        }
        try queue.close()

        try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))).close()
        let migrated = try DatabaseQueue(path: path)
        try migrated.read { db in
            let name = try String.fetchOne(db, sql: "SELECT name FROM municipalities") ?? ""
            #expect(Array(name.utf8) == Array("\u{00C5}by Kommune".utf8))
            let areas = try Row.fetchAll(db, sql: "SELECT id, name FROM service_areas ORDER BY id").map { Array(($0["name"] as String).utf8) }
            #expect(areas == [Array("\u{00C5}by Skole".utf8), Array("\u{00C5}by skole (2)".utf8), Array("Kultur".utf8), Array("kultur".utf8),
                              Array("\u{00C5}BY SKOLE".utf8)],
                    "only names made equal by normalisation are told apart")
            #expect(try Bool.fetchOne(db, sql: "SELECT done_at IS NOT NULL FROM maintenance_tasks WHERE task = 'nfc-text'") == true)
            // The change feed tells mirrors what changed: the municipality's name, the renamed service area.
            let updated = try Row.fetchAll(db, sql: "SELECT type, resource_id FROM changes WHERE action = 'updated'")
                .map { "\($0["type"] as String)/\($0["resource_id"] as String)" }
            #expect(Set(updated).isSuperset(of: ["municipality/testby", "service_area/sa_2"]), "\(updated)")
        }
    }

    /// Migration 11: municipalities that shared a receipt series each get their own prefix; numbers already
    /// given stay as they were.
    @Test func migration11GivesEachMunicipalityItsOwnReceiptPrefix() async throws {
        let folder = try copyOfMigrations()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("0011_municipality_language_and_receipt_prefix.sql"))
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            for (id, country) in [("rudersdal", "DK"), ("rudkobing", "DK"), ("nordvik", "NO")] {
                try db.execute(sql: """
                    INSERT INTO municipalities (id, name, country, time_zone, created_at, updated_at)
                    VALUES (?, ?, ?, 'Europe/Copenhagen', '2026-11-23T12:00:00.000Z', '2026-11-23T12:00:00.000Z')
                    """, arguments: [id, id.capitalized, country])
            }
            try db.execute(sql: "INSERT INTO receipt_counters (series, value) VALUES ('RUD-2026', 2)")
        }
        try queue.close()

        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        let rudersdal = try #require(try await store.municipality("rudersdal"))
        let rudkobing = try #require(try await store.municipality("rudkobing"))
        #expect(rudersdal.receiptPrefix == "RUD" && rudkobing.receiptPrefix != "RUD" && ReceiptPrefix.isValid(rudkobing.receiptPrefix))
        let nordvik = try await store.municipality("nordvik")
        #expect(rudersdal.language == .da && nordvik?.language == .nb)
        try store.close()
    }

    @Test func anEditedAppliedMigrationIsRefusedByName() throws {
        let folder = try copyOfMigrations()
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()

        let file = folder.appendingPathComponent("0001_foundation.sql")
        try (try String(contentsOf: file, encoding: .utf8) + "\n-- edited\n").write(to: file, atomically: true, encoding: .utf8)
        #expect {
            try Store.open(path: path, migrations: try Migrator.load(directory: folder))
        } throws: { error in
            "\(error)".contains("0001_foundation.sql") && "\(error)".contains("changed")
        }
    }

    @Test func aDatabaseWithAnUnknownMigrationIsRefused() throws {
        let folder = try copyOfMigrations()
        let path = temporaryDatabase()
        try "CREATE TABLE later (x INTEGER) STRICT;".write(to: folder.appendingPathComponent("9999_later.sql"), atomically: true, encoding: .utf8)
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()

        try FileManager.default.removeItem(at: folder.appendingPathComponent("9999_later.sql"))
        #expect {
            try Store.open(path: path, migrations: try Migrator.load(directory: folder))
        } throws: { error in
            "\(error)".contains("9999_later.sql") && "\(error)".contains("does not know")
        }
    }

    @Test func aFailingMigrationLeavesNothingBehind() throws {
        let folder = try copyOfMigrations()
        try "CREATE TABLE half (x INTEGER) STRICT; THIS IS NOT SQL;".write(to: folder.appendingPathComponent("0900_broken.sql"), atomically: true, encoding: .utf8)
        let path = temporaryDatabase()
        #expect(throws: (any Error).self) { try Store.open(path: path, migrations: try Migrator.load(directory: folder)) }
        let queue = try DatabaseQueue(path: path)
        let half = try queue.read { db in try db.tableExists("half") }
        let recorded = try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM schema_migrations WHERE version = 900") }
        #expect(!half)
        #expect(recorded == 0)
    }
}

@Suite struct TokenStorageTests {
    @Test func tokensAreStoredOnlyAsAHash() async throws {
        let path = temporaryDatabase()
        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        let (info, bearer) = try await store.createToken(name: "Web form", scope: .partner, municipalities: [])
        let secret = try #require(TokenSecret(bearer: bearer))
        #expect(try store.authenticate(secret)?.id == info.id)
        #expect(try store.authenticate(TokenSecret(id: secret.id, secret: String(secret.secret.reversed()))) == nil)
        try store.close()

        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(bytes.range(of: Data(secret.secret.utf8)) == nil, "the secret must not be stored in \(file)")
        }
    }

    @Test func revokedTokensNoLongerAuthenticate() async throws {
        let store = try Store.open(path: temporaryDatabase(), migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        let (info, bearer) = try await store.createToken(name: "Ops", scope: .admin, municipalities: [])
        #expect(try await store.revokeToken(info.id))
        #expect(try store.authenticate(TokenSecret(bearer: bearer)!) == nil)
        #expect(try await store.revokeToken(info.id) == false)
    }

    /// The server keeps live tokens in memory; a revocation by another process (`medvirk token revoke`
    /// opens the database on its own connections) still holds from the next request on, and so does a
    /// secret changed under the same id.
    @Test func aRevocationByAnotherProcessHoldsAtOnceDespiteTheCache() async throws {
        let path = temporaryDatabase()
        let migrations = try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))
        let server = try Store.open(path: path, migrations: migrations)
        let (info, bearer) = try await server.createToken(name: "Web form", scope: .partner, municipalities: [])
        let (other, otherBearer) = try await server.createToken(name: "Archive", scope: .partner, municipalities: [])
        let secret = try #require(TokenSecret(bearer: bearer))
        #expect(try server.authenticate(secret)?.id == info.id)
        #expect(try server.authenticate(secret)?.id == info.id)  // from memory now
        try await server.touchToken(info.id, at: Date())  // not a change that drops the cache
        #expect(try server.authenticate(secret)?.id == info.id)

        let command = try Store.open(path: path, migrations: migrations)
        #expect(try await command.revokeToken(info.id))
        #expect(try server.authenticate(secret) == nil)
        let otherSecret = try #require(TokenSecret(bearer: otherBearer))
        #expect(try server.authenticate(otherSecret)?.id == other.id)
        try command.close()

        // Another process gives the second token a new secret under the same id (as rotation will).
        let (_, replacement) = try await server.createToken(name: "Unused", scope: .partner, municipalities: [])
        let newHash = Data(try #require(TokenSecret(bearer: replacement)).hash)
        let raw = try DatabaseQueue(path: path)
        try await raw.write { db in try db.execute(sql: "UPDATE tokens SET secret_sha256 = ? WHERE id = ?", arguments: [newHash, other.id]) }
        #expect(try server.authenticate(otherSecret) == nil)
        // Without its revision row, nothing is served from memory: a revocation still holds.
        let third = try #require(TokenSecret(bearer: try await server.createToken(name: "Third", scope: .admin, municipalities: []).1))
        #expect(try server.authenticate(third) != nil)
        try await raw.write { db in try db.execute(sql: "DELETE FROM token_revision") }
        #expect(try server.authenticate(third) != nil)
        try await raw.write { db in try db.execute(sql: "UPDATE tokens SET revoked_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", arguments: [third.id]) }
        #expect(try server.authenticate(third) == nil)
        try raw.close()
        try server.close()
    }

    /// The triggers that keep the token cache honest, and that disable a revoked token's webhooks, exist (a
    /// migration that rebuilds `tokens` drops them).
    @Test func theTokenRevisionTriggersExist() throws {
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))).close()
        let queue = try DatabaseQueue(path: path)
        let triggers = try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tokens' ORDER BY name")
        }
        #expect(triggers == ["token_changed", "token_deleted", "token_inserted", "webhooks_follow_token_revocation"])
        try queue.close()
    }
}

@Suite struct SeatRuleTests {
    @Test func overlapCountsInclusiveEndDates() {
        let d = { CalendarDate($0)! }
        #expect(SeatRules.maxOverlap([(d("2025-01-01"), d("2025-12-31")), (d("2025-12-31"), nil)]) == 2)
        #expect(SeatRules.maxOverlap([(d("2025-01-01"), d("2025-12-30")), (d("2025-12-31"), nil)]) == 1)
        #expect(SeatRules.maxOverlap([]) == 0)
    }

    @Test func calendarDatesMustBeReal() {
        #expect(CalendarDate("2024-02-29") != nil)
        #expect(CalendarDate("2025-02-29") == nil)
        #expect(CalendarDate("2025-13-01") == nil)
        #expect(CalendarDate("2025-1-01") == nil)
    }
}

/// 0008 and `Store.rescreenResponses`: responses stored under the old national id rules are screened again
/// when the server starts; a published one that now shows a number leaves public view, with a note, a feed
/// entry and an audit log entry.
@Suite struct RescreeningTests {
    @Test func storedResponsesAreScreenedAgainWithTheNewRules() throws {
        let folder = try copyOfMigrations()
        let later = folder.appendingPathComponent("0008_rescreen_national_ids.sql")
        let kept = try Data(contentsOf: later)
        try FileManager.default.removeItem(at: later)
        let path = temporaryDatabase()
        try Store.open(path: path, migrations: try Migrator.load(directory: folder)).close()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let rows: [(String, String, String, String)] = [
            ("res_spaced", "Mit CPR er 120385 1233.", #"{"kind":"citizen","name":"A","publish_name":false}"#, "published"),
            ("res_clean", "Ring 20 12 85 12.", #"{"kind":"citizen","name":"B","publish_name":false}"#, "published"),
            ("res_org", "Ingen bemærkninger.", #"{"kind":"organisation","name":"C","organisation":"Forening 12.03.85-1233","publish_name":false}"#, "received"),
        ]
        try queue.write { db in
            for (id, text, respondent, status) in rows {
                try db.execute(sql: """
                    INSERT INTO responses (id, consultation_id, municipality_id, receipt_number, token_id, respondent, text, received_at,
                        late, sha256, contains_national_id, status, redactions, updated_at)
                    VALUES (?, 'hor_1', 'testby', ?, 'tok', ?, ?, '2026-11-23T12:00:00.000Z', 0, 'abc', 0, ?, '[]', '2026-11-23T12:00:00.000Z')
                    """, arguments: [id, "TES-2026-\(id)", respondent, text, status])
            }
        }
        try queue.close()
        try kept.write(to: later)

        let store = try Store.open(path: path, migrations: try Migrator.load(directory: folder))
        try store.close()
        let check = try DatabaseQueue(path: path)
        try check.read { db in
            let result = try Row.fetchAll(db, sql: "SELECT id, status, contains_national_id, moderation_note, screened_with FROM responses ORDER BY id")
            let byId = Dictionary(uniqueKeysWithValues: result.map { ($0["id"] as String, $0) })
            #expect(byId["res_spaced"]?["status"] == "received")
            #expect((byId["res_spaced"]?["moderation_note"] as String?)?.contains("national identity number") == true)
            #expect(byId["res_spaced"]?["contains_national_id"] == true)
            #expect(byId["res_clean"]?["status"] == "published" && byId["res_clean"]?["contains_national_id"] == false)
            #expect(byId["res_org"]?["status"] == "received" && byId["res_org"]?["contains_national_id"] == true)
            #expect(result.allSatisfy { $0["screened_with"] == NationalIdScreening.version })
            let audited = try String.fetchAll(db, sql: "SELECT resource_id FROM audit_log WHERE token_id = 'medvirk:rescreening'")
            #expect(audited == ["res_spaced"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM changes WHERE type = 'response' AND resource_id = 'res_spaced'") == 1)
        }
    }
}

/// Every table's timestamps are stored in one format, whichever code wrote them (GRDB records or SQL):
/// RFC 3339 in UTC with a `.000` millisecond field, which sorts chronologically and compares with `now`.
@Suite struct StoredFormatTests {
    @Test func everyTimestampColumnHoldsTheOneStoredFormat() async throws {
        let path = temporaryDatabase()
        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        #expect(try await store.loadDemo())
        try store.close()
        let queue = try DatabaseQueue(path: path)
        try await queue.read { db in
            var checked = 0
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'") {
                for column in try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map({ $0["name"] as String })
                where column.hasSuffix("_at") {
                    let bad = try String.fetchAll(db, sql: """
                        SELECT "\(column)" FROM "\(table)" WHERE "\(column)" IS NOT NULL AND "\(column)" NOT GLOB '????-??-??T??:??:??.000Z' LIMIT 3
                        """)
                    #expect(bad.isEmpty, "\(table).\(column) holds \(bad)")
                    checked += try Int.fetchOne(db, sql: "SELECT count(\"\(column)\") FROM \"\(table)\"") ?? 0
                }
            }
            #expect(checked > 100)
        }
        try queue.close()
    }
}

/// Columns without a CHECK constraint may hold a value a later version wrote (a new council kind, say):
/// reading it gives the documented fallback instead of failing the whole read.
@Suite struct UnknownStoredValueTests {
    @Test func unknownKindsReadAsTheirFallbacks() async throws {
        let path = temporaryDatabase()
        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        #expect(try await store.loadDemo())
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let raw = try DatabaseQueue(path: path, configuration: configuration)
        let (meetingId, itemId) = try await raw.write { db -> (String, String) in
            try db.execute(sql: """
                UPDATE councils SET kind = 'elder_council';
                UPDATE members SET role = 'emperor', member_group = 'guests';
                UPDATE meetings SET kind = 'rave';
                UPDATE agenda_items SET kind = 'gossip';
                UPDATE dialogue_channels SET target_group = 'visitors', user_category = 'tourists', kind = 'carrier_pigeon';
                """)
            let item = try Row.fetchOne(db, sql: "SELECT id, meeting_id FROM agenda_items WHERE deleted_at IS NULL LIMIT 1")!
            return (item["meeting_id"], item["id"])
        }
        try raw.close()
        let councils = try await store.councils(CouncilFilter(), PageRequest(limit: 100, after: nil)).items
        #expect(!councils.isEmpty && councils.allSatisfy { $0.draft.kind == .other })
        let members = try await store.members(municipality: "fjordby", PageRequest(limit: 100, after: nil)).items
        #expect(!members.isEmpty && members.allSatisfy { $0.draft.role == .member && $0.draft.group == .users })
        #expect(try await store.meeting(meetingId)?.draft.kind == .workshop)
        #expect(try await store.agendaItem(itemId, meeting: meetingId)?.draft.kind == .information)
        let channels = try await store.inventory(municipality: "fjordby").channels
        #expect(!channels.isEmpty && channels.allSatisfy { $0.draft.targetGroup == .serviceUsers && $0.draft.userCategory == .other && $0.draft.kind == .other })
        try store.close()
    }
}

/// A damaged JSON column is the service's fault: the store throws `StoredDataError` (answered as a 500),
/// not a `DecodingError`, which the HTTP layer would answer as a 422 about the request.
@Suite struct DamagedStoredDataTests {
    @Test func aDamagedJSONColumnIsAStoredDataError() async throws {
        let path = temporaryDatabase()
        let store = try Store.open(path: path, migrations: try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations")))
        #expect(try await store.loadDemo())
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let raw = try DatabaseQueue(path: path, configuration: configuration)
        let (council, consultation) = try await raw.write { db -> (String, String) in
            try db.execute(sql: "UPDATE councils SET seats = '{\"not\": \"a list\"}'; UPDATE consultations SET tags = '[1, 2]'")
            return (try String.fetchOne(db, sql: "SELECT id FROM councils LIMIT 1")!, try String.fetchOne(db, sql: "SELECT id FROM consultations LIMIT 1")!)
        }
        try raw.close()
        await #expect(throws: StoredDataError.self) { _ = try await store.council(council) }
        await #expect(throws: StoredDataError.self) { _ = try await store.consultation(consultation) }
        try store.close()
    }
}
