-- Issue 31: the dashboard's count of patients with no notice acknowledgment, kept as each write
-- lands (in its transaction, by these triggers) instead of counted over every patient on each
-- view. Either place an acknowledgment is kept counts (`carekeep_domain::program::npp_ack`).
-- A restore copies the row as it was (the copy turns triggers off); no write deletes patients
-- or acknowledgments.
CREATE TABLE npp_unacked (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO npp_unacked (id, n)
SELECT 1, COUNT(*) FROM patients p
WHERE NOT EXISTS (SELECT 1 FROM npp_acks a WHERE a.patient_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM portal_npp_acks q WHERE q.patient_id = p.id);

CREATE TRIGGER npp_unacked_patient AFTER INSERT ON patients
BEGIN UPDATE npp_unacked SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER npp_unacked_staff AFTER INSERT ON npp_acks
WHEN NOT EXISTS (SELECT 1 FROM npp_acks a WHERE a.patient_id = NEW.patient_id AND a.id <> NEW.id)
 AND NOT EXISTS (SELECT 1 FROM portal_npp_acks q WHERE q.patient_id = NEW.patient_id)
BEGIN UPDATE npp_unacked SET n = n - 1 WHERE id = 1; END;

CREATE TRIGGER npp_unacked_portal AFTER INSERT ON portal_npp_acks
WHEN NOT EXISTS (SELECT 1 FROM portal_npp_acks q WHERE q.patient_id = NEW.patient_id AND q.id <> NEW.id)
 AND NOT EXISTS (SELECT 1 FROM npp_acks a WHERE a.patient_id = NEW.patient_id)
BEGIN UPDATE npp_unacked SET n = n - 1 WHERE id = 1; END;
