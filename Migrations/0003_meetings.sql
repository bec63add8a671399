-- Meetings, their agendas and minutes, and the advisory decisions councils make with their follow-up.

CREATE TABLE meetings (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    council_id TEXT REFERENCES councils (id),
    consultation_id TEXT REFERENCES consultations (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    location TEXT,                   -- JSON {"name", "address"}
    online_url TEXT,
    public INTEGER NOT NULL CHECK (public IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled', 'postponed')),
    accessibility TEXT,              -- JSON
    registration TEXT,               -- JSON
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX meetings_by_start ON meetings (starts_at, seq);
CREATE INDEX meetings_by_council ON meetings (council_id, starts_at);

CREATE TABLE agenda_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    title TEXT NOT NULL,
    description TEXT,
    kind TEXT NOT NULL,
    public INTEGER NOT NULL CHECK (public IN (0, 1)),
    documents TEXT NOT NULL,         -- JSON
    consultation_id TEXT REFERENCES consultations (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX agenda_items_by_meeting ON agenda_items (meeting_id, position);

CREATE TABLE minutes (
    meeting_id TEXT PRIMARY KEY REFERENCES meetings (id),
    text TEXT NOT NULL,
    present TEXT NOT NULL,           -- JSON member ids
    absent TEXT NOT NULL,            -- JSON member ids
    approved_at TEXT,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    agenda_item_id TEXT NOT NULL REFERENCES agenda_items (id),
    council_id TEXT NOT NULL REFERENCES councils (id),
    text TEXT NOT NULL,
    votes_for INTEGER NOT NULL,
    votes_against INTEGER NOT NULL,
    votes_abstain INTEGER NOT NULL,
    follow_up_status TEXT NOT NULL CHECK (follow_up_status IN ('pending', 'followed', 'partly_followed', 'not_followed')),
    feedback TEXT,
    responded_at TEXT,
    response_id TEXT REFERENCES responses (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX decisions_by_council ON decisions (council_id, seq);
