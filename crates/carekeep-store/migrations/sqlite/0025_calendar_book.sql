-- Booking on the calendar (issue 26, step 3): an appointment names its service (for its buffer
-- and the room it needs), its room, the buffer held after it, and when the patient confirmed
-- it. Why one was cancelled, moved or booked over a conflict is the person's own words, sealed
-- like every free text that can hold PHI (written just after its row, to which it is bound), one
-- row per change.
ALTER TABLE appointments ADD COLUMN service_id INTEGER REFERENCES services(id);
ALTER TABLE appointments ADD COLUMN room_id INTEGER REFERENCES rooms(id);
ALTER TABLE appointments ADD COLUMN buffer_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appointments ADD COLUMN confirmed_at INTEGER;
CREATE INDEX appointments_provider ON appointments(provider_id, start_at);

CREATE TABLE appointment_reasons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    kind TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    reason_ct BLOB
);
CREATE INDEX appointment_reasons_appointment ON appointment_reasons(appointment_id);

-- Confirm or cancel by link (issue 26, step 4): one link per reminder, valid until the
-- appointment, used once. Only the SHA-256 of its token is kept, so a copy of the database
-- cannot be used to confirm or cancel anything.
CREATE TABLE confirm_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    appointment_id INTEGER NOT NULL REFERENCES appointments(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX confirm_links_appointment ON confirm_links(appointment_id);
