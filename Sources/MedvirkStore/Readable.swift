import Foundation
import GRDB
import MedvirkCore

/// The one definition, per kind of resource, of who may read it. Single reads (`isReadable`), lists,
/// reports, calendars and the change feed all build their SQL from `readable(_:_:reader:now:)`, so they
/// cannot drift apart. A child is never more public than its parent: a decision is as public as its agenda
/// item *and* meeting, a response as its consultation, a party as its consultation.
enum Readable {
    /// How one kind of resource is stored and judged. Every SQL fragment is written over the row alias `x`.
    struct Kind {
        var table: String
        /// The column an id is looked up by.
        var key: String
        /// The resource exists (not deleted, and neither is what it hangs off).
        var live: String
        /// The municipality that owns it.
        var owner: String
        /// The public may read it; `?now` is the time, for responses released at the deadline.
        var isPublic: String
    }

    static let meetingOf = "(SELECT municipality_id FROM meetings WHERE id = x.meeting_id)"
    static let meetingIsLive = "EXISTS (SELECT 1 FROM meetings pm WHERE pm.id = x.meeting_id AND pm.deleted_at IS NULL)"
    static let meetingIsPublic = "EXISTS (SELECT 1 FROM meetings pm WHERE pm.id = x.meeting_id AND pm.public = 1)"
    static let consultationIsLive = "EXISTS (SELECT 1 FROM consultations pc WHERE pc.id = x.consultation_id AND pc.deleted_at IS NULL)"
    static let consultationIsPublic = """
        EXISTS (SELECT 1 FROM consultations pc WHERE pc.id = x.consultation_id AND pc.status IN ('published', 'concluded'))
        """

    /// A published response the public may read now, over the row aliased `x`.
    static let responseIsPublic = """
        x.status = 'published' AND EXISTS (
            SELECT 1 FROM consultations pc WHERE pc.id = x.consultation_id AND pc.status IN ('published', 'concluded')
              AND (pc.publish_responses = 'on_approval' OR (pc.publish_responses = 'after_deadline' AND pc.closes_at <= ?now)))
        """

    /// A file is as public as the object it belongs to, and a response attachment only once published in
    /// moderation and not replaced by a redacted copy (DESIGN.md §7). Unattached files are never public.
    static let fileIsPublic = """
        CASE x.owner_type
        WHEN 'consultation' THEN EXISTS (SELECT 1 FROM consultations pc WHERE pc.id = x.owner_id AND pc.deleted_at IS NULL
                                         AND pc.status IN ('published', 'concluded'))
        WHEN 'meeting' THEN EXISTS (SELECT 1 FROM meetings pm WHERE pm.id = x.owner_id AND pm.deleted_at IS NULL AND pm.public = 1)
        WHEN 'agenda_item' THEN EXISTS (SELECT 1 FROM agenda_items pi JOIN meetings pm ON pm.id = pi.meeting_id
                                        WHERE pi.id = x.owner_id AND pi.deleted_at IS NULL AND pi.public = 1
                                          AND pm.deleted_at IS NULL AND pm.public = 1)
        WHEN 'response' THEN x.moderation = 'published' AND x.replacement_file_id IS NULL
            AND (x.replaces_file_id IS NULL OR EXISTS (SELECT 1 FROM files po WHERE po.id = x.replaces_file_id
                                                       AND po.moderation = 'published' AND po.replacement_file_id = x.id))
            AND EXISTS (
            SELECT 1 FROM responses pr WHERE pr.id = x.owner_id AND \(responseIsPublic.replacingOccurrences(of: "x.", with: "pr."))
              AND EXISTS (SELECT 1 FROM consultations pc WHERE pc.id = pr.consultation_id AND pc.deleted_at IS NULL))
        ELSE 0 END
        """

    static let kinds: [ChangeType: Kind] = [
        .municipality: Kind(table: "municipalities", key: "id", live: "x.deleted_at IS NULL", owner: "x.id", isPublic: "1"),
        .serviceArea: Kind(table: "service_areas", key: "id", live: "x.deleted_at IS NULL", owner: "x.municipality_id", isPublic: "1"),
        .council: Kind(table: "councils", key: "id", live: "x.deleted_at IS NULL", owner: "x.municipality_id", isPublic: "1"),
        // Names and roles are public; contact details are left out of the public view, not the member.
        .member: Kind(table: "members", key: "id",
                      live: "x.deleted_at IS NULL AND EXISTS (SELECT 1 FROM councils pc WHERE pc.id = x.council_id AND pc.deleted_at IS NULL)",
                      owner: "(SELECT municipality_id FROM councils WHERE id = x.council_id)", isPublic: "1"),
        .meeting: Kind(table: "meetings", key: "id", live: "x.deleted_at IS NULL", owner: "x.municipality_id", isPublic: "x.public = 1"),
        // A closed item is shown to the public as a "Closed item" stub on a public meeting's agenda.
        .agendaItem: Kind(table: "agenda_items", key: "id", live: "x.deleted_at IS NULL AND \(meetingIsLive)", owner: meetingOf,
                          isPublic: meetingIsPublic),
        .minutes: Kind(table: "minutes", key: "meeting_id", live: meetingIsLive, owner: meetingOf,
                       isPublic: "x.approved_at IS NOT NULL AND \(meetingIsPublic)"),
        .decision: Kind(table: "decisions", key: "id", live: meetingIsLive, owner: meetingOf, isPublic: """
            EXISTS (SELECT 1 FROM agenda_items pi JOIN meetings pm ON pm.id = pi.meeting_id
                    WHERE pi.id = x.agenda_item_id AND pi.public = 1 AND pi.deleted_at IS NULL AND pm.public = 1)
            """),
        .consultation: Kind(table: "consultations", key: "id", live: "x.deleted_at IS NULL", owner: "x.municipality_id",
                            isPublic: "x.status IN ('published', 'concluded')"),
        .party: Kind(table: "parties", key: "id", live: "x.deleted_at IS NULL AND \(consultationIsLive)",
                     owner: "(SELECT municipality_id FROM consultations WHERE id = x.consultation_id)", isPublic: consultationIsPublic),
        .response: Kind(table: "responses", key: "id", live: consultationIsLive, owner: "x.municipality_id", isPublic: responseIsPublic),
        .file: Kind(table: "files", key: "id", live: "1", owner: "x.municipality_id", isPublic: fileIsPublic),
        .theme: Kind(table: "themes", key: "id", live: consultationIsLive,
                     owner: "(SELECT municipality_id FROM consultations WHERE id = x.consultation_id)", isPublic: "0"),
        // A retracted version leaves public view.
        .memo: Kind(table: "memo_versions", key: "id", live: consultationIsLive,
                    owner: "(SELECT municipality_id FROM consultations WHERE id = x.consultation_id)",
                    isPublic: "x.retracted_at IS NULL AND \(consultationIsPublic)"),
        .dialogueChannel: Kind(table: "dialogue_channels", key: "id", live: "x.deleted_at IS NULL", owner: "x.municipality_id",
                               isPublic: "1"),
    ]

