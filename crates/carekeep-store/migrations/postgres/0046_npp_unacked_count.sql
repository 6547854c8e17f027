-- Issue 31: the dashboard's count of patients with no notice acknowledgment, kept as each write
-- lands (in its transaction, by these triggers) instead of counted over every patient on each
-- view. Either place an acknowledgment is kept counts (`carekeep_domain::program::npp_ack`).
-- A restore copies the row as it was (the copy turns triggers off); no write deletes patients
-- or acknowledgments.
CREATE TABLE npp_unacked (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO npp_unacked (id, n)
SELECT 1, COUNT(*) FROM patients p
WHERE NOT EXISTS (SELECT 1 FROM npp_acks a WHERE a.patient_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM portal_npp_acks q WHERE q.patient_id = p.id);

CREATE FUNCTION carekeep_npp_unacked_patient() RETURNS trigger AS $$
BEGIN
    UPDATE npp_unacked SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- The first acknowledgment of a patient, in either table, takes them off the count. The row
-- lock on the counter orders two first acknowledgments of one patient arriving at once.
CREATE FUNCTION carekeep_npp_unacked_ack() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM npp_unacked WHERE id = 1 FOR UPDATE;
    IF (SELECT COUNT(*) FROM npp_acks WHERE patient_id = NEW.patient_id)
       + (SELECT COUNT(*) FROM portal_npp_acks WHERE patient_id = NEW.patient_id) = 1 THEN
        UPDATE npp_unacked SET n = n - 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER npp_unacked_patient AFTER INSERT ON patients
    FOR EACH ROW EXECUTE FUNCTION carekeep_npp_unacked_patient();
CREATE TRIGGER npp_unacked_staff AFTER INSERT ON npp_acks
    FOR EACH ROW EXECUTE FUNCTION carekeep_npp_unacked_ack();
CREATE TRIGGER npp_unacked_portal AFTER INSERT ON portal_npp_acks
    FOR EACH ROW EXECUTE FUNCTION carekeep_npp_unacked_ack();
