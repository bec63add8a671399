import ArgumentParser
import Foundation
import MedvirkStore

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy the database with SQLite's online backup; safe while the server runs.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The new backup file (must not exist).")
    var to: String

    func run() async throws {
        guard !FileManager.default.fileExists(atPath: to) else { fail("\(to) already exists") }
        let store = try database.open(ifMissing: .refuse, migrate: false, needsMigrations: false)
        try store.backup(to: to)
        try store.close()
        note("backed up \(database.databasePath) to \(to)")
    }
}
