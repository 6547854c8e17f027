-- Email reminders through the clinic's SMTP relay: a work address on the roster, and one
-- reminder mail per person per day at most (kept so a restart does not send it twice).
-- Reminders name no patient.
ALTER TABLE workforce ADD COLUMN email TEXT;

CREATE TABLE reminder_mail (
    person_id INTEGER NOT NULL REFERENCES workforce(id),
    sent_on TEXT NOT NULL,
    PRIMARY KEY (person_id, sent_on)
);
