-- Access-monitoring findings (164.308(a)(1)(ii)(D)) and their review by the compliance officer.
CREATE TABLE monitoring_findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_key TEXT NOT NULL UNIQUE,
    rule TEXT NOT NULL,
    actor_id INTEGER,
    seqs TEXT NOT NULL,
    summary TEXT NOT NULL,
    detected_at INTEGER NOT NULL,
    reviewed_at INTEGER,
    reviewed_by INTEGER,
    review_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX monitoring_findings_open ON monitoring_findings(reviewed_at, id);
