import Foundation
import MedvirkCore

/// The dialogue inventory as a flat table; the import reads the same columns. `id` lets an exported,
/// edited file be imported again: rows with an id update that channel, rows without one create one.
enum ChannelCSV {
    static let columns = ["id", "service_area", "target_group", "user_category", "purpose", "kind", "name", "description",
                          "cadence_count", "cadence_per", "volume", "assessment", "planned_changes", "council_id", "active"]
    static let required: Set = ["service_area", "target_group", "user_category", "purpose", "kind", "name"]

    static func render(_ channels: [DialogueChannel], areaNames: [String: String]) -> String {
        let rows = channels.map { c -> [String] in
            let d = c.draft
            let count = d.cadence.map { $0.count == $0.count.rounded() ? String(Int($0.count)) : String($0.count) } ?? ""
            return [c.id, areaNames[d.serviceAreaId] ?? d.serviceAreaId, d.targetGroup.rawValue, d.userCategory.rawValue, d.purpose.rawValue,
                    d.kind.rawValue, d.name, d.description ?? "", count, d.cadence?.per.rawValue ?? "", d.volume ?? "",
                    d.assessment ?? "", d.plannedChanges ?? "", d.councilId ?? "", String(d.active)]
        }
        return "\u{FEFF}" + ([columns] + rows).map(CSV.line).joined()
    }

    /// The header row's column names; unknown or missing columns are a 422.
    static func header(_ record: [String]) throws -> [String] {
        let names = record.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let unknown = names.filter { !columns.contains($0) }
        let missing = required.subtracting(names)
        if !unknown.isEmpty || !missing.isEmpty {
            var errors = unknown.map { FieldError("row 1: \($0)", "is not a column of the inventory") }
            errors += missing.sorted().map { FieldError("row 1: \($0)", "column is missing") }
            throw Problem.validation(errors, detail: "The header row must use the columns of the CSV export: \(columns.joined(separator: ", ")).")
        }
        return names
    }

    /// Reads every row of the uploaded text (already decoded, see `TextDecoding`; a byte-order mark is dropped
    /// by the CSV reader), comma- or semicolon-separated as its header row shows; any bad row makes the whole
    /// import a 422 listing the first bad rows (the header is row 1) and how many errors there were in all.
    /// `references`, when given, are the municipality's live channels and councils: an `id` or `council_id`
    /// outside them is listed with the row's other errors, so one answer names every bad row.
    static func parseImport(_ text: String, municipality: String, references: ChannelImportReferences? = nil) throws -> [ChannelImportRow] {
        var names: [String]?
        var rows: [ChannelImportRow] = [], errors: [FieldError] = [], errorCount = 0, index = 0
        var ids: [String: Int] = [:]
        var columnSet: Set<String> = []  // shared by every row (copy-on-write), not one set per row
        try CSV.records(text, separator: CSV.separator(ofHeader: text)) { record in
            guard let names else {
                names = try header(record)
                columnSet = Set(names ?? [])
                return
            }
            index += 1
            let number = index + 1
            var value: [String: String] = [:]
            for (i, name) in names.enumerated() where i < record.count {
                let trimmed = record[i].trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { value[name] = CSV.unescapeFormula(trimmed) }
            }
            var rowErrors: [FieldError] = []
            func pick<T: RawRepresentable>(_ column: String, _: T.Type) -> T? where T.RawValue == String {
                guard let raw = value[column] else { rowErrors.append(FieldError(column, "is required")); return nil }
                guard let parsed = T(rawValue: raw) else { rowErrors.append(FieldError(column, "'\(raw)' is not an allowed value")); return nil }
                return parsed
            }
            let group = pick("target_group", TargetGroup.self), category = pick("user_category", UserCategory.self)
            let purpose = pick("purpose", ChannelPurpose.self), kind = pick("kind", ChannelKind.self)
            if value["service_area"] == nil { rowErrors.append(FieldError("service_area", "is required")) }
            var cadence: Cadence?
            switch (value["cadence_count"], value["cadence_per"]) {
            case (nil, nil): break
            case (let count?, let per?):
                if let number = Double(count.replacingOccurrences(of: ",", with: ".")), let period = CadencePeriod(rawValue: per) {
                    cadence = Cadence(count: number, per: period)
                } else {
                    rowErrors.append(FieldError("cadence", "needs a number and one of week, month, quarter, year"))
                }
            default:
                rowErrors.append(FieldError("cadence", "cadence_count and cadence_per go together"))
            }
            var active = true
            if let raw = value["active"] {
                switch raw.lowercased() {
                // Excel writes its own words for TRUE and FALSE in a Danish (SAND/FALSK) or Norwegian (SANN/USANN) locale.
                case "true", "yes", "ja", "1", "sand", "sann": active = true
                case "false", "no", "nej", "nei", "0", "falsk", "usann": active = false
                default: rowErrors.append(FieldError("active", "must be true or false"))
                }
            }
            // The draft's own rules run even when a value above was bad, so a row lists all its errors; the
            // stand-in values are never stored, since a row with any error is not kept.
            let area = value["service_area"] ?? ""
            let draft = DialogueChannelDraft(
                municipalityId: municipality, serviceAreaId: "", targetGroup: group ?? .serviceUsers, userCategory: category ?? .other,
                purpose: purpose ?? .formal, kind: kind ?? .other, name: value["name"] ?? "", description: value["description"],
                cadence: cadence, volume: value["volume"], assessment: value["assessment"], plannedChanges: value["planned_changes"],
                councilId: value["council_id"], active: active)
            rowErrors += draft.errors()
            if !area.isEmpty { rowErrors += Rules.text("service_area", area, max: 200) }
            let id = value["id"]
            if let id {
                if id.count > 64 || id.contains(where: \.isWhitespace) {
                    rowErrors.append(FieldError("id", "'\(BodyPolicy.quoted(id))' is not a dialogue channel id (chn_…); leave it empty to create a channel"))
                } else if let earlier = ids.updateValue(number, forKey: id) {
                    rowErrors.append(FieldError("id", "'\(id)' is also on row \(earlier); each channel may appear once"))
                } else if let references, !references.channels.contains(id) {
                    rowErrors.append(FieldError("id", "no dialogue channel '\(id)' in this municipality (deleted, or never made here); leave id empty to create a channel"))
                }
            }
            if let councilId = value["council_id"], let references, !references.councils.contains(councilId) {
                rowErrors.append(FieldError("council_id", "no council '\(BodyPolicy.quoted(councilId))' in this municipality"))
            }
            if rowErrors.isEmpty { rows.append(ChannelImportRow(line: number, id: id, serviceAreaName: area, draft: draft, columns: columnSet)) }
            if rows.count > 5000 { throw Problem.validation([FieldError("body", "at most 5000 rows per import")]) }
            // Only the first errors are listed (see `Problem.maxListedErrors`); a file of bad rows is not held as errors.
            errorCount += rowErrors.count
            for error in rowErrors where errors.count < Problem.maxListedErrors {
                errors.append(FieldError("row \(number): \(error.field)", error.message))
            }
        }
        guard names != nil else {
            throw Problem.validation([FieldError("body", "the CSV is empty; the first row must name the columns")])
        }
        if errorCount > 0 {
            throw Problem.validation(errors, total: errorCount,
                                     detail: "Nothing was imported; fix the rows listed in errors and send the whole file again.")
        }
        return rows
    }
}
