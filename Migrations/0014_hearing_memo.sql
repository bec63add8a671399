-- From responses to the hearing memo (høringsnotat): themes and per-response analysis, "no comments"
-- answers, the memo's admin-written sections and its frozen published versions, the hearing-period rule
-- and the retention of respondents' personal data.

-- A municipality's normal minimum hearing period (calendar days) and how long its consultations keep
-- respondents' personal data; NULL takes the country's default (see `Municipality.minHearingDays`).
ALTER TABLE municipalities ADD COLUMN min_hearing_days INTEGER CHECK (min_hearing_days BETWEEN 1 AND 365);
ALTER TABLE municipalities ADD COLUMN personal_data_retention_days INTEGER CHECK (personal_data_retention_days BETWEEN 1 AND 3650);

ALTER TABLE consultations ADD COLUMN short_period_reason TEXT;
ALTER TABLE consultations ADD COLUMN memo_introduction TEXT;
ALTER TABLE consultations ADD COLUMN memo_recommendation TEXT;
ALTER TABLE consultations ADD COLUMN personal_data_retention_days INTEGER CHECK (personal_data_retention_days BETWEEN 1 AND 3650);
ALTER TABLE consultations ADD COLUMN withdrawn_at TEXT;
ALTER TABLE consultations ADD COLUMN personal_data_erased_at TEXT;
-- Consultations withdrawn before this migration count their retention from their last change.
UPDATE consultations SET withdrawn_at = updated_at WHERE status = 'withdrawn';

ALTER TABLE responses ADD COLUMN answer_type TEXT NOT NULL DEFAULT 'with_comments' CHECK (answer_type IN ('with_comments', 'no_comments'));
-- The administration's analysis; analysed_at is NULL until there is one.
ALTER TABLE responses ADD COLUMN analysis_summary TEXT;
ALTER TABLE responses ADD COLUMN analysis_assessment TEXT;
ALTER TABLE responses ADD COLUMN analysis_accommodated TEXT CHECK (analysis_accommodated IN ('yes', 'partly', 'no', 'not_applicable'));
ALTER TABLE responses ADD COLUMN analysed_at TEXT;
ALTER TABLE responses ADD COLUMN personal_data_erased_at TEXT;

-- The subjects a consultation's responses are grouped under, numbered 1…n without gaps.
CREATE TABLE themes (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    title TEXT NOT NULL,
    description TEXT,
    position INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX themes_by_consultation ON themes (consultation_id, position);

-- A response's themes, in the order the analysis lists them.
CREATE TABLE response_themes (
    response_id TEXT NOT NULL REFERENCES responses (id),
    theme_id TEXT NOT NULL REFERENCES themes (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (response_id, theme_id)
) STRICT;
CREATE INDEX response_themes_by_theme ON response_themes (theme_id);

-- Published memo versions, rendered once in every format and never changed; a retraction only hides one.
CREATE TABLE memo_versions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,          -- '<consultation id>-memo-<version>', the change feed's resource id
    consultation_id TEXT NOT NULL REFERENCES consultations (id),
    version INTEGER NOT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    json BLOB NOT NULL,
    markdown BLOB NOT NULL,
    html BLOB NOT NULL,
    csv BLOB NOT NULL,
    retracted_at TEXT,
    retraction_reason TEXT,
    UNIQUE (consultation_id, version)
) STRICT;
