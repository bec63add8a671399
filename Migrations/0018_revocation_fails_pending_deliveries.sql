-- Revoking a token disables its webhook subscriptions for good (they cannot be re-enabled), so their pending
-- deliveries would never be tried: they fail with the reason instead, and are pruned with the other finished
-- ones. Those left pending by revocations before this migration fail now.
DROP TRIGGER webhooks_follow_token_revocation;
CREATE TRIGGER webhooks_follow_token_revocation AFTER UPDATE OF revoked_at ON tokens
WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    UPDATE webhooks SET active = 0, disabled_reason = 'token revoked', updated_at = NEW.revoked_at WHERE token_id = NEW.id;
    UPDATE webhook_deliveries SET status = 'failed', last_error = 'token revoked', next_attempt_at = NULL
    WHERE status = 'pending' AND webhook_id IN (SELECT id FROM webhooks WHERE token_id = NEW.id);
END;
UPDATE webhook_deliveries SET status = 'failed', last_error = 'token revoked', next_attempt_at = NULL
WHERE status = 'pending' AND webhook_id IN (SELECT id FROM webhooks WHERE disabled_reason = 'token revoked');
