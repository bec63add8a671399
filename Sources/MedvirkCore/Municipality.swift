import Foundation

public enum Country: String, Sendable, Codable, CaseIterable {
    case dk = "DK"
    case no = "NO"
}

/// A municipality (kommune): the tenant. Its id is its slug.
public struct Municipality: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var country: Country
    public var timeZone: String
    public var website: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, country: Country, timeZone: String, website: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.website = website
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, country, website
        case timeZone = "time_zone"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// The writable fields of a municipality.
public struct MunicipalityDraft: Sendable, Equatable {
    public var id: String
    public var name: String
    public var country: Country
    public var timeZone: String
    public var website: String?

    public init(id: String, name: String, country: Country, timeZone: String, website: String?) {
        self.id = id
        self.name = name
        self.country = country
        self.timeZone = timeZone
        self.website = website
    }

    public func validate() throws {
        var errors: [FieldError] = []
        if !Rules.isSlug(id) { errors.append(FieldError("id", "must match ^[a-z0-9-]{2,63}$")) }
        errors += Rules.text("name", name, max: 200) + NationalIdScreening.check([("name", name)])
        if !Rules.isTimeZone(timeZone) { errors.append(FieldError("time_zone", "'\(timeZone)' is not a known IANA time zone")) }
        errors += Rules.url("website", website)
        try Problem.check(errors)
    }
}

/// A service area (tjenesteområde) of a municipality.
public struct ServiceArea: Sendable, Equatable, Codable {
    public var id: String
    public var municipalityId: String
    public var name: String
    public var description: String?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, municipalityId: String, name: String, description: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.municipalityId = municipalityId
        self.name = name
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description
        case municipalityId = "municipality_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

public struct ServiceAreaDraft: Sendable, Equatable {
    public var municipalityId: String
    public var name: String
    public var description: String?

    public init(municipalityId: String, name: String, description: String?) {
        self.municipalityId = municipalityId
        self.name = name
        self.description = description
    }

    public func validate() throws {
        try Problem.check(Rules.text("name", name, max: 200) + Rules.optionalText("description", description, max: 5000)
                          + NationalIdScreening.check([("name", name), ("description", description)]))
    }
}
