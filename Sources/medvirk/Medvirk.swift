import ArgumentParser
import Foundation
import MedvirkStore

@main
struct Medvirk: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "medvirk",
        abstract: "Citizen and user participation service for Nordic municipalities.",
        version: Medvirk.version,
        subcommands: [Serve.self, Migrate.self, TokenCommand.self, Backup.self])

    /// The release, as `medvirk --version` prints it; the contract's `info.version` is the API's.
    static let version = "1.1.0"
}

/// Options every command that opens the database shares. Each option also reads an environment variable.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong(ServeSettings.db.name), help: ServeSettings.db.helpLine)
    var db: String?

    @Option(name: .customLong(ServeSettings.migrations.name), help: ServeSettings.migrations.helpLine)
    var migrations: String?

    var databasePath: String { ServeSettings.db.text(db) ?? ServeSettings.db.defaultText }

    /// The database path made absolute, for messages.
    var absolutePath: String { URL(fileURLWithPath: databasePath).standardizedFileURL.path }

    /// Commands that create the database when it is missing say so, so a mistyped `--db` does not pass
    /// silently; commands that only read or copy one fail instead, naming the path.
    enum Missing { case create, refuse }

    /// Opens the store (applying migrations unless `migrate` is false, in which case no migrations folder is
    /// needed unless `status` is); see `Missing`. Every failure names the path.
    func open(ifMissing: Missing, migrate: Bool = true, needsMigrations: Bool = true) throws -> Store {
        let exists = FileManager.default.fileExists(atPath: databasePath)
        if !exists && ifMissing == .refuse {
            fail("no database at \(absolutePath); pass --db PATH (or set MEDVIRK_DB) to an existing medvirk database")
        }
        // A command that only reads or copies never turns another program's file into a medvirk database.
        if exists && ifMissing == .refuse && !Store.isMedvirkDatabase(path: databasePath) {
            fail("\(absolutePath) is not a medvirk database (it has no migration ledger); check --db")
        }
        do {
            let migrator = needsMigrations || migrate ? try Migrator.load(directory: migrationsDirectory) : Migrator(files: [])
            let store = try Store.open(path: databasePath, migrations: migrator, migrate: migrate)
            if !exists { note("medvirk: created a new database at \(absolutePath)") }
            return store
        } catch let error as MigrationError {
            fail(error.description)
        } catch {
            fail("cannot open the database at \(absolutePath): \(error)")
        }
    }

    var migrationsDirectory: URL {
        shippedFile("Migrations", explicit: ServeSettings.migrations.text(migrations))
    }
}

/// Finds a file shipped beside the binary: the explicit path, else `./NAME`, else next to the executable,
/// else the installed copy under /usr/share/medvirk.
func shippedFile(_ name: String, explicit: String?) -> URL {
    if let explicit { return URL(fileURLWithPath: explicit) }
    let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let candidates = [URL(fileURLWithPath: name), executable.appendingPathComponent(name),
                      URL(fileURLWithPath: "/usr/share/medvirk").appendingPathComponent(name)]
    return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}

/// Exits with a message on stderr and status 1.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("medvirk: " + message + "\n").utf8))
    exit(1)
}

func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
