-- The Notice of Privacy Practices (164.520): every version kept, where it is posted, and each
-- patient's acknowledgement of receipt or the good-faith effort (164.520(c)(2)(ii), (e)).
CREATE TABLE npp_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL UNIQUE,
    body TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    posted_office INTEGER NOT NULL DEFAULT 0,
    posted_website INTEGER NOT NULL DEFAULT 0,
    approved_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE npp_acks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    version_id INTEGER NOT NULL REFERENCES npp_versions(id),
    kind TEXT NOT NULL,
    reason_ct BLOB,
    recorded_at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX npp_acks_patient ON npp_acks(patient_id);
