-- Issue 30: the reports behind the security evidence (a vulnerability scan, a penetration test,
-- a compliance audit), kept encrypted like a vendor's BAA. Every upload is kept; the newest of
-- each kind is the one the evidence names. About the clinic's systems, never its patients.
CREATE TABLE security_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_ct BLOB,
    uploaded_at INTEGER NOT NULL,
    uploaded_by INTEGER
);
CREATE TRIGGER security_reports_kept BEFORE DELETE ON security_reports
BEGIN SELECT RAISE(ABORT, 'security reports are kept'); END;
