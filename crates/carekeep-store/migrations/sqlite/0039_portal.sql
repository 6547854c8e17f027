-- The patient portal (issue 27, items 2, 3 and 5). A sign-in code is kept only as a keyed
-- digest (the clinic's blind-index key, so a copy of the database cannot try the million
-- codes); a code row is written for an unknown contact too (patient_id NULL), so the answer,
-- the work and the per-contact count are the same whether or not the person exists.
CREATE TABLE portal_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER REFERENCES patients(id),
    contact_digest TEXT NOT NULL,
    challenge_hash TEXT NOT NULL UNIQUE,
    code_digest TEXT NOT NULL,
    channel TEXT NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX portal_codes_contact ON portal_codes(contact_digest, created_at);

-- Portal sessions, apart from staff sessions: keyed by the SHA-256 of the cookie's token.
CREATE TABLE portal_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at INTEGER
);

-- The notice acknowledged in the portal, with its evidence (164.520(c)(2)(ii)): who, when,
-- from where, and the SHA-256 of the version's text as it was shown.
CREATE TABLE portal_npp_acks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    version_id INTEGER NOT NULL REFERENCES npp_versions(id),
    version_sha256 TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    acknowledged_at INTEGER NOT NULL
);
CREATE INDEX portal_npp_acks_patient ON portal_npp_acks(patient_id);

-- What the clinic releases through the portal beyond appointments and requests.
ALTER TABLE clinic ADD COLUMN portal_notes_release TEXT NOT NULL DEFAULT 'on_request';
