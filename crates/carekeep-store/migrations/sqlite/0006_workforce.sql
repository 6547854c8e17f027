-- Workforce and training (164.530(b), 164.308(a)(5), 164.308(a)(3)(ii)(C)). Everyone on staff,
-- with or without a login; training completions kept six years (164.530(j)); offboarding
-- checklists. Nothing here is deleted.
CREATE TABLE workforce (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    job_title TEXT NOT NULL DEFAULT '',
    user_id INTEGER UNIQUE REFERENCES users(id),
    hired_on TEXT NOT NULL,
    left_on TEXT,
    offboarded_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE training_records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES workforce(id),
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    completed_on TEXT NOT NULL,
    score INTEGER,
    attested INTEGER NOT NULL,
    certificate_ct BLOB,
    certificate_name TEXT,
    recorded_by INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX training_records_person ON training_records(person_id, completed_on);

CREATE TABLE offboarding_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id INTEGER NOT NULL REFERENCES workforce(id),
    item TEXT NOT NULL,
    done_at INTEGER,
    done_by INTEGER
);
CREATE INDEX offboarding_items_person ON offboarding_items(person_id);
