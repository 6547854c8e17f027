-- A personal representative signs in to the portal by email too (issue 27, item 2). Their email
-- is sealed in `care_people.details_ct`; `care_people_email` is its blind index (the clinic's
-- keyed digest, never the address), one row per representative, `digest` NULL when they have
-- no email. Rows added before this migration are indexed at the first sign-in by email.
CREATE TABLE care_people_email (
    person_id BIGINT PRIMARY KEY REFERENCES care_people(id),
    digest BYTEA
);
CREATE INDEX care_people_email_digest ON care_people_email(digest);
