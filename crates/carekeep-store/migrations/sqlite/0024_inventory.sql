-- Issue 30: what attacks small clinics. The asset list grows a technology inventory (operating
-- system and version, last patched, support end), devices and media disposed of end their
-- record in a disposal log (164.310(d)(2)(i)-(ii)), the clinic's security evidence (scans,
-- penetration tests, the compliance audit, Carekeep's newest known release, threat alerts),
-- vendors' security beyond the BAA, incident kinds, and the restore drill's measured time.
ALTER TABLE sra_assets ADD COLUMN os TEXT NOT NULL DEFAULT '';
ALTER TABLE sra_assets ADD COLUMN last_patched_on TEXT;
ALTER TABLE sra_assets ADD COLUMN support_ends_on TEXT;
ALTER TABLE sra_assets ADD COLUMN retired_on TEXT;

-- Kept six years like the rest of the program (164.316(b)(2)(i)); never changed or deleted.
CREATE TABLE device_disposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES sra_assessments(id),
    asset_id INTEGER NOT NULL REFERENCES sra_assets(id),
    asset_name TEXT NOT NULL,
    disposed_on TEXT NOT NULL,
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    done_by TEXT NOT NULL,
    certificate TEXT NOT NULL DEFAULT '',
    recorded_at INTEGER NOT NULL,
    recorded_by INTEGER
);
CREATE TRIGGER device_disposals_kept_upd BEFORE UPDATE ON device_disposals
BEGIN SELECT RAISE(ABORT, 'the disposal log is kept as written'); END;
CREATE TRIGGER device_disposals_kept_del BEFORE DELETE ON device_disposals
BEGIN SELECT RAISE(ABORT, 'the disposal log is kept as written'); END;

-- One row: the clinic's security evidence, as entered.
CREATE TABLE security_facts (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_scan_on TEXT,
    scan_report TEXT NOT NULL DEFAULT '',
    last_pentest_on TEXT,
    pentest_report TEXT NOT NULL DEFAULT '',
    last_audit_on TEXT,
    latest_release TEXT NOT NULL DEFAULT '',
    alerts_recipient TEXT NOT NULL DEFAULT '',
    alerts_sources TEXT NOT NULL DEFAULT '',
    alerts_checked_on TEXT,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER
);

ALTER TABLE vendors ADD COLUMN security_report TEXT NOT NULL DEFAULT 'none';
ALTER TABLE vendors ADD COLUMN security_report_on TEXT;
ALTER TABLE vendors ADD COLUMN questionnaire_on TEXT;
ALTER TABLE vendors ADD COLUMN breach_history TEXT NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN security_reviewed_on TEXT;
ALTER TABLE vendors ADD COLUMN security_rating TEXT;

ALTER TABLE incidents ADD COLUMN kind TEXT NOT NULL DEFAULT 'other';

ALTER TABLE backup_runs ADD COLUMN seconds INTEGER;
