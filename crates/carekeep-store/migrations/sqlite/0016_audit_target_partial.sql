-- Only events about a staff account (role changes, resets, offboarding) have a target user;
-- reads of PHI, nearly every event, have none. The index keeps only the events it can find, so
-- a read no longer adds an entry to it (audit storage per read). `target_user_id = $n` implies
-- NOT NULL, so both databases still use it for a person's history.
DROP INDEX audit_events_target;
CREATE INDEX audit_events_target ON audit_events(target_user_id, seq) WHERE target_user_id IS NOT NULL;
