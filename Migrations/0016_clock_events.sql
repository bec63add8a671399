-- The moments the clock brings a published consultation to (`consultation.opened`, `.closing_soon`,
-- `.closed`), each announced once in the feed by the background scheduler. Moments already past when this
-- migration runs count as announced for published consultations, so an upgrade does not flood the feed with old
-- news; a draft announces what is due when it is published.
CREATE TABLE clock_events (
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    event TEXT NOT NULL CHECK (event IN ('consultation.opened', 'consultation.closing_soon', 'consultation.closed')),
    at TEXT NOT NULL,
    PRIMARY KEY (consultation_id, event)
) STRICT, WITHOUT ROWID;
INSERT INTO clock_events (consultation_id, event, at)
SELECT id, 'consultation.opened', opens_at FROM consultations WHERE status = 'published' AND deleted_at IS NULL AND opens_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
INSERT INTO clock_events (consultation_id, event, at)
SELECT id, 'consultation.closing_soon', closes_at FROM consultations WHERE status = 'published' AND deleted_at IS NULL AND closes_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
INSERT INTO clock_events (consultation_id, event, at)
SELECT id, 'consultation.closed', closes_at FROM consultations WHERE status = 'published' AND deleted_at IS NULL AND closes_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
