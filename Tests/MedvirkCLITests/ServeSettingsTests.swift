import Foundation
import Testing
@testable import medvirk

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The README's options table says what `medvirk serve --help` says: the same options, variables and defaults.
@Suite struct ServeSettingsTests {
    /// One row of the README's table: the option, the variable and the default, backticks removed.
    struct Row: Equatable, CustomStringConvertible {
        let option: String
        let env: String
        let defaultText: String
        var description: String { "--\(option) | \(env) | \(defaultText)" }
    }

    static func readmeRows() throws -> [Row] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let table = try #require(readme.components(separatedBy: "| option | env | default |").dropFirst().first)
        return table.split(separator: "\n").dropFirst().prefix { $0.hasPrefix("|") }.map { line in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            func firstCode(_ cell: String) -> String { cell.components(separatedBy: "`").dropFirst().first ?? cell }
            let option = firstCode(cells[0]).split(separator: " ")[0].dropFirst(2)
            let env = firstCode(cells[1]).split(separator: "=")[0]
            return Row(option: String(option), env: String(env), defaultText: cells[2].replacingOccurrences(of: "`", with: ""))
        }
    }

    @Test func theReadmeTableMatchesServeHelp() throws {
        let help = Medvirk.helpMessage(for: Serve.self, columns: 10_000)
        // An entry starts with its option; a long option's text follows on the next line.
        var helpLines: [String] = []
        for line in help.components(separatedBy: "OPTIONS:").last!.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("-") { helpLines.append(text) } else if !helpLines.isEmpty { helpLines[helpLines.count - 1] += " " + text }
        }
        helpLines = helpLines.filter { $0.hasPrefix("--") }
        let helpRows = try helpLines.compactMap { line -> Row? in
            let option = String(line.split(separator: " ")[0].dropFirst(2))
            guard option != "help", option != "version" else { return nil }
            let settings = try #require(line.range(of: "(env ", options: .backwards), "no '(env …; default …)' in: \(line)")
            let inside = line[settings.upperBound...].dropLast()  // the closing parenthesis
            let parts = inside.components(separatedBy: "; default ")
            try #require(parts.count == 2, "no default in: \(line)")
            let env = parts[0].split(separator: ",")[0].split(separator: "=")[0]
            return Row(option: option, env: String(env), defaultText: parts[1])
        }
        let readme = try Self.readmeRows()
        #expect(readme.count == ServeSettings.all.count)
        #expect(Set(readme.map(\.option)) == Set(helpRows.map(\.option)), "options differ")
        for row in readme {
            #expect(helpRows.first { $0.option == row.option } == row, "README: \(row)")
        }
    }
}
