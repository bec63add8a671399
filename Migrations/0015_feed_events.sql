-- Each change-feed entry names its event (`consultation.published`, `response.received`, …), and the
-- partner token it concerns (the submitter of a response), so the feed can serve
-- partners their own events beside the public view: the ground webhooks are delivered from.
-- Entries written before this have neither; the feed names their events `<type>.<action>`.
ALTER TABLE changes ADD COLUMN event TEXT;
ALTER TABLE changes ADD COLUMN partner_token_id TEXT;
CREATE INDEX changes_by_partner ON changes (partner_token_id, seq) WHERE partner_token_id IS NOT NULL;
