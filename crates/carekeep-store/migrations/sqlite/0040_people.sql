-- People acting for the patient (issue 27): persons involved in care (45 CFR 164.510(b)) and
-- personal representatives (164.502(g)) in one table, `kind` telling them apart. Names, phones,
-- relationships and the scope in words are sealed in `details_ct`; the representative's
-- document in `document_ct`; a (g)(5) suspension's reason in `suspension_ct`. Plain: ids, codes
-- (topics, how the patient agreed, the basis), dates and who recorded what. A revocation keeps
-- the row (`revoked_on`, `revoked_by`).
CREATE TABLE care_people (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    details_ct BLOB,
    topics TEXT NOT NULL DEFAULT '',
    agreed TEXT NOT NULL DEFAULT '',
    agreed_on TEXT,
    basis TEXT NOT NULL DEFAULT '',
    starts_on TEXT,
    ends_on TEXT,
    document_type TEXT NOT NULL DEFAULT '',
    document_ct BLOB,
    revoked_on TEXT,
    revoked_by INTEGER REFERENCES users(id),
    suspended_on TEXT,
    suspended_by INTEGER REFERENCES users(id),
    suspension_ct BLOB,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX care_people_patient ON care_people(patient_id, id);
-- Care a minor consented to alone (164.502(g)(3)(i)): a marking on an appointment or a note,
-- left out of what a parent or guardian sees.
CREATE TABLE own_consent_care (
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    item_kind TEXT NOT NULL,
    item_id INTEGER NOT NULL,
    marked_by INTEGER NOT NULL REFERENCES users(id),
    marked_at INTEGER NOT NULL,
    PRIMARY KEY (item_kind, item_id)
);
CREATE INDEX own_consent_care_patient ON own_consent_care(patient_id);
-- A phone call answered from the caller screen: who was on the line, how they were checked
-- (164.514(h), codes), what was shared (sealed) and the disclosure log entry it made.
CREATE TABLE caller_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    person_id INTEGER NOT NULL REFERENCES care_people(id),
    checks TEXT NOT NULL,
    shared_ct BLOB,
    disclosure_id INTEGER REFERENCES disclosures(id),
    at INTEGER NOT NULL,
    by_user INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX caller_checks_patient ON caller_checks(patient_id, at);
