-- Clinic records (issue: records under minimum-necessary access). Every PHI value is stored
-- as AES-256-GCM ciphertext (the `_ct` columns) bound to its table, column and row; what stays
-- plain is ids, times, statuses and amounts, which name no one. Exact search goes through
-- keyed blind indexes (patient_index), never through plaintext.
CREATE TABLE patients (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity_ct BLOB,
    contact_ct BLOB,
    restricted INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seen_at INTEGER
);
CREATE INDEX patients_recent ON patients(last_seen_at, id);

CREATE TABLE patient_index (
    kind TEXT NOT NULL,
    digest BLOB NOT NULL,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    PRIMARY KEY (kind, digest, patient_id)
);
CREATE INDEX patient_index_patient ON patient_index(patient_id);

CREATE TABLE patient_providers (
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (patient_id, user_id)
);

CREATE TABLE break_glass (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    reason_ct BLOB,
    started_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX break_glass_lookup ON break_glass(user_id, patient_id, expires_at);

CREATE TABLE appointments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    provider_id INTEGER NOT NULL REFERENCES users(id),
    start_at INTEGER NOT NULL,
    end_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    service_ct BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX appointments_day ON appointments(start_at);
CREATE INDEX appointments_patient ON appointments(patient_id, start_at);

CREATE TABLE encounters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    note_ct BLOB,
    signed_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX encounters_patient ON encounters(patient_id, at);

CREATE TABLE addenda (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    text_ct BLOB
);
CREATE INDEX addenda_patient ON addenda(patient_id, at);

-- Vitals, diagnoses, medications and allergies: one shape, the kind says which.
CREATE TABLE chart_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    data_ct BLOB
);
CREATE INDEX chart_entries_patient ON chart_entries(patient_id, at);

-- Photos and documents live in the database, encrypted, so an upload and its audit event
-- commit together and a backup of the database holds them.
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    at INTEGER NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users(id),
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    meta_ct BLOB,
    content_ct BLOB
);
CREATE INDEX attachments_patient ON attachments(patient_id, at);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    number TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users(id),
    total_cents INTEGER NOT NULL,
    lines_ct BLOB
);
CREATE INDEX invoices_patient ON invoices(patient_id, created_at);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id INTEGER NOT NULL REFERENCES invoices(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    amount_cents INTEGER NOT NULL,
    method TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX payments_invoice ON payments(invoice_id);
