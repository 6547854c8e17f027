-- The clinic's time zone as chosen in the settings page (an IANA name such as America/Chicago).
-- Empty until an owner chooses one; until then carekeep.toml's clinic_time_zone applies.
ALTER TABLE clinic ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
