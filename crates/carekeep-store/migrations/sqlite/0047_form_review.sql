-- A clinician's review of a submitted form (issue 28, item 5): one row per item the form
-- proposed (an allergy, a medication, a history item), keyed by the field and the item's place
-- (no PHI), with the decision; an accepted item's chart entry is credited to the form here.
-- The item's words live only in the sealed answers and, once filed, in the sealed entry.
CREATE TABLE form_review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id INTEGER NOT NULL REFERENCES form_responses(id),
    item_key TEXT NOT NULL,
    decision TEXT NOT NULL,
    entry_id INTEGER REFERENCES chart_entries(id),
    reviewed_by INTEGER NOT NULL REFERENCES users(id),
    reviewed_at INTEGER NOT NULL,
    UNIQUE (response_id, item_key)
);
CREATE INDEX form_review_items_entry ON form_review_items(entry_id);
