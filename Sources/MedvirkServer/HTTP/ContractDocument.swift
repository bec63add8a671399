import Foundation
import Synchronization
import Yams

/// What the server needs from `openapi.yaml` beyond the generated code, read from the parsed document
/// (Yams), so a reformatted file (block or flow style, any indentation) means the same:
/// each operation's declared request media types and body schema, whether it answers with a list page,
/// and which body fields may be `null`.
struct ContractDocument: Sendable {
    /// One operation's request and response facts.
    struct Operation: Sendable, Equatable {
        /// The `requestBody.content` media types, such as `application/json`; empty without a request body.
        var mediaTypes: [String] = []
        /// The schema name of the request body (`CouncilPatch`), when it is a `$ref`.
        var bodySchema: String?
        /// True when the 200 answer is a page (its schema has `next_cursor`).
        var isList = false
        /// The names of its query parameters.
        var queryParameters: Set<String> = []
    }

    /// One property of a schema: whether its type admits `null`, and the object schema it refers to.
    struct Property: Sendable, Equatable {
        var nullable: Bool
        var object: String?
    }

    /// "PATCH /v1/councils/{council_id}" → its operation.
    let operations: [String: Operation]
    /// Schema name → property name → property.
    let schemas: [String: [String: Property]]

    /// Parses the contract once per distinct text (tests build many applications from the same text).
    static func parse(_ text: String) throws -> ContractDocument {
        if let known = parsed.withLock({ $0[text] }) { return known }
        let document = try ContractDocument(text: text)
        parsed.withLock { $0[text] = document }
        return document
    }

    private static let parsed = Mutex<[String: ContractDocument]>([:])

    private init(text: String) throws {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else {
            throw ContractError("openapi.yaml is not a YAML mapping")
        }
        let components = (root["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        var schemas: [String: [String: Property]] = [:]
        for (name, schema) in components {
            let properties = (schema as? [String: Any])?["properties"] as? [String: Any] ?? [:]
            schemas[name] = properties.mapValues { Self.property($0 as? [String: Any] ?? [:]) }
        }
        let sharedParameters = (root["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        /// Query parameter names, with `$ref`s to `#/components/parameters/…` followed.
        func queryNames(_ list: Any?) -> Set<String> {
            Set((list as? [[String: Any]] ?? []).compactMap { parameter in
                let resolved = (parameter["$ref"] as? String).flatMap { sharedParameters[String($0.split(separator: "/").last ?? "")] }
                    as? [String: Any] ?? parameter
                return resolved["in"] as? String == "query" ? resolved["name"] as? String : nil
            })
        }
        var operations: [String: Operation] = [:]
        for (path, item) in root["paths"] as? [String: Any] ?? [:] {
            let pathParameters = queryNames((item as? [String: Any])?["parameters"])
            for (method, value) in item as? [String: Any] ?? [:] {
                guard let operation = value as? [String: Any], operation["operationId"] != nil else { continue }
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any] ?? [:]
                let bodySchema = content.values.lazy.compactMap { Self.reference(($0 as? [String: Any])?["schema"]) }.first
                let ok = ((operation["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any]
                let okSchema = Self.reference((ok?["application/json"] as? [String: Any])?["schema"])
                operations["\(method.uppercased()) \(path)"] = Operation(
                    mediaTypes: content.keys.sorted(), bodySchema: bodySchema,
                    isList: okSchema.map { schemas[$0]?["next_cursor"] != nil } ?? false,
                    queryParameters: pathParameters.union(queryNames(operation["parameters"])))
            }
        }
        self.operations = operations
        self.schemas = schemas
    }

    func operation(_ method: String, _ template: String) -> Operation? {
        operations["\(method) \(template)"]
    }

    /// `{type: [string, 'null']}`, `{oneOf: [{$ref: …}, {type: 'null'}]}` and the like.
    private static func property(_ schema: [String: Any]) -> Property {
        let variants = ["oneOf", "anyOf", "allOf"].flatMap { schema[$0] as? [[String: Any]] ?? [] }
        let types = ([schema] + variants).flatMap { variant -> [String] in
            if let list = variant["type"] as? [String] { return list }
            return (variant["type"] as? String).map { [$0] } ?? []
        }
        let object = reference(schema) ?? variants.lazy.compactMap { reference($0) }.first
        return Property(nullable: types.contains("null"), object: object)
    }

    /// The schema name of a `$ref: '#/components/schemas/Name'`.
    private static func reference(_ schema: Any?) -> String? {
        guard let ref = (schema as? [String: Any])?["$ref"] as? String else { return nil }
        let prefix = "#/components/schemas/"
        return ref.hasPrefix(prefix) ? String(ref.dropFirst(prefix.count)) : nil
    }
}

/// The contract could not be read; the server does not start.
struct ContractError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
