import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func theme(_ row: Row) -> Theme {
        Theme(id: row["id"], consultationId: row["consultation_id"], title: row["title"], description: row["description"],
              position: row["position"], createdAt: Timestamps.parse(row["created_at"]), updatedAt: Timestamps.parse(row["updated_at"]))
    }

    static func themes(_ db: Database, consultation: String) throws -> [Theme] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM themes WHERE consultation_id = ? ORDER BY position"),
                         arguments: [consultation]).map(theme)
    }

    /// The theme with its consultation's municipality, or nil.
    public func theme(_ id: String) async throws -> (theme: Theme, municipalityId: String)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT t.*, c.municipality_id AS owner FROM themes t JOIN consultations c ON c.id = t.consultation_id
                WHERE t.id = ? AND c.deleted_at IS NULL
                """), arguments: [id]) else { return nil }
            return (Self.theme(row), row["owner"])
        }
    }

    /// A consultation's themes by position; positions are 1…n without gaps, so the cursor is the last position.
    public func themes(consultation: String, _ page: PageRequest) async throws -> Page<Theme> {
        try await pool.read { db in
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM themes WHERE consultation_id = ?3 AND position > ?1 ORDER BY position LIMIT ?2
                """), arguments: [page.after?.after ?? 0, page.limit + 1, consultation])
            let items = rows.prefix(page.limit).map(Self.theme)
            let next = rows.count > page.limit ? items.last.map { Cursor(after: Int64($0.position)) } : nil
            return Page(items: items, next: next)
        }
    }

    /// A consultation's themes, renumbered as agenda items are (`renumber`).
    static func renumberThemes(_ db: Database, consultation: String, placing id: String?, at position: Int?) throws -> [String] {
        try renumber(db, "themes", "consultation_id", consultation, placing: id, at: position)
    }

    public func createTheme(consultation id: String, _ draft: ThemeDraft, actor: WriteActor) async throws -> Theme {
        try draft.validate()
        return try await pool.write { db in
            guard let consultation = try Self.liveConsultation(db, id, counted: false) else { throw Problem.notFound("consultation", id) }
            let count = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM themes WHERE consultation_id = ?"), arguments: [id]) ?? 0
            guard count < 200 else { throw Problem.conflict("too-many-themes", "A consultation has at most 200 themes.") }
            let now = self.clock.now(), stamp = Timestamps.format(now)
            let themeId = Identifiers.make("thm")
            try db.cachedStatement(sql: """
                INSERT INTO themes (id, consultation_id, title, description, position, created_at, updated_at) VALUES (?, ?, ?, ?, 100000, ?, ?)
                """).execute(arguments: [themeId, id, draft.title, draft.description, stamp, stamp])
            let moved = try Self.renumberThemes(db, consultation: id, placing: themeId, at: draft.position)
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId,
                                 [.created(.theme, themeId)] + moved.map { .updated(.theme, $0) }, now: now)
            return try Self.themes(db, consultation: id).first { $0.id == themeId }!
        }
    }

    public func updateTheme(_ id: String, _ draft: ThemeDraft, actor: WriteActor) async throws -> Theme {
        try draft.validate()
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM themes WHERE id = ?"), arguments: [id]),
                  let consultation = try Self.liveConsultation(db, row["consultation_id"], counted: false)
            else { throw Problem.notFound("theme", id) }
            let current = Self.theme(row)
            let now = self.clock.now()
            try db.cachedStatement(sql: "UPDATE themes SET title = ?, description = ?, updated_at = ? WHERE id = ?")
                .execute(arguments: [draft.title, draft.description, Timestamps.format(now), id])
            var moved: [String] = []
            if let position = draft.position, position != current.position {
                moved = try Self.renumberThemes(db, consultation: consultation.id, placing: id, at: position)
            }
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId,
                                 [.updated(.theme, id)] + moved.map { .updated(.theme, $0) }, now: now)
            return try Self.themes(db, consultation: consultation.id).first { $0.id == id }!
        }
    }

    /// A theme that a response's analysis uses stays (409 `theme-in-use`).
    public func deleteTheme(_ id: String, actor: WriteActor) async throws {
        try await pool.write { db in
            guard let consultationId = try String.fetchOne(db.cachedStatement(sql: "SELECT consultation_id FROM themes WHERE id = ?"), arguments: [id]),
                  let consultation = try Self.liveConsultation(db, consultationId, counted: false)
            else { throw Problem.notFound("theme", id) }
            let uses = try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM response_themes WHERE theme_id = ?"), arguments: [id]) ?? 0
            if uses > 0 {
                throw Problem.conflict("theme-in-use", "\(uses) response analyses use this theme; take it out of their theme_ids first.")
            }
            try db.cachedStatement(sql: "DELETE FROM themes WHERE id = ?").execute(arguments: [id])
            let moved = try Self.renumberThemes(db, consultation: consultationId, placing: nil, at: nil)
            try Self.recordWrite(db, actor: actor, municipality: consultation.draft.municipalityId,
                                 [.deleted(.theme, id)] + moved.map { .updated(.theme, $0) }, now: self.clock.now())
        }
    }

    /// Stores (or removes) a response's analysis in the caller's transaction. Themes must be the response's
    /// consultation's (422 naming `analysis.theme_ids[i]`).
    static func saveAnalysis(_ db: Database, response: HearingResponse, _ change: Moderation.AnalysisChange, now: Date) throws {
        try db.cachedStatement(sql: "DELETE FROM response_themes WHERE response_id = ?").execute(arguments: [response.id])
        guard case .set(let analysis) = change else {
            try db.cachedStatement(sql: """
                UPDATE responses SET analysis_summary = NULL, analysis_assessment = NULL, analysis_accommodated = NULL, analysed_at = NULL,
                                     updated_at = ?
                WHERE id = ?
                """).execute(arguments: [Timestamps.format(now), response.id])
            return
        }
        let own = Set(try themes(db, consultation: response.consultationId).map(\.id))
        try Problem.check(analysis.themeIds.enumerated().filter { !own.contains($0.element) }.map {
            FieldError("analysis.theme_ids[\($0.offset)]", "'\($0.element.prefix(64))' is not a theme of consultation \(response.consultationId)")
        })
        try db.cachedStatement(sql: """
            UPDATE responses SET analysis_summary = ?, analysis_assessment = ?, analysis_accommodated = ?, analysed_at = ?4, updated_at = ?4
            WHERE id = ?5
            """).execute(arguments: [analysis.summary, analysis.assessment, analysis.accommodated?.rawValue, Timestamps.format(now), response.id])
        for (position, themeId) in analysis.themeIds.enumerated() {
            try db.cachedStatement(sql: "INSERT INTO response_themes (response_id, theme_id, position) VALUES (?, ?, ?)")
                .execute(arguments: [response.id, themeId, position])
        }
    }
}
