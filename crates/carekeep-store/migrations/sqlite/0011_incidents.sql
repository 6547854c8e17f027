-- The incident log and breach determinations (164.308(a)(6)(ii), 164.402-164.414, 164.530(j)).
-- Nothing here is deleted: the burden of proof (164.414(b)) rests on this record for six years.
-- Free text that may name patients is encrypted (the *_ct columns).
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    summary_ct BLOB NOT NULL,
    occurred_on TEXT,
    discovered_on TEXT NOT NULL,
    discovered_by TEXT NOT NULL,
    reported_by INTEGER,
    systems TEXT NOT NULL DEFAULT '',
    vendor_id INTEGER REFERENCES vendors(id),
    status TEXT NOT NULL DEFAULT 'open',
    phi_involved INTEGER NOT NULL DEFAULT 1,
    safeguard TEXT NOT NULL DEFAULT 'none',
    key_compromised INTEGER NOT NULL DEFAULT 0,
    exclusion TEXT,
    determination_ct BLOB,
    low_probability INTEGER NOT NULL DEFAULT 0,
    conclusion TEXT NOT NULL DEFAULT 'breach',
    determined_at INTEGER,
    determined_by INTEGER,
    affected INTEGER NOT NULL DEFAULT 0,
    by_state TEXT NOT NULL DEFAULT '',
    unreachable INTEGER NOT NULL DEFAULT 0,
    le_kind TEXT,
    le_stated_on TEXT,
    le_until TEXT,
    le_official TEXT,
    business_associate INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE incident_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    at INTEGER NOT NULL,
    by_user INTEGER,
    by_name TEXT NOT NULL,
    text_ct BLOB NOT NULL
);
CREATE INDEX incident_actions_incident ON incident_actions(incident_id, id);

CREATE TABLE incident_patients (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    classes TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, patient_id)
);

CREATE TABLE incident_obligations (
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT '',
    done_on TEXT NOT NULL,
    done_by INTEGER,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (incident_id, kind, state)
);

CREATE TABLE incident_notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    sent_on TEXT NOT NULL,
    method TEXT NOT NULL,
    sent_by INTEGER
);
CREATE INDEX incident_notices_incident ON incident_notices(incident_id);

CREATE TABLE incident_attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_ct BLOB NOT NULL,
    added_by INTEGER,
    added_at INTEGER NOT NULL
);
CREATE INDEX incident_attachments_incident ON incident_attachments(incident_id);
