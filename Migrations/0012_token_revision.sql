-- A counter that every change to who a token is or whether it still works raises, in any process: the server
-- keeps live tokens in memory and reads only this one row per request to know whether they still hold, so
-- `medvirk token revoke` (another process) stays immediate. Writing `last_used_at` does not raise it.
CREATE TABLE token_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
) STRICT;
INSERT INTO token_revision (id, value) VALUES (1, 0);

CREATE TRIGGER token_inserted AFTER INSERT ON tokens
BEGIN UPDATE token_revision SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER token_deleted AFTER DELETE ON tokens
BEGIN UPDATE token_revision SET value = value + 1 WHERE id = 1; END;

CREATE TRIGGER token_changed AFTER UPDATE OF id, name, scope, municipalities, secret_sha256, revoked_at ON tokens
BEGIN UPDATE token_revision SET value = value + 1 WHERE id = 1; END;
