-- What was sent for each request (letters, copies, accountings), authorizations on file, and
-- the authorization a disclosure relied on. Sent documents are append-only; an authorization
-- changes once, when revoked, and is never deleted (kept six years, 164.508(b)(6)).
CREATE TABLE request_documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id INTEGER NOT NULL REFERENCES patient_requests(id),
    sent_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail_ct BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER
);
CREATE INDEX request_documents_request ON request_documents(request_id);

CREATE TRIGGER request_documents_append_only_upd BEFORE UPDATE ON request_documents
WHEN OLD.detail_ct IS NOT NULL AND length(OLD.detail_ct) > 0
BEGIN SELECT RAISE(ABORT, 'documents sent are append-only: record another'); END;
CREATE TRIGGER request_documents_append_only_del BEFORE DELETE ON request_documents
BEGIN SELECT RAISE(ABORT, 'documents sent are append-only: record another'); END;

CREATE TABLE authorizations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    signed_on TEXT NOT NULL,
    expires_on TEXT,
    revoked_on TEXT,
    details_ct BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    created_by INTEGER
);
CREATE INDEX authorizations_patient ON authorizations(patient_id);

CREATE TRIGGER authorizations_kept_upd BEFORE UPDATE ON authorizations
WHEN length(OLD.details_ct) > 0 AND (OLD.revoked_on IS NOT NULL
    OR NEW.details_ct IS NOT OLD.details_ct OR NEW.signed_on IS NOT OLD.signed_on
    OR NEW.expires_on IS NOT OLD.expires_on OR NEW.patient_id IS NOT OLD.patient_id)
BEGIN SELECT RAISE(ABORT, 'authorizations are kept as signed: only a revocation is recorded, once'); END;
CREATE TRIGGER authorizations_kept_del BEFORE DELETE ON authorizations
BEGIN SELECT RAISE(ABORT, 'authorizations are kept as signed: only a revocation is recorded, once'); END;

ALTER TABLE disclosures ADD COLUMN authorization_id INTEGER REFERENCES authorizations(id);
