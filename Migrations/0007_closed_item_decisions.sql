-- A decision is exactly as public as its agenda item and its meeting. Before this, decisions on closed
-- items (personnel matters, individual cases) were readable by anyone and announced by the public change
-- feed. Take back what the feed announced: earlier public events for them are hidden from the public feed,
-- a public `deleted` event tells mirrors built from it to drop them, and they are no longer marked public.
UPDATE changes SET public_action = NULL
    WHERE type = 'decision' AND public_action IS NOT NULL AND action IS NOT NULL AND resource_id IN (
        SELECT d.id FROM decisions d JOIN agenda_items i ON i.id = d.agenda_item_id
        WHERE i.public = 0 OR i.deleted_at IS NOT NULL);
INSERT INTO changes (at, municipality_id, type, resource_id, parent_id, action, public_action)
    SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), m.municipality_id, 'decision', d.id, NULL, NULL, 'deleted'
    FROM public_resources p
    JOIN decisions d ON d.id = p.resource_id
    JOIN agenda_items i ON i.id = d.agenda_item_id
    JOIN meetings m ON m.id = d.meeting_id
    WHERE p.type = 'decision' AND (i.public = 0 OR i.deleted_at IS NOT NULL)
    ORDER BY d.seq;
DELETE FROM public_resources
    WHERE type = 'decision' AND resource_id IN (
        SELECT d.id FROM decisions d JOIN agenda_items i ON i.id = d.agenda_item_id
        WHERE i.public = 0 OR i.deleted_at IS NOT NULL);
