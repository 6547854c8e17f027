-- Re-indexing a patient deletes their digests by (patient_id, kind). With an index on
-- patient_id alone, SQLite's planner chose the primary key's (kind) prefix instead and scanned
-- every name digest of the clinic: at 100,000 patients each registration or name change read
-- millions of rows. Both columns in one index make the per-patient path the obvious one.
DROP INDEX patient_index_patient;
CREATE INDEX patient_index_patient ON patient_index(patient_id, kind);
