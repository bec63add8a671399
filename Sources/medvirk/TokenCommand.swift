import ArgumentParser
import Foundation
import MedvirkCore
import MedvirkStore

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; prints only the token on stdout.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "What the token is for, e.g. 'Web form integration'.") var name: String
        @Option(help: "admin or partner.") var scope: String
        @Option(help: "Limit the token to this municipality; repeatable. Default: all.") var municipality: [String] = []

        func run() async throws {
            guard let scope = TokenScope(rawValue: scope) else { fail("scope must be admin or partner") }
            let store = try database.open(ifMissing: .create)
            do {
                let (info, bearer) = try await store.createToken(name: name, scope: scope, municipalities: municipality)
                print(bearer)
                let reach = info.municipalities.isEmpty ? "all municipalities" : info.municipalities.joined(separator: ", ")
                note("created \(scope.rawValue) token \(info.id) '\(info.name)' for \(reach); it is shown only once")
            } catch let problem as Problem {
                fail(problem.errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
            }
            try store.close()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let store = try database.open(ifMissing: .refuse)
            print("ID\tSCOPE\tMUNICIPALITIES\tNAME\tCREATED\tLAST USED\tREVOKED")
            for token in try await store.tokens() {
                let reach = token.info.municipalities.isEmpty ? "*" : token.info.municipalities.joined(separator: ",")
                print([token.info.id, token.info.scope.rawValue, reach, token.info.name, token.createdAt,
                       token.lastUsedAt ?? "-", token.revokedAt ?? "-"].joined(separator: "\t"))
            }
            try store.close()
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id; it stops working at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token id shown by 'token list'.") var id: String

        func run() async throws {
            let store = try database.open(ifMissing: .refuse)
            let revoked = try await store.revokeToken(id)
            try store.close()
            guard revoked else { fail("no live token with id '\(id)'") }
            note("revoked token \(id)")
        }
    }
}
