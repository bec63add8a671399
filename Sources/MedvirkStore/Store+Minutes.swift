import Foundation
import GRDB
import MedvirkCore

extension Store {
    static func minutes(_ row: Row) throws -> Minutes { try MinutesRecord(row: row).minutes }

    static func fetchMinutes(_ db: Database, _ meeting: String) throws -> Minutes? {
        try MinutesRecord.find(db, meeting: meeting)?.minutes
    }

    public func minutes(meeting: String) async throws -> Minutes? {
        try await pool.read { db in try Self.fetchMinutes(db, meeting) }
    }

    /// The meeting's date in its municipality's time zone: whose seats count.
    static func meetingDate(_ db: Database, _ meeting: Meeting) throws -> CalendarDate {
        let zone = try liveMunicipality(db, meeting.draft.municipalityId)?.timeZone ?? "UTC"
        return CalendarDate.today(in: zone, now: meeting.draft.startsAt)
    }

    /// Everyone listed must belong to the meeting's council and hold a seat on the meeting's date.
    static func checkAttendance(_ db: Database, meeting: Meeting, present: [String], absent: [String]) throws {
        var errors: [FieldError] = []
        let date = try meetingDate(db, meeting)
        let members = try meeting.draft.councilId.map { try liveMembers(db, council: $0) } ?? []
        for (field, ids) in [("present", present), ("absent", absent)] {
            for (i, id) in ids.enumerated() {
                guard let member = members.first(where: { $0.id == id }) else {
                    errors.append(FieldError("\(field)[\(i)]", "'\(id)' is not a member of the meeting's council"))
                    continue
                }
                if !member.draft.activeOn(date) {
                    errors.append(FieldError("\(field)[\(i)]", "'\(id)' holds no seat on \(date.text)"))
                }
            }
        }
        for id in Set(present).intersection(absent) { errors.append(FieldError("absent", "'\(id)' is also listed as present")) }
        if Set(present).count != present.count || Set(absent).count != absent.count {
            errors.append(FieldError("present", "lists a member twice"))
        }
        try Problem.check(errors)
    }

    public func putMinutes(meeting meetingId: String, text: String, present: [String], absent: [String], actor: WriteActor) async throws -> Minutes {
        try Problem.check(Rules.optionalText("text", text, max: 100_000))
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            if try Self.fetchMinutes(db, meetingId)?.isApproved == true {
                throw Problem.conflict("minutes-approved", "Approved minutes are final and cannot be changed.")
            }
            // Minutes are published once approved (and the meeting public, now or later): screened as written.
            try Problem.check(NationalIdScreening.check([("text", text)]))
            try Self.checkAttendance(db, meeting: meeting, present: present, absent: absent)
            let existed = try MinutesRecord.find(db, meeting: meetingId) != nil
            let now = self.clock.now()
            let record = MinutesRecord(meetingId: meetingId, text: text, present: present, absent: absent, approvedAt: nil, updatedAt: now)
            try record.save(db)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId,
                                 [existed ? .updated(.minutes, meetingId) : .created(.minutes, meetingId)], now: now)
            return record.minutes
        }
    }

    /// Approves the minutes; `signed`, when given, is a hosted document (the signed minutes as a PDF: 422
    /// otherwise) added to the meeting's documents in the same transaction.
    public func approveMinutes(meeting meetingId: String, signed: ConsultationDocument? = nil, actor: WriteActor) async throws -> Minutes {
        let now = clock.now()
        return try await pool.write { db in
            guard let meeting = try Self.liveMeeting(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
            // The meeting exists; what is missing is a state (minutes to approve): 409, not 404.
            guard var record = try MinutesRecord.find(db, meeting: meetingId) else {
                throw Problem.conflict("no-minutes", "Meeting '\(meetingId)' has no minutes to approve yet; write them with PUT /v1/meetings/\(meetingId)/minutes first.")
            }
            if record.approvedAt != nil { throw Problem.conflict("minutes-approved", "The minutes are already approved.") }
            if now < meeting.draft.startsAt {
                throw Problem.conflict("meeting-not-held", "The meeting starts at \(UTCTimestamp.secondsText(meeting.draft.startsAt)); its minutes can be approved once it has started.")
            }
            try Problem.check(NationalIdScreening.check([("text", record.text)]))
            var changes: [Change] = [Change.updated(.minutes, meetingId).named("minutes.approved")]
            if let signed, let fileId = signed.fileId {
                try Problem.check(Rules.text("title", signed.title, max: 200) + NationalIdScreening.check([("title", signed.title)]))
                if meeting.draft.documents.contains(where: { $0.fileId == fileId }) {
                    throw Problem.validation([FieldError("signed_file_id", "is already one of the meeting's documents")])
                }
                guard let file = try Self.fetchFile(db, fileId), file.mediaType == "application/pdf",
                      file.municipalityId == meeting.draft.municipalityId
                else {
                    throw Problem.validation([FieldError("signed_file_id", "must name an uploaded PDF of municipality \(meeting.draft.municipalityId)")])
                }
                if let owner = file.ownerId, owner != meetingId {
                    throw Problem(status: 409, slug: "file-attached", title: "File already attached",
                                  detail: "File \(fileId) already belongs to \(file.ownerType?.rawValue ?? "another object") \(owner); a file belongs to one object only.",
                                  errors: [FieldError("signed_file_id", "is already attached")])
                }
                guard var stored = try MeetingRecord.live(db, meetingId) else { throw Problem.notFound("meeting", meetingId) }
                var draft = stored.meeting.draft
                let files: [Change]
                (draft.documents, files) = try Self.attachDocuments(db, owner: .meeting, meetingId, municipality: draft.municipalityId,
                                                                    old: draft.documents, new: draft.documents + [signed], now: now)
                try Problem.check(ConsultationDocument.check(draft.documents, publish: draft.isPublic))
                stored = stored.updated(draft, at: now)
                try stored.update(db)
                try db.execute(sql: "UPDATE minutes SET signed_file_id = ? WHERE meeting_id = ?", arguments: [fileId, meetingId])
                changes += [.updated(.meeting, meetingId)] + files
            }
            (record.approvedAt, record.updatedAt) = (now, now)
            try record.update(db)
            try Self.recordWrite(db, actor: actor, municipality: meeting.draft.municipalityId, changes, now: now)
            return record.minutes
        }
    }
}
