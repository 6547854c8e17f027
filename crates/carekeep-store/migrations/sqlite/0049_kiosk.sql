-- The clinic tablet in kiosk mode (issue 28, item 3). One row per opening: staff make a code
-- for one checked-in visit's packet (its keyed digest only, never the code), the tablet types
-- it and the row becomes the tablet's session (SHA-256 of its cookie's token), apart from
-- staff and portal sessions. `person_id` is the representative signing, NULL for the patient.
CREATE TABLE kiosk_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    person_id INTEGER REFERENCES care_people(id),
    code_digest TEXT NOT NULL,
    code_expires_at INTEGER NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    opened_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL,
    token_hash TEXT UNIQUE,
    csrf_token TEXT,
    started_at INTEGER,
    last_seen_at INTEGER,
    ended_at INTEGER,
    ended_why TEXT
);
CREATE INDEX kiosk_sessions_code ON kiosk_sessions(code_digest);
CREATE INDEX kiosk_sessions_visit ON kiosk_sessions(appointment_id);
