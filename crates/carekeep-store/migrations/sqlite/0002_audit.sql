-- The audit trail: an append-only, hash-chained log (164.312(b), 164.312(c)(1)), its signed
-- checkpoints, verification results, and the wrapped keys that MAC and sign it.
CREATE TABLE secret_keys (
    purpose TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    public BLOB,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor_name TEXT NOT NULL,
    actor_roles TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT NOT NULL,
    patient_ids TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    data_classes TEXT NOT NULL,
    source_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    request_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    target_user_id INTEGER,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX audit_events_at ON audit_events(at);
CREATE INDEX audit_events_actor ON audit_events(actor_id, seq);
CREATE INDEX audit_events_target ON audit_events(target_user_id, seq);

CREATE TABLE audit_patients (
    patient_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (patient_id, seq)
);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, zeroblob(32));

CREATE TABLE audit_checkpoints (
    seq INTEGER PRIMARY KEY,
    hash BLOB NOT NULL,
    at INTEGER NOT NULL,
    signature BLOB NOT NULL
);

CREATE TABLE audit_verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    events INTEGER NOT NULL,
    problem_seq INTEGER,
    problem TEXT NOT NULL
);

-- Append-only: the application has no update or delete path, and the database refuses one.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_patients_no_update BEFORE UPDATE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit_patients is append-only'); END;
CREATE TRIGGER audit_patients_no_delete BEFORE DELETE ON audit_patients
BEGIN SELECT RAISE(ABORT, 'audit_patients is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
