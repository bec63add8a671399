-- Webhook subscriptions and their deliveries. The change feed is the outbox (DESIGN.md §8): every event is a
-- `changes` row written in the transaction of the write that caused it, so nothing here is written on the
-- write path. Each subscription keeps `cursor`, the feed `seq` it has queued deliveries up to, and the
-- dispatcher reads on from there through the subscription's token's view of the feed. (An outbox table filled
-- at write time would freeze each subscription's fan-out in the writer's transaction, adding a row per
-- subscription to every submission; the feed already knows who may see what.)
CREATE TABLE webhooks (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    token_id TEXT NOT NULL REFERENCES tokens (id),
    municipality_id TEXT REFERENCES municipalities (id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,                 -- JSON array of event names
    description TEXT,
    secret TEXT NOT NULL,                 -- whsec_…: needed to sign, so kept as given; never logged, listed or exported
    previous_secret TEXT,                 -- the secret before the last rotation, signing beside it until:
    previous_secret_expires_at TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    disabled_reason TEXT,
    cursor INTEGER NOT NULL,              -- the feed seq up to which deliveries are queued
    failing_since TEXT,                   -- the first failed attempt since the last success
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhooks_by_token ON webhooks (token_id);

-- One event on its way to one subscription; `payload` is the exact body sent on every attempt (public fields
-- only: no personal data). Pending rows go out one at a time per subscription, in `seq` order.
CREATE TABLE webhook_deliveries (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event TEXT NOT NULL,
    change_seq INTEGER,                   -- NULL for a ping
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_attempt_at TEXT,
    last_status_code INTEGER,
    last_error TEXT,
    delivered_at TEXT,
    redelivery_of TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, seq);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE status <> 'pending';

-- Revoking a token, by the API or by `medvirk token revoke` in another process, disables its subscriptions.
CREATE TRIGGER webhooks_follow_token_revocation AFTER UPDATE OF revoked_at ON tokens
WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    UPDATE webhooks SET active = 0, disabled_reason = 'token revoked', updated_at = NEW.revoked_at WHERE token_id = NEW.id;
END;
