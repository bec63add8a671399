import Foundation
import GRDB
import MedvirkCore

/// A table row as a GRDB record: the table's columns are the record's properties, named once (snake case
/// in the database, camel case here), and read and written by GRDB's Codable support. Timestamps are
/// stored as `Timestamps` text (RFC 3339, UTC, whole seconds). Tables off the measured hot paths use these;
/// responses, tokens and consultation reads keep positional SQL (Benchmarks/README.md).
protocol StoredRecord: Codable, FetchableRecord, PersistableRecord, Sendable {}

/// A record of a table whose primary key is `seq INTEGER PRIMARY KEY` (with a unique text `id`): the order
/// of cursor pages.
protocol SequencedRecord: StoredRecord {
    /// Nil until inserted.
    var seq: Int64? { get }
}

extension StoredRecord {
    static var databaseColumnDecodingStrategy: DatabaseColumnDecodingStrategy { .convertFromSnakeCase }
    static var databaseColumnEncodingStrategy: DatabaseColumnEncodingStrategy { .convertToSnakeCase }
    static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy { .custom { Timestamps.format($0) } }
    static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { value in String.fromDatabaseValue(value).map(Timestamps.parse) }
    }
    /// JSON columns are written and read as everywhere else in the store (`JSONColumn`: sorted keys, `/` unescaped).
    static func databaseJSONEncoder(for column: String) -> JSONEncoder { JSONColumn.encoder }
    static func databaseJSONDecoder(for column: String) -> JSONDecoder { JSONColumn.decoder }
}

extension Store {
    /// A page of records fetched with `limit + 1` rows, so a next cursor is given only when another page follows.
    func page<R: SequencedRecord, T>(_ records: [R], limit: Int, map: (R) throws -> T) rethrows -> MedvirkCore.Page<T> {
        let items = try records.prefix(limit).map(map)
        let next = records.count > limit ? records.prefix(limit).last?.seq.map { MedvirkCore.Cursor(after: $0) } : nil
        return MedvirkCore.Page(items: items, next: next)
    }
}
