-- Municipalities choose the language of the texts written for them (calendar names, later the hearing memo)
-- and own a receipt number prefix. Before, the prefix was the first three letters of the id, so Rudersdal
-- and Rudkøbing shared the series `RUD-2026-…` (one counter, numbers interleaved but never equal: receipt
-- numbers are unique). The language follows the country; the prefixes are assigned at start-up by
-- Store.assignReceiptPrefixes (scheduled below): in creation order each municipality keeps its first three
-- letters unless an earlier one has them, in which case it gets a new, unique prefix for future receipts.
-- Receipt numbers already given never change, and each is still found by the token that owns it.
ALTER TABLE municipalities ADD COLUMN language TEXT NOT NULL DEFAULT 'da' CHECK (language IN ('da', 'nb', 'nn'));
UPDATE municipalities SET language = 'nb' WHERE country = 'NO';
ALTER TABLE municipalities ADD COLUMN receipt_prefix TEXT;
CREATE UNIQUE INDEX municipalities_receipt_prefix ON municipalities (receipt_prefix);
INSERT INTO maintenance_tasks (task) VALUES ('receipt-prefixes');
