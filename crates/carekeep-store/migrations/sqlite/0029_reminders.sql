-- Appointment reminders (issue 26, step 5). The sent log is append-only: what was sent about
-- which appointment, when, on which channel, through which vendor, and the outcome (sent,
-- failed, or held with the rule's words). The address and the message text are sealed, bound to
-- the appointment (the log row cannot be updated after its insert); a held reminder has neither.
CREATE TABLE reminder_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    channel TEXT NOT NULL,
    vendor TEXT NOT NULL,
    outcome TEXT NOT NULL,
    address_ct BLOB,
    body_ct BLOB,
    at INTEGER NOT NULL
);
CREATE INDEX reminder_sends_patient ON reminder_sends(patient_id, at);
CREATE INDEX reminder_sends_appointment ON reminder_sends(appointment_id, at);
CREATE TRIGGER reminder_sends_no_update BEFORE UPDATE ON reminder_sends
BEGIN SELECT RAISE(ABORT, 'reminder_sends is append-only'); END;
CREATE TRIGGER reminder_sends_no_delete BEFORE DELETE ON reminder_sends
BEGIN SELECT RAISE(ABORT, 'reminder_sends is append-only'); END;

-- A patient's opt-out of text messages (a STOP reply or recorded by staff), honoured at once.
CREATE TABLE sms_opt_outs (
    patient_id INTEGER PRIMARY KEY REFERENCES patients(id),
    at INTEGER NOT NULL,
    source TEXT NOT NULL
);
