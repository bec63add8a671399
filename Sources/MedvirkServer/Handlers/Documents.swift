import MedvirkAPI
import MedvirkCore

/// `documents` of consultations and agenda items between the contract and the domain: a link, or a hosted
/// file shown inline (`FileRef`).
extension APIHandlers {
    static func api(_ documents: [ConsultationDocument]) throws -> [Components.Schemas.Document] {
        try documents.map { d in
            .init(title: d.title, url: d.url, fileId: d.fileId, kind: try d.kind.map(convert), language: d.language,
                  file: d.file.map(apiRef))
        }
    }

    /// The writable form, the base a merge patch applies to.
    static func writable(_ documents: [ConsultationDocument]) throws -> [Components.Schemas.DocumentInput] {
        try documents.map { d in .init(title: d.title, url: d.url, fileId: d.fileId, kind: try d.kind.map(convert), language: d.language) }
    }

    static func documents(_ input: [Components.Schemas.DocumentInput]?) throws -> [ConsultationDocument] {
        try (input ?? []).map { d in
            ConsultationDocument(title: d.title, url: d.url, fileId: d.fileId, kind: try d.kind.map(convert), language: d.language)
        }
    }
}
