-- The national identity number screening learnt the usual written spellings (spaces, dashes, dotted
-- dates) and now also looks at the respondent's public fields. `screened_with` records the rules each
-- response was screened with; at start-up the store screens every response with older rules again
-- (Store.rescreenResponses): a published response in which a number is now found leaves public view,
-- back to `received` with a `moderation_note`, and the change is listed in the audit log.
ALTER TABLE responses ADD COLUMN screened_with INTEGER NOT NULL DEFAULT 1;
ALTER TABLE responses ADD COLUMN moderation_note TEXT;
