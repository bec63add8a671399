import Foundation
import MedvirkCore

/// Which request-body fields may be `null`, read from `openapi.yaml`. The generated decoder takes `null`
/// for any optional field; the contract allows it only where a field's type includes `'null'`.
struct NullPolicy: Sendable {
    struct Property: Sendable {
        var nullable: Bool
        var object: String?
    }

    /// Schema name → property name → what it allows.
    let schemas: [String: [String: Property]]
    /// Operation ("PATCH /v1/councils/{council_id}") → request body schema.
    let bodies: [String: String]

    init(contract: String) {
        var schemas: [String: [String: Property]] = [:], bodies: [String: String] = [:]
        var section = "", path = "", method = "", schema = ""
        for line in contract.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first != " " { section = String(line.prefix { $0 != ":" }); continue }
            let indent = line.prefix { $0 == " " }.count
            let text = line.trimmingCharacters(in: .whitespaces)
            let name = String(text.prefix { $0 != ":" })
            if section == "paths" {
                if indent == 2 { path = name }
                if indent == 4 { method = name.uppercased() }
                if line.contains("requestBody") || line.contains("application/json: {schema:") || line.contains("application/merge-patch+json") {
                    if let ref = Self.reference(in: text), bodies["\(method) \(path)"] == nil { bodies["\(method) \(path)"] = ref }
                }
            } else if section == "components" {
                if indent == 4 { schema = name }
                if indent == 8, text.hasSuffix("}"), text.contains(": {") {
                    schemas[schema, default: [:]][name] = Property(nullable: text.contains("'null'"), object: Self.reference(in: text))
                }
            }
        }
        self.schemas = schemas
        self.bodies = bodies
    }

    static func reference(in text: String) -> String? {
        guard let range = text.range(of: "#/components/schemas/") else { return nil }
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber })
    }

    /// Throws a 400 naming the first field that is `null` where the contract does not allow it.
    /// `template` is the contract path the request matched, such as `/v1/councils/{council_id}`.
    func check(method: String, template: String, body: JSONValue) throws {
        guard let schema = bodies["\(method) \(template)"] else { return }
        try check(body, schema: schema, prefix: "")
    }

    private func check(_ value: JSONValue, schema: String, prefix: String) throws {
        guard case .object(let fields) = value, let properties = schemas[schema] else { return }
        for (key, field) in fields {
            guard let property = properties[key] else { continue }
            if field == .null && !property.nullable {
                throw Problem.badRequest("The request is malformed: \(prefix + key) must not be null.", slug: "malformed-request",
                                         errors: [FieldError(prefix + key, "must not be null")])
            }
            if let object = property.object { try check(field, schema: object, prefix: prefix + key + ".") }
        }
    }
}