    /// SQL that is true when `reader` may read the row of `type` aliased `alias`: it is live, and either the
    /// reader administers its municipality or the public may read it. `reader` and `now` name the statement's
    /// placeholders for `Reader.argument` and the formatted time.
    static func condition(_ type: ChangeType, _ alias: String, reader: String, now: String) -> String {
        let kind = kinds[type]!
        // `?now IS NOT NULL` binds the time placeholder for every kind (GRDB refuses arguments a statement does not use).
        let sql = "(?now IS NOT NULL AND \(kind.live) AND (EXISTS (SELECT 1 FROM json_each(\(reader)) WHERE value IN ('*', \(kind.owner))) OR (\(kind.isPublic))))"
        return rewrite(sql, alias: alias, now: now)
    }

    /// What the public may read, over the row aliased `alias`, for views that never show private data.
    static func publicCondition(_ type: ChangeType, _ alias: String, now: String) -> String {
        let kind = kinds[type]!
        return rewrite("(\(kind.live) AND (\(kind.isPublic)))", alias: alias, now: now)
    }

    private static func rewrite(_ sql: String, alias: String, now: String) -> String {
        sql.replacingOccurrences(of: "x.", with: "\(alias).").replacingOccurrences(of: "?now", with: now)
    }

    /// `SELECT 1` when the resource `?1` is readable by the reader `?2` at the time `?3`.
    static let lookups: [ChangeType: String] = Dictionary(uniqueKeysWithValues: kinds.map { type, kind in
        (type, "SELECT 1 FROM \(kind.table) x WHERE x.\(kind.key) = ?1 AND \(condition(type, "x", reader: "?2", now: "?3"))")
    })
}

extension Reader {
    /// The reader as the JSON array `Readable.condition` expects.
    var argument: String { JSONColumn.encode(administers) }
}

extension Store {
    static let readableMeeting = "SELECT * FROM meetings m WHERE m.id = ?1 AND \(Readable.condition(.meeting, "m", reader: "?2", now: "?3"))"
    static let readableConsultation = """
        SELECT \(consultationColumns) FROM consultations c WHERE c.id = ?1 AND \(Readable.condition(.consultation, "c", reader: "?2", now: "?3"))
        """
    static let readableDecision = """
        SELECT \(decisionColumns) FROM \(decisionJoin) WHERE d.id = ?1 AND \(Readable.condition(.decision, "d", reader: "?2", now: "?3"))
        """
    static let readableResponse = """
        SELECT \(responseColumns) FROM responses r WHERE r.id = ?1 AND \(Readable.condition(.response, "r", reader: "?2", now: "?3"))
        """

    /// One row, if `reader` may read it: the lookup and the check in one statement.
    func readable<T>(_ sql: String, _ id: String, _ reader: Reader, map: @escaping @Sendable (Row) throws -> T) async throws -> T? where T: Sendable {
        let now = Timestamps.format(clock.now())
        return try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [id, reader.argument, now]).map(map)
        }
    }

    /// The meeting, if `reader` may read it (else nil, whatever the reason).
    public func meeting(_ id: String, readableBy reader: Reader) async throws -> Meeting? {
        try await readable(Self.readableMeeting, id, reader, map: Self.meeting)
    }

    public func consultation(_ id: String, readableBy reader: Reader) async throws -> Consultation? {
        try await readable(Self.readableConsultation, id, reader, map: Self.consultation)
    }

    public func decision(_ id: String, readableBy reader: Reader) async throws -> Decision? {
        try await readable(Self.readableDecision, id, reader, map: Self.decision)
    }

    public func response(_ id: String, readableBy reader: Reader) async throws -> HearingResponse? {
        try await readable(Self.readableResponse, id, reader, map: Self.response)
    }

    /// Whether `reader` may read the resource now (see `Readable`).
    public func isReadable(_ type: ChangeType, _ id: String, by reader: Reader) async throws -> Bool {
        let now = clock.now()
        return try await pool.read { db in try Self.isReadable(db, type, id, by: reader, now: now) }
    }

    static func isReadable(_ db: Database, _ type: ChangeType, _ id: String, by reader: Reader, now: Date) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: Readable.lookups[type]!), arguments: [id, reader.argument, Timestamps.format(now)]) ?? false
    }
}
