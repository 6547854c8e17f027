-- The waitlist per service (issue 26): a patient waiting for a service, with preferred weekdays
-- (bits, Monday = 1, 0 any day) and hours (minutes of the clinic's day, both or neither), and a
-- note sealed like other scheduling free text (164.312(a)(2)(iv)). Removed or booked entries
-- keep their row with `closed_at` and how they left.
CREATE TABLE waitlist (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    service_id INTEGER NOT NULL REFERENCES services(id),
    days INTEGER NOT NULL DEFAULT 0,
    from_minute INTEGER,
    until_minute INTEGER,
    note_ct BLOB,
    added_by INTEGER NOT NULL REFERENCES users(id),
    added_at INTEGER NOT NULL,
    closed_at INTEGER,
    closed_how TEXT,
    appointment_id INTEGER REFERENCES appointments(id)
);
CREATE INDEX waitlist_open ON waitlist(service_id, closed_at, added_at);
