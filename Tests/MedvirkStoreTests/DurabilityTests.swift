import Foundation
import MedvirkStore
import Testing

@Suite struct DurabilityTests {
    /// An acknowledged write must survive power loss, so the writer syncs the WAL at every commit (FULL = 2).
    /// GRDB's WAL set-up used to leave it at NORMAL (1), where a power cut can drop the last commits.
    @Test func theWriterCommitsWithSynchronousFull() throws {
        let migrator = try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))
        let store = try Store.open(path: temporaryDatabase(), migrations: migrator)
        #expect(try store.writerSynchronousMode() == 2)
        try store.close()
        let reopened = try Store.open(path: store.path, migrations: migrator, migrate: false)
        #expect(try reopened.writerSynchronousMode() == 2)
        try reopened.close()
    }

    /// File chunks commit without waiting for the disk; every write after them is FULL again.
    @Test func aFileChunkLeavesTheWriterAtSynchronousFull() async throws {
        let migrator = try Migrator.load(directory: packageRoot.appendingPathComponent("Migrations"))
        let store = try Store.open(path: temporaryDatabase(), migrations: migrator)
        let content = try await store.beginFileContent()
        try await store.appendFileChunk(content, seq: 0, Data([1, 2, 3]))
        #expect(try store.writerSynchronousMode() == 2)
        try store.close()
    }
}
