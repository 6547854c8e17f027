-- A personal representative signs in to the portal for the patient (issue 27). Their mobile
-- number is sealed in `care_people.details_ct`; `care_people_phone` is its blind index (the
-- clinic's keyed digest, never the number), one row per representative, `digest` NULL when
-- they have no phone. Rows added before this migration are indexed at the first sign-in.
CREATE TABLE care_people_phone (
    person_id BIGINT PRIMARY KEY REFERENCES care_people(id),
    digest BYTEA
);
CREATE INDEX care_people_phone_digest ON care_people_phone(digest);
-- Who asked for the code and whose session it is: NULL for the patient themself.
ALTER TABLE portal_codes ADD COLUMN person_id BIGINT REFERENCES care_people(id);
ALTER TABLE portal_sessions ADD COLUMN person_id BIGINT REFERENCES care_people(id);
