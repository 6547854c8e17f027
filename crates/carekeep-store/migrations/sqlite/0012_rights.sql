-- Patients' requests under 164.522-164.528 with their clocks, and the disclosure log. The log
-- is append-only (a wrong entry is corrected by a new one that names it): triggers refuse
-- changes whatever code runs. What may name people is encrypted (the *_ct columns).
CREATE TABLE patient_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    kind TEXT NOT NULL,
    received_on TEXT NOT NULL,
    extended_on TEXT,
    status TEXT NOT NULL DEFAULT 'open',
    decided_on TEXT,
    fee_free INTEGER NOT NULL DEFAULT 1,
    details_ct BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER
);
CREATE INDEX patient_requests_patient ON patient_requests(patient_id);

CREATE TABLE disclosures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    disclosed_on TEXT NOT NULL,
    basis TEXT NOT NULL,
    entry_ct BLOB NOT NULL,
    corrects INTEGER REFERENCES disclosures(id),
    created_at INTEGER NOT NULL,
    created_by INTEGER
);
CREATE INDEX disclosures_patient ON disclosures(patient_id, disclosed_on);

CREATE TRIGGER disclosures_append_only_upd BEFORE UPDATE ON disclosures
WHEN OLD.entry_ct IS NOT NULL AND length(OLD.entry_ct) > 0
BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only: correct an entry with a new one'); END;
CREATE TRIGGER disclosures_append_only_del BEFORE DELETE ON disclosures
BEGIN SELECT RAISE(ABORT, 'the disclosure log is append-only: correct an entry with a new one'); END;
