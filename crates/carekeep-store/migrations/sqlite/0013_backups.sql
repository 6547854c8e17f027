-- Backups and restore drills, as evidence for the contingency plan (164.308(a)(7)(ii)(A),
-- (D)): when each ran, whether it worked, and what it recorded (never the key).
CREATE TABLE backup_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX backup_runs_kind ON backup_runs(kind, at);
