-- Intake and consent forms (issue 28). A template has versions; a version's body (JSON, no
-- PHI) never changes once `first_used_at` is set (a packet asked a patient to fill it): an
-- edit makes the next version. Services name the forms they need and how often. A packet is
-- what one patient is asked to fill (for one appointment, or none); each of its forms is a
-- response pinned to one version. Answers and the signature's evidence are sealed
-- (`answers_ct`, `evidence_ct`, bound to their row); the answers' SHA-256 is plain so a
-- changed answer can be detected without opening them.
CREATE TABLE form_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    builtin_key TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    retired INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE TABLE form_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id INTEGER NOT NULL REFERENCES form_templates(id),
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    first_used_at INTEGER,
    UNIQUE (template_id, number)
);
CREATE TABLE service_forms (
    service_id INTEGER NOT NULL REFERENCES services(id),
    template_id INTEGER NOT NULL REFERENCES form_templates(id),
    frequency TEXT NOT NULL,
    PRIMARY KEY (service_id, template_id)
);
CREATE TABLE form_packets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    appointment_id INTEGER REFERENCES appointments(id),
    status TEXT NOT NULL DEFAULT 'open',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX form_packets_patient ON form_packets(patient_id, id);
CREATE INDEX form_packets_appointment ON form_packets(appointment_id);
CREATE TABLE form_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    packet_id INTEGER NOT NULL REFERENCES form_packets(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    template_id INTEGER NOT NULL REFERENCES form_templates(id),
    version_id INTEGER NOT NULL REFERENCES form_versions(id),
    status TEXT NOT NULL DEFAULT 'pending',
    answers_ct BLOB,
    answers_sha256 TEXT NOT NULL DEFAULT '',
    evidence_ct BLOB,
    updated_at INTEGER NOT NULL,
    submitted_at INTEGER,
    reviewed_at INTEGER,
    reviewed_by INTEGER REFERENCES users(id),
    UNIQUE (packet_id, template_id)
);
CREATE INDEX form_responses_patient ON form_responses(patient_id, template_id, status);
-- The consent to do business electronically (E-SIGN, 15 U.S.C. 7001(c)(1)), once per patient
-- (or their representative, `person_id`), with the statement's version, where and how.
CREATE TABLE esign_consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    person_id INTEGER REFERENCES care_people(id),
    statement_version INTEGER NOT NULL,
    source_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    consented_at INTEGER NOT NULL,
    withdrawn_at INTEGER
);
CREATE INDEX esign_consents_patient ON esign_consents(patient_id);
