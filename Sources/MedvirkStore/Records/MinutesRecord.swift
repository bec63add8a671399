import Foundation
import GRDB
import MedvirkCore

/// A row of `minutes`, one per meeting (its primary key is the meeting's id). `present` and `absent` are
/// JSON lists of member ids.
struct MinutesRecord: StoredRecord {
    static let databaseTableName = "minutes"
    var meetingId: String
    var text: String
    var present: [String]
    var absent: [String]
    var approvedAt: Date?
    var updatedAt: Date

    var minutes: Minutes {
        Minutes(meetingId: meetingId, text: text, present: present, absent: absent, approvedAt: approvedAt, updatedAt: updatedAt)
    }

    static func find(_ db: Database, meeting: String) throws -> MinutesRecord? {
        try filter(Column("meeting_id") == meeting).fetchOne(db)
    }
}
