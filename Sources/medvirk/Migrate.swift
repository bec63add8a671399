import ArgumentParser
import Foundation
import MedvirkStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, or list them with --status.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List applied and pending migrations without applying any.")
    var status = false

    func run() async throws {
        let store = try database.open(ifMissing: status ? .refuse : .create, migrate: !status)
        let current = try store.migrationStatus()
        for applied in current.applied { print("applied  \(applied.name)  \(applied.appliedAt)") }
        for pending in current.pending { print("pending  \(pending.name)") }
        try store.close()
    }
}
