import GRDB
import MedvirkCore

/// What a new or changed resource refers to: its municipality, and resources that must be in it.
struct References {
    var municipalityId: String
    var serviceAreaId: String? = nil
    var councilId: String? = nil
    var consultationId: String? = nil
}

extension Store {
    /// Checks every reference a draft makes, inside the write's transaction: the municipality must be live
    /// (422 naming `municipality_id` alone, since the rest depends on it), and each referenced service area,
    /// council and consultation must be live and in that municipality (422 naming each field that is not).
    static func checkReferences(_ db: Database, _ references: References) throws {
        try Problem.check(referenceErrors(db, references))
    }

    /// What `checkReferences` would refuse, for a write that checks more fields and lists every error together.
    /// Throws only when the municipality itself is missing.
    static func referenceErrors(_ db: Database, _ references: References) throws -> [FieldError] {
        let municipality = references.municipalityId
        guard try liveMunicipality(db, municipality) != nil else {
            throw Problem.validation([FieldError("municipality_id", "no municipality '\(municipality)'")])
        }
        var errors: [FieldError] = []
        func missing(_ field: String, _ noun: String, _ id: String) {
            errors.append(FieldError(field, "no \(noun) '\(id)' in municipality '\(municipality)'"))
        }
        if let id = references.serviceAreaId, try liveServiceArea(db, id)?.municipalityId != municipality {
            missing("service_area_id", "service area", id)
        }
        if let id = references.councilId, try liveCouncil(db, id)?.draft.municipalityId != municipality {
            missing("council_id", "council", id)
        }
        if let id = references.consultationId, try liveConsultation(db, id, counted: false)?.draft.municipalityId != municipality {
            missing("consultation_id", "consultation", id)
        }
        return errors
    }
}
