-- Municipalities, service areas, councils, members, tokens, the audit log and the write generations.
-- Every table is STRICT. Ids are opaque text; `seq` orders rows for stable cursor pagination.
-- Deleted rows keep a tombstone (`deleted_at`) so a change feed can report them later.

CREATE TABLE municipalities (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    country TEXT NOT NULL CHECK (country IN ('DK', 'NO')),
    time_zone TEXT NOT NULL,
    website TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;

CREATE TABLE service_areas (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    name TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX service_areas_by_municipality ON service_areas (municipality_id, seq);

CREATE TABLE councils (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    service_area_id TEXT REFERENCES service_areas (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit TEXT,
    description TEXT,
    legal_basis TEXT NOT NULL,       -- JSON {"kind", "reference"}
    authority TEXT NOT NULL CHECK (authority IN ('advisory', 'decision_making')),
    hearing_rights TEXT NOT NULL,    -- JSON array of topics
    min_meetings_per_year INTEGER,
    term_years INTEGER,
    seats TEXT NOT NULL,             -- JSON array of seat blocks
    contact_email TEXT,
    website TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'dissolved')),
    established_on TEXT,
    dissolved_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX councils_by_municipality ON councils (municipality_id, seq);
CREATE INDEX councils_by_service_area ON councils (service_area_id);

-- Full-text search over name, unit and description. Diacritics are kept so that
-- Danish and Norwegian letters (æ, ø, å) stay distinct; case is folded.
CREATE VIRTUAL TABLE councils_fts USING fts5 (
    name, unit, description,
    content = 'councils', content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER councils_fts_insert AFTER INSERT ON councils BEGIN
    INSERT INTO councils_fts (rowid, name, unit, description) VALUES (new.seq, new.name, new.unit, new.description);
END;
CREATE TRIGGER councils_fts_delete AFTER DELETE ON councils BEGIN
    INSERT INTO councils_fts (councils_fts, rowid, name, unit, description) VALUES ('delete', old.seq, old.name, old.unit, old.description);
END;
CREATE TRIGGER councils_fts_update AFTER UPDATE ON councils BEGIN
    INSERT INTO councils_fts (councils_fts, rowid, name, unit, description) VALUES ('delete', old.seq, old.name, old.unit, old.description);
    INSERT INTO councils_fts (rowid, name, unit, description) VALUES (new.seq, new.name, new.unit, new.description);
END;

CREATE TABLE members (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    council_id TEXT NOT NULL REFERENCES councils (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    member_group TEXT NOT NULL,
    organisation TEXT,
    nominated_by TEXT,
    voting INTEGER NOT NULL CHECK (voting IN (0, 1)),
    deputy_of TEXT REFERENCES members (id),
    term_start TEXT NOT NULL,
    term_end TEXT,
    email TEXT,                      -- private
    phone TEXT,                      -- private
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX members_by_council ON members (council_id, seq);

CREATE TABLE tokens (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('admin', 'partner')),
    municipalities TEXT NOT NULL,    -- JSON array; empty means all
    secret_sha256 BLOB NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
) STRICT;

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    token_id TEXT NOT NULL,
    token_name TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    resource_id TEXT,
    municipality_id TEXT,
    request_id TEXT NOT NULL
) STRICT;
CREATE INDEX audit_by_municipality ON audit_log (municipality_id, seq);

-- One counter per municipality, and '*' for all of them, raised by every committed write.
CREATE TABLE generations (
    scope TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
