-- The dialogue channel inventory: how each service area reaches each group of people.

CREATE TABLE dialogue_channels (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    service_area_id TEXT NOT NULL REFERENCES service_areas (id),
    target_group TEXT NOT NULL,
    user_category TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('formal', 'informal')),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    cadence_count REAL,
    cadence_per TEXT CHECK (cadence_per IN ('week', 'month', 'quarter', 'year')),
    volume TEXT,
    assessment TEXT,
    planned_changes TEXT,
    council_id TEXT REFERENCES councils (id),
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
) STRICT;
CREATE INDEX dialogue_channels_by_municipality ON dialogue_channels (municipality_id, seq);
