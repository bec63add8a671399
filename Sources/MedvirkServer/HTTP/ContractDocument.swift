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
        /// True when the request body may be left out (`requestBody.required: false`).
        var bodyIsOptional = false
        /// True when the 200 answer is a page (its schema has `next_cursor`).
        var isList = false
        /// The names of its query parameters.
        var queryParameters: Set<String> = []
        /// Each query parameter's schema facts.
        var queryParameterSchemas: [String: Property] = [:]
        /// The `responses` keys: `200`, `4XX`, `default`.
        var statuses: Set<String> = []

        /// True when the contract lists `status` for this operation, exactly, by its class or by `default`.
        func declares(_ status: Int) -> Bool {
            statuses.contains(String(status)) || statuses.contains("\(status / 100)XX") || statuses.contains("default")
        }
    }

    /// One property of a schema (or a parameter's schema): whether its type admits `null`, the schema it
    /// refers to, whether it is a `date-time`, the values of its `enum`, and for an array the same of its items.
    struct Property: Sendable, Equatable {
        var nullable: Bool
        var object: String?
        var isTimestamp = false
        /// `type: integer`: a JSON number with a fraction, or too large for 64 bits, is refused by name.
        var isInteger = false
        /// The allowed values of an inline `enum` (one behind a `$ref` is in `ContractDocument.enums`).
        var enumValues: [String]?
        /// An array's item schema, when the property is an array.
        indirect enum Items: Sendable, Equatable { case of(Property) }
        var items: Items?
    }

    /// "PATCH /v1/councils/{council_id}" → its operation.
    let operations: [String: Operation]
    /// Schema name → property name → property.
    let schemas: [String: [String: Property]]
    /// Schema name → its `enum` values, for schemas that are enums (`CouncilKind`).
    let enums: [String: [String]]
    /// The object schemas with `additionalProperties: false`: a field not in `schemas[name]` is refused.
    let closedSchemas: Set<String>
    /// The schemas whose own `type` allows `null` (`type: [object, 'null']`), so a property that refers to
    /// one by `$ref` may be null.
    let nullableSchemas: Set<String>

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
        let sharedParameters = (root["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        var schemas: [String: [String: Property]] = [:]
        var enums: [String: [String]] = [:]
        var closedSchemas: Set<String> = []
        var nullableSchemas: Set<String> = []
        for (name, schema) in components {
            let schema = schema as? [String: Any] ?? [:]
            let properties = schema["properties"] as? [String: Any] ?? [:]
            schemas[name] = properties.mapValues { Self.property($0 as? [String: Any] ?? [:]) }
            if let values = schema["enum"] as? [Any] { enums[name] = values.map { "\($0)" } }
            if schema["additionalProperties"] as? Bool == false { closedSchemas.insert(name) }
            if (schema["type"] as? [String])?.contains("null") == true { nullableSchemas.insert(name) }
        }
        /// Query parameters' schemas, with `$ref`s to `#/components/parameters/…` followed.
        func querySchemas(_ list: Any?) -> [String: Property] {
            var result: [String: Property] = [:]
            for parameter in list as? [[String: Any]] ?? [] {
                let resolved = (parameter["$ref"] as? String).flatMap { sharedParameters[String($0.split(separator: "/").last ?? "")] }
                    as? [String: Any] ?? parameter
                guard resolved["in"] as? String == "query", let name = resolved["name"] as? String else { continue }
                result[name] = Self.property(resolved["schema"] as? [String: Any] ?? [:])
            }
            return result
        }
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
            let pathParameterSchemas = querySchemas((item as? [String: Any])?["parameters"])
            for (method, value) in item as? [String: Any] ?? [:] {
                guard let operation = value as? [String: Any], operation["operationId"] != nil else { continue }
                let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any] ?? [:]
                let bodySchema = content.values.lazy.compactMap { Self.reference(($0 as? [String: Any])?["schema"]) }.first
                let ok = ((operation["responses"] as? [String: Any])?["200"] as? [String: Any])?["content"] as? [String: Any]
                let okSchema = Self.reference((ok?["application/json"] as? [String: Any])?["schema"])
                operations["\(method.uppercased()) \(path)"] = Operation(
                    mediaTypes: content.keys.sorted(), bodySchema: bodySchema,
                    bodyIsOptional: (operation["requestBody"] as? [String: Any])?["required"] as? Bool == false,
                    isList: okSchema.map { schemas[$0]?["next_cursor"] != nil } ?? false,
                    queryParameters: pathParameters.union(queryNames(operation["parameters"])),
                    queryParameterSchemas: pathParameterSchemas.merging(querySchemas(operation["parameters"])) { $1 },
                    statuses: Set((operation["responses"] as? [String: Any] ?? [:]).keys))
            }
        }
        self.operations = operations
        self.schemas = schemas
        self.enums = enums
        self.closedSchemas = closedSchemas
        self.nullableSchemas = nullableSchemas
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
        let formats = ([schema] + variants).compactMap { $0["format"] as? String }
        let values = ([schema] + variants).lazy.compactMap { $0["enum"] as? [Any] }.first?.map { "\($0)" }
        let items = (schema["items"] as? [String: Any]).map { Property.Items.of(property($0)) }
        return Property(nullable: types.contains("null"), object: object, isTimestamp: formats.contains("date-time"),
                        isInteger: types.contains("integer"), enumValues: values, items: items)
    }

    /// Whether a property may be null: its own type says so, or the schema it refers to does.
    func allowsNull(_ property: Property) -> Bool {
        property.nullable || property.object.map(nullableSchemas.contains) == true
    }

    /// The allowed values of a property that is an enum, inline or by `$ref`.
    func allowedValues(_ property: Property) -> [String]? {
        property.enumValues ?? property.object.flatMap { enums[$0] }
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
