import Foundation
import GRDB
import MedvirkCore
import Synchronization

/// A token as listed by `medvirk token list`: never its secret.
public struct TokenRecord: Sendable {
    public var info: TokenInfo
    public var createdAt: String
    public var lastUsedAt: String?
    public var revokedAt: String?
}

extension Store {
    /// Stores a new token (only the hash of its secret) and returns the bearer string, shown once.
    public func createToken(name: String, scope: TokenScope, municipalities: [String]) async throws -> (TokenInfo, String) {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 100 else { throw Problem.validation([FieldError("name", "must be 1 to 100 characters")]) }
        let secret = TokenSecret.generate()
        let info = TokenInfo(id: secret.id, name: name, scope: scope, municipalities: municipalities.sorted())
        try await pool.write { db in
            for id in municipalities where try Self.liveMunicipality(db, id) == nil {
                throw Problem.validation([FieldError("municipality", "no municipality '\(id)'")])
            }
            try db.execute(sql: """
                INSERT INTO tokens (id, name, scope, municipalities, secret_sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [info.id, info.name, scope.rawValue, JSONColumn.encode(info.municipalities),
                                 Data(secret.hash), Timestamps.format(self.clock.now())])
        }
        return (info, secret.bearer)
    }

    public func tokens() async throws -> [TokenRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.tokenColumns) FROM tokens ORDER BY seq").map { row in
                TokenRecord(info: try Self.tokenInfo(row), createdAt: row[5], lastUsedAt: row[6], revokedAt: row[7])
            }
        }
    }

    /// The columns `tokenInfo(_:)` and `authenticate(_:)` read, by position (every authenticated request reads one).
    static let tokenColumns = "id, name, scope, municipalities, secret_sha256, created_at, last_used_at, revoked_at"
    static let liveTokenById = "SELECT \(tokenColumns) FROM tokens WHERE id = ? AND revoked_at IS NULL"

    static func tokenInfo(_ row: Row) throws -> TokenInfo {
        TokenInfo(id: row[0], name: row[1], scope: TokenScope(rawValue: row[2]) ?? .partner,
                  municipalities: try JSONColumn.decodeList(String.self, row[3]))
    }

    /// Returns false when no such live token exists.
    public func revokeToken(_ id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [Timestamps.format(self.clock.now()), id])
            return db.changesCount > 0
        }
    }

    /// The live token a bearer string names, compared by hash in constant time; nil when unknown or revoked.
    /// Every authenticated request asks, so this reads on the caller's thread from a read-only connection of
    /// its own, as autocommit statements (a `read` block would add BEGIN, COMMIT and two query_only pragmas).
    /// Live tokens are kept in memory (`TokenCache`) for as long as `token_revision`, which triggers raise on
    /// every change to a token but its `last_used_at` (migration 0012), stays the same; reading that one row
    /// each time keeps revocation by any process (`medvirk token revoke`) immediate.
    public func authenticate(_ secret: TokenSecret) throws -> TokenInfo? {
        try tokenReader.inDatabase { db in
            // Without the row (a damaged database) nothing is served from memory.
            let revision = try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM token_revision WHERE id = 1"))
            let entry: TokenCache.Entry
            if let revision, let cached = tokenCache.entry(secret.id, revision: revision) {
                entry = cached
            } else {
                guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.liveTokenById), arguments: [secret.id]) else {
                    return nil
                }
                entry = TokenCache.Entry(info: try Self.tokenInfo(row), secretHash: Array(row[4] as Data))
                if let revision { tokenCache.keep(entry, revision: revision) }
            }
            return TokenSecret.constantTimeEqual(entry.secretHash, secret.hash) ? entry.info : nil
        }
    }

    /// Records when a token was last used. Not a content write: generations stay as they are.
    public func touchToken(_ id: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [Timestamps.format(date), id])
        }
    }
}

/// Live tokens by id, valid while the database's `token_revision` is the one they were read at. Only tokens
/// that exist are kept (a guessed id is never cached), and the whole cache is dropped when the revision moves.
final class TokenCache: Sendable {
    struct Entry: Sendable {
        let info: TokenInfo
        let secretHash: [UInt8]
    }

    private let state = Mutex<(revision: Int64, entries: [String: Entry])>((-1, [:]))

    /// The entry for `id` if it was read at `revision`.
    func entry(_ id: String, revision: Int64) -> Entry? {
        state.withLock { state in state.revision == revision ? state.entries[id] : nil }
    }

    func keep(_ entry: Entry, revision: Int64) {
        state.withLock { state in
            if state.revision != revision { state = (revision, [:]) }
            state.entries[entry.info.id] = entry
        }
    }
}
