-- A submission no longer stores its rendered answer: a replay rebuilds it from the response row, whose
-- fields in that answer never change (status, redactions and updated_at are shown as they were when it was
-- received). Rendering the answer inside the single writer's transaction cost every submission time in the
-- one place that cannot run in parallel. Keys stored before this keep the answer they stored; new keys store
-- NULL, and so do the demo data's keys, which stored an empty answer that no replay could send. SQLite cannot
-- drop a NOT NULL constraint, so the table is rebuilt.
CREATE TABLE idempotency_keys_new (
    token_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    response_id TEXT NOT NULL REFERENCES responses (id),
    answer BLOB,                      -- NULL: rebuilt from the response on replay
    created_at TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
) STRICT;
INSERT INTO idempotency_keys_new (token_id, key, request_sha256, response_id, answer, created_at)
    SELECT token_id, key, request_sha256, response_id, NULLIF(answer, X''), created_at FROM idempotency_keys;
DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_new RENAME TO idempotency_keys;
