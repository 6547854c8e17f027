-- Issue 26: whether reminders name the service ("for Annual physical"). Off by default: the
-- minimum necessary is the clinic, the day and time and a link (164.502(b), 164.530(c)(2)(ii));
-- the owner may turn it on knowing a lock screen or a shared inbox can show it to others.
ALTER TABLE clinic ADD COLUMN reminder_names_service INTEGER NOT NULL DEFAULT 0;
