-- Re-indexing a patient deletes their digests by (patient_id, kind): one index serves it on
-- both databases (on SQLite the patient_id-only index lost to the primary key's kind prefix).
DROP INDEX patient_index_patient;
CREATE INDEX patient_index_patient ON patient_index(patient_id, kind);
