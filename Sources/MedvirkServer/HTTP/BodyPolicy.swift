import MedvirkCore

/// The checks of a JSON request body against its contract schema that the generated decoder makes badly or
/// not at all, each naming the field in our words:
/// - `null` only where the field's type includes `'null'` (the generated decoder takes `null` for any optional field);
/// - no field the schema does not list, when it says `additionalProperties: false`;
/// - `date-time` fields as RFC 3339 (the generated decoder cannot say which field failed);
/// - enum fields with one of the contract's values (422, like other rules: the body is well formed).
/// Malformed fields are a 400 `malformed-request`; when the only faults are enum values, a 422.
struct BodyPolicy: Sendable {
    let contract: ContractDocument

    /// `template` is the contract path the request matched, such as `/v1/councils/{council_id}`.
    func check(method: String, template: String, body: JSONValue) throws {
        guard let schema = contract.operation(method, template)?.bodySchema else { return }
        var malformed: [FieldError] = [], invalid: [FieldError] = []
        check(body, schema: schema, prefix: "", malformed: &malformed, invalid: &invalid)
        if !malformed.isEmpty {
            let first = malformed[0]
            throw Problem.badRequest("The request is malformed: \(first.field) \(first.message).", slug: "malformed-request",
                                     errors: malformed + invalid)
        }
        try Problem.check(invalid)
    }

    private func check(_ value: JSONValue, schema: String, prefix: String, malformed: inout [FieldError], invalid: inout [FieldError]) {
        guard case .object(let fields) = value, let properties = contract.schemas[schema] else { return }
        for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
            guard let property = properties[key] else {
                if contract.closedSchemas.contains(schema) {
                    malformed.append(FieldError(prefix + key, "is not a field of this request; the fields are "
                                                + properties.keys.sorted().joined(separator: ", ")))
                }
                continue
            }
            check(field, property: property, name: prefix + key, malformed: &malformed, invalid: &invalid)
        }
    }

    private func check(_ field: JSONValue, property: ContractDocument.Property, name: String,
                       malformed: inout [FieldError], invalid: inout [FieldError]) {
        if field == .null {
            if !contract.allowsNull(property) { malformed.append(FieldError(name, "must not be null")) }
            return
        }
        if property.isInteger, case .double(let number) = field {
            malformed.append(FieldError(name, "must be a whole number from \(Int64.min) to \(Int64.max); got \(number)"))
        }
        if property.isTimestamp, case .string(let text) = field, UTCTimestamp.parseRFC3339(text) == nil {
            malformed.append(FieldError(name, "is '\(Self.quoted(text))', not \(UTCTimestamp.expectedFormat)"))
        }
        if let allowed = contract.allowedValues(property), case .string(let text) = field, !allowed.contains(text) {
            invalid.append(FieldError(name, Self.notAllowed(text, allowed)))
        }
        if let object = property.object { check(field, schema: object, prefix: name + ".", malformed: &malformed, invalid: &invalid) }
        if case .of(let item) = property.items, case .array(let elements) = field {
            for (index, element) in elements.enumerated() {
                check(element, property: item, name: "\(name)[\(index)]", malformed: &malformed, invalid: &invalid)
            }
        }
    }

    /// "is 'senior', not one of: senior_council, youth_council, …"
    static func notAllowed(_ value: String, _ allowed: [String]) -> String {
        "is '\(quoted(value))', not one of the allowed values: " + allowed.joined(separator: ", ")
    }

    /// A value as an error may echo it: at most 60 characters.
    static func quoted(_ text: String) -> String {
        text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}
