-- Text is kept in Unicode Normalization Form C (NFC), so `å` typed as one character and as `a` + U+030A
-- (what some keyboards, macOS file names and copy-paste from PDFs give) are the same text to search,
-- matching and sorting. New text is normalised as it arrives; this schedules the one-time pass over text
-- stored before (Store.normaliseStoredText, run at start-up after the migrations, which marks it done).
-- Hearing responses are left as received: their receipt's SHA-256 is over the text as it was submitted.
CREATE TABLE maintenance_tasks (
    task TEXT PRIMARY KEY,
    done_at TEXT
);
INSERT INTO maintenance_tasks (task) VALUES ('nfc-text');
