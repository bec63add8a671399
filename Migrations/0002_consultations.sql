-- Consultations (høringer), their hearing-entitled parties, the responses partners submit,
-- receipt numbering and the idempotency keys that make submissions safe to retry.

CREATE TABLE consultations (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    service_area_id TEXT REFERENCES service_areas (id),
    title TEXT NOT NULL,
    summary TEXT,
    body TEXT,
    case_number TEXT,
    documents TEXT NOT NULL,          -- JSON [{"title", "url"}]
    opens_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'concluded', 'withdrawn')),
    audience TEXT NOT NULL CHECK (audience IN ('public', 'invited')),
    late_policy TEXT NOT NULL CHECK (late_policy IN ('reject', 'accept_flagged')),
    publish_responses TEXT NOT NULL CHECK (publish_responses IN ('after_deadline', 'on_approval', 'never')),
    conclusion_summary TEXT,
    conclusion_memo_url TEXT,
    concluded_at TEXT,
    tags TEXT NOT NULL,               -- JSON array
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX consultations_by_municipality ON consultations (municipality_id, seq);

CREATE VIRTUAL TABLE consultations_fts USING fts5 (
    title, summary, body,
    content = 'consultations', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER consultations_fts_insert AFTER INSERT ON consultations BEGIN
    INSERT INTO consultations_fts (rowid, title, summary, body) VALUES (new.seq, new.title, new.summary, new.body);
END;
CREATE TRIGGER consultations_fts_delete AFTER DELETE ON consultations BEGIN
    INSERT INTO consultations_fts (consultations_fts, rowid, title, summary, body) VALUES ('delete', old.seq, old.title, old.summary, old.body);
END;
CREATE TRIGGER consultations_fts_update AFTER UPDATE ON consultations BEGIN
    INSERT INTO consultations_fts (consultations_fts, rowid, title, summary, body) VALUES ('delete', old.seq, old.title, old.summary, old.body);
    INSERT INTO consultations_fts (rowid, title, summary, body) VALUES (new.seq, new.title, new.summary, new.body);
END;

CREATE TABLE parties (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('council', 'organisation', 'authority', 'other')),
    council_id TEXT REFERENCES councils (id),
    partner_token_id TEXT REFERENCES tokens (id),
    invited_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX parties_by_consultation ON parties (consultation_id, seq);

CREATE TABLE responses (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    receipt_number TEXT NOT NULL UNIQUE,
    token_id TEXT NOT NULL REFERENCES tokens (id),
    party_id TEXT REFERENCES parties (id),
    respondent TEXT NOT NULL,         -- JSON; holds the private e-mail and address
    text TEXT NOT NULL,
    received_at TEXT NOT NULL,
    late INTEGER NOT NULL CHECK (late IN (0, 1)),
    sha256 TEXT NOT NULL,
    contains_national_id INTEGER NOT NULL CHECK (contains_national_id IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('received', 'published', 'withheld', 'withdrawn')),
    withheld_reason TEXT,
    redactions TEXT NOT NULL,         -- JSON array of exact substrings
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX responses_by_consultation ON responses (consultation_id, seq);

-- Receipt numbers count per prefix and year: RUD-2026-000123.
CREATE TABLE receipt_counters (
    series TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;

-- The stored answer to each idempotent submission, per token and key.
CREATE TABLE idempotency_keys (
    token_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    response_id TEXT NOT NULL REFERENCES responses (id),
    answer BLOB NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
) STRICT;
