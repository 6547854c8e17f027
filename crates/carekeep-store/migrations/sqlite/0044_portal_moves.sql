-- A patient asks for a new time in the portal (issue 27, item 3). A service says whether
-- patients may ask online (off by default, the owner's setting). A request waits for the front
-- desk, who moves the appointment through the booking's own conflict rule or declines it with
-- a reason the patient sees. The patient's words and the reason can hold PHI: sealed.
ALTER TABLE services ADD COLUMN portal_move INTEGER NOT NULL DEFAULT 0;
CREATE TABLE move_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    patient_id INTEGER NOT NULL REFERENCES patients(id),
    -- The representative who asked for the patient; NULL: the patient themself.
    person_id INTEGER REFERENCES care_people(id),
    -- The free time picked (Unix seconds) with its provider, or NULL when only words were written.
    slot_start BIGINT,
    slot_provider INTEGER REFERENCES users(id),
    wishes_ct BLOB,
    -- asked, moved, declined, withdrawn
    status TEXT NOT NULL,
    asked_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by INTEGER REFERENCES users(id),
    answer_ct BLOB
);
CREATE INDEX move_requests_status ON move_requests(status, asked_at);
CREATE INDEX move_requests_appointment ON move_requests(appointment_id);
