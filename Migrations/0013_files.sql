-- Files hosted by the service (DESIGN.md §7): the hearing's own documents and attachments on responses.
-- Their bytes live in SQLite, so backups, `PRAGMA integrity_check` and transactions cover them.
--
-- One `file_contents` row per distinct content. An upload creates its row first (sha256 NULL: unfinished),
-- then writes the body as numbered chunks, each in its own short transaction, so the single writer is never
-- held for a whole file; a last small transaction gives the content its sha256 and records the file, or,
-- when a finished content with the same sha256 exists, points the file at that one and drops the new chunks.
-- Unfinished contents, and contents no file uses, are purged by the background scheduler.
CREATE TABLE file_contents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT UNIQUE,               -- hex; NULL while the upload is unfinished
    size INTEGER NOT NULL DEFAULT 0,  -- bytes, once finished
    created_at TEXT NOT NULL
) STRICT;

-- Chunks are numbered from 0 and hold 256 KiB each but the last. A rowid table: rows this large do not
-- belong in a WITHOUT ROWID table (SQLite's documentation on WITHOUT ROWID).
CREATE TABLE file_chunks (
    content_id INTEGER NOT NULL REFERENCES file_contents (id),
    seq INTEGER NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (content_id, seq)
) STRICT;

-- A file: a name and a type for a content, owned by one municipality, unattached until an object takes it.
-- `owner_type`/`owner_id` name the one object it belongs to (a consultation, meeting or agenda item through its
-- `documents`, a response through its attachments). Response attachments are moderated one at a time:
-- `moderation` is withheld until an admin publishes it, and a redacted copy uploaded by an admin may be
-- published in its place (`replacement_file_id`; the copy's `replaces_file_id` points back).
-- Meetings gain documents (the invitation, the signed minutes), as consultations and agenda items have. The
-- signed minutes attached at approval are part of the approved record: the minutes name the file.
ALTER TABLE meetings ADD COLUMN documents TEXT NOT NULL DEFAULT '[]';
ALTER TABLE minutes ADD COLUMN signed_file_id TEXT;

CREATE TABLE files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    municipality_id TEXT NOT NULL REFERENCES municipalities (id),
    content_id INTEGER NOT NULL REFERENCES file_contents (id),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,        -- token id
    idempotency_key TEXT,             -- partners' uploads are idempotent per token and key
    owner_type TEXT CHECK (owner_type IN ('consultation', 'meeting', 'agenda_item', 'response')),
    owner_id TEXT,
    title TEXT,                       -- a response attachment's title (documents keep theirs in `documents`)
    attachment_position INTEGER,      -- its place among the response's attachments, as submitted
    moderation TEXT CHECK (moderation IN ('withheld', 'published')),
    moderation_reason TEXT,
    personal_data_checked INTEGER NOT NULL DEFAULT 0 CHECK (personal_data_checked IN (0, 1)),
    replacement_file_id TEXT REFERENCES files (id),
    replaces_file_id TEXT REFERENCES files (id),
    created_at TEXT NOT NULL,
    unattached_since TEXT,            -- when it was uploaded or last detached; NULL while attached
    CHECK ((owner_type IS NULL) = (owner_id IS NULL)),
    CHECK ((owner_id IS NULL) = (unattached_since IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX files_idempotency ON files (uploaded_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX files_by_owner ON files (owner_id, seq) WHERE owner_id IS NOT NULL;
CREATE INDEX files_unattached ON files (unattached_since) WHERE unattached_since IS NOT NULL;
CREATE INDEX files_by_content ON files (content_id);
CREATE INDEX files_by_municipality ON files (municipality_id, seq);

