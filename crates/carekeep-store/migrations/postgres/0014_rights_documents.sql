-- What was sent for each request (letters, copies, accountings), authorizations on file, and
-- the authorization a disclosure relied on. Sent documents are append-only; an authorization
-- changes once, when revoked, and is never deleted (kept six years, 164.508(b)(6)).
CREATE TABLE request_documents (
    id BIGSERIAL PRIMARY KEY,
    request_id BIGINT NOT NULL REFERENCES patient_requests(id),
    sent_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail_ct BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX request_documents_request ON request_documents(request_id);

CREATE FUNCTION request_documents_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND length(OLD.detail_ct) = 0 THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'documents sent are append-only: record another';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER request_documents_append_only BEFORE UPDATE OR DELETE ON request_documents
FOR EACH ROW EXECUTE FUNCTION request_documents_append_only();

CREATE TABLE authorizations (
    id BIGSERIAL PRIMARY KEY,
    patient_id BIGINT NOT NULL REFERENCES patients(id),
    signed_on TEXT NOT NULL,
    expires_on TEXT,
    revoked_on TEXT,
    details_ct BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX authorizations_patient ON authorizations(patient_id);

CREATE FUNCTION authorizations_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (length(OLD.details_ct) = 0 OR (OLD.revoked_on IS NULL
        AND NEW.details_ct = OLD.details_ct AND NEW.signed_on = OLD.signed_on
        AND NEW.expires_on IS NOT DISTINCT FROM OLD.expires_on AND NEW.patient_id = OLD.patient_id)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'authorizations are kept as signed: only a revocation is recorded, once';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER authorizations_kept BEFORE UPDATE OR DELETE ON authorizations
FOR EACH ROW EXECUTE FUNCTION authorizations_kept();

ALTER TABLE disclosures ADD COLUMN authorization_id BIGINT REFERENCES authorizations(id);
