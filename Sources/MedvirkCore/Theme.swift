import Foundation

/// A subject a consultation's responses are grouped under in the hearing memo (the guidance's "by subject").
public struct Theme: Sendable, Equatable {
    public var id: String
    public var consultationId: String
    public var title: String
    public var description: String?
    /// 1…n without gaps within the consultation.
    public var position: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: String, consultationId: String, title: String, description: String?, position: Int, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.consultationId = consultationId
        self.title = title
        self.description = description
        self.position = position
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// The writable fields of a theme; `position` nil puts a new theme last and leaves an existing one in place.
public struct ThemeDraft: Sendable, Equatable {
    public var title: String
    public var description: String?
    public var position: Int?

    public init(title: String, description: String?, position: Int?) {
        self.title = title
        self.description = description
        self.position = position
    }

    /// The contract's limits; the title and description are published with the memo, so they are screened for
    /// national identity numbers.
    public func validate() throws {
        var errors = Rules.text("title", title, max: 200) + Rules.optionalText("description", description, max: 2000)
        if let position, !(1...200).contains(position) { errors.append(FieldError("position", "must be 1 to 200")) }
        errors += NationalIdScreening.check([("title", title), ("description", description)])
        try Problem.check(errors)
    }
}
