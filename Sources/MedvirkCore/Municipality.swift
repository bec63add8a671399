import Foundation

public enum Country: String, Sendable, Codable, CaseIterable {
    case dk = "DK"
    case no = "NO"
}

/// The language of the texts the service writes for a municipality: Danish, Norwegian Bokmål or Nynorsk
/// (ISO 639-1 codes).
public enum Language: String, Sendable, Codable, CaseIterable {
    case da, nb, nn

    /// Danish in Denmark, Bokmål in Norway (a Nynorsk municipality chooses `nn`).
    public static func `default`(for country: Country) -> Language { country == .dk ? .da : .nb }

    /// The languages a municipality of `country` may choose.
    public static func allowed(in country: Country) -> [Language] { country == .dk ? [.da] : [.nb, .nn] }
}

/// A municipality (kommune): the tenant. Its id is its slug.
public struct Municipality: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var country: Country
    public var language: Language
    public var timeZone: String
    /// The first part of its receipt numbers, such as `RUD`; unique.
    public var receiptPrefix: String
    public var website: String?
    /// The minimum hearing period set for it, in calendar days; nil takes the country's (`minHearingDays`).
    public var minHearingDaysSetting: Int?
    /// How long its consultations keep respondents' personal data by default, in days; nil is 365.
    public var retentionDaysSetting: Int?
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, name: String, country: Country, language: Language, timeZone: String, receiptPrefix: String,
                website: String?, minHearingDaysSetting: Int? = nil, retentionDaysSetting: Int? = nil, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.country = country
        self.language = language
        self.timeZone = timeZone
        self.receiptPrefix = receiptPrefix
        self.website = website
        self.minHearingDaysSetting = minHearingDaysSetting
        self.retentionDaysSetting = retentionDaysSetting
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The normal minimum hearing period in calendar days: the setting, else 28 in Denmark (the Ministry of
    /// Justice's guidance: normally at least 4 weeks) and 42 in Norway (utredningsinstruksen §3-3: normally
    /// 3 months, never under 6 weeks without a written reason).
    public var minHearingDays: Int { minHearingDaysSetting ?? HearingPeriod.defaultMinimumDays(country) }

    /// Days after a consultation ends until its respondents' personal data is erased, unless it sets its own.
    public var retentionDays: Int { retentionDaysSetting ?? 365 }

    enum CodingKeys: String, CodingKey {
        case id, name, country, language, website
        case timeZone = "time_zone"
        case receiptPrefix = "receipt_prefix"
        case minHearingDaysSetting = "min_hearing_days"
        case retentionDaysSetting = "personal_data_retention_days"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// Receipt number prefixes: `RUD` in `RUD-2026-000123`.
public enum ReceiptPrefix {
    /// One capital letter, then one to five capital letters or digits.
    public static func isValid(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        return (2...6).contains(bytes.count) && (65...90).contains(bytes[0])
            && bytes.dropFirst().allSatisfy { (65...90).contains($0) || (48...57).contains($0) }
    }

    /// The prefixes to try for a municipality id, best first: its first three letters (`rudersdal` → `RUD`),
    /// then its first letter with two later ones in order (`RUE`, `RUR`…, `RDE`…), then its first two letters
    /// with a digit, then `M` and three digits; the first that no municipality has is taken.
    public static func candidates(for id: String) -> [String] {
        let letters = Array(id.uppercased().unicodeScalars.filter { $0.isASCII && $0.properties.isAlphabetic }.map(Character.init))
        var result: [String] = []
        func add(_ candidate: String) { if isValid(candidate) && !result.contains(candidate) { result.append(candidate) } }
        // First what earlier versions used (the first three letters, or fewer when the id has fewer; MVK for none).
        add(letters.isEmpty ? "MVK" : String(letters.prefix(3)))
        if letters.count >= 3 {
            for i in 1..<letters.count { for j in (i + 1)..<max(i + 1, letters.count) { add(String([letters[0], letters[i], letters[j]])) } }
        }
        let two = letters.count >= 2 ? String(letters[0...1]) : (letters.first.map { String($0) + "X" } ?? "MX")
        for digit in 2...9 { add(two + String(digit)) }
        for number in 100...999 { add("M" + String(number)) }
        return result
    }
}

/// The writable fields of a municipality. `language` and `receiptPrefix` left nil take their defaults.
public struct MunicipalityDraft: Sendable, Equatable {
    public var id: String
    public var name: String
    public var country: Country
    public var language: Language?
    public var timeZone: String
    public var receiptPrefix: String?
    public var website: String?
    public var minHearingDays: Int?
    public var retentionDays: Int?

    public init(id: String, name: String, country: Country, language: Language? = nil, timeZone: String, receiptPrefix: String? = nil,
                website: String?, minHearingDays: Int? = nil, retentionDays: Int? = nil) {
        self.id = id
        self.name = name
        self.country = country
        self.language = language
        self.timeZone = timeZone
        self.receiptPrefix = receiptPrefix
        self.website = website
        self.minHearingDays = minHearingDays
        self.retentionDays = retentionDays
    }

    public func validate() throws {
        var errors: [FieldError] = []
        if !Rules.isSlug(id) { errors.append(FieldError("id", "must match ^[a-z0-9-]{2,63}$")) }
        errors += Rules.text("name", name, max: 200) + NationalIdScreening.check([("name", name)])
        if !Rules.isTimeZone(timeZone) { errors.append(FieldError("time_zone", "'\(timeZone)' is not a known IANA time zone")) }
        errors += Rules.url("website", website)
        if let language, !Language.allowed(in: country).contains(language) {
            let allowed = Language.allowed(in: country).map(\.rawValue).joined(separator: ", ")
            errors.append(FieldError("language", "'\(language.rawValue)' is not a language of \(country.rawValue); use \(allowed)"))
        }
        if let receiptPrefix, !ReceiptPrefix.isValid(receiptPrefix) {
            errors.append(FieldError("receipt_prefix", "must be 2 to 6 capital letters or digits, starting with a letter (such as RUD)"))
        }
        if let minHearingDays, !(1...365).contains(minHearingDays) {
            errors.append(FieldError("min_hearing_days", "must be 1 to 365 days"))
        }
        if let retentionDays, !(1...3650).contains(retentionDays) {
            errors.append(FieldError("personal_data_retention_days", "must be 1 to 3650 days"))
        }
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
