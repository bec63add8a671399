import MedvirkCore

/// Which request-body fields may be `null`. The generated decoder takes `null` for any optional field; the
/// contract allows it only where a field's type includes `'null'`.
struct NullPolicy: Sendable {
    let contract: ContractDocument

    /// Throws a 400 naming the first field that is `null` where the contract does not allow it.
    /// `template` is the contract path the request matched, such as `/v1/councils/{council_id}`.
    func check(method: String, template: String, body: JSONValue) throws {
        guard let schema = contract.operation(method, template)?.bodySchema else { return }
        try check(body, schema: schema, prefix: "")
    }

    private func check(_ value: JSONValue, schema: String, prefix: String) throws {
        guard case .object(let fields) = value, let properties = contract.schemas[schema] else { return }
        for (key, field) in fields.sorted(by: { $0.key < $1.key }) {
            guard let property = properties[key] else { continue }
            if field == .null && !property.nullable {
                throw Problem.badRequest("The request is malformed: \(prefix + key) must not be null.", slug: "malformed-request",
                                         errors: [FieldError(prefix + key, "must not be null")])
            }
            if let object = property.object { try check(field, schema: object, prefix: prefix + key + ".") }
        }
    }
}
