-- The dashboard's checklist counted once a day (the clinic's date), for its history since the
-- clinic was set up: how many items were done, due soon and gaps. Counts only; nothing that
-- names anyone.
CREATE TABLE checklist_days (
    day TEXT PRIMARY KEY,
    done BIGINT NOT NULL,
    due_soon BIGINT NOT NULL,
    gaps BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
-- Each clinician's notes not yet signed, for their home page.
CREATE INDEX encounters_unsigned ON encounters(author_id, at) WHERE signed_at IS NULL;
