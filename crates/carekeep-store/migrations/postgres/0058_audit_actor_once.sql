-- Issue 31, item 4: PostgreSQL kept two indexes on an event's account, (actor_id, seq) and
-- (actor_id, at) (0057), about 30 bytes an event each. No statement needs the first any more:
-- the breach scope search reads (actor_id, at), and a person's history asks for
-- `actor_id = $n OR target_user_id = $n`, which PostgreSQL answers from a bitmap of both
-- indexes whichever account index it has (an OR cannot walk one index in order). What is lost:
-- the next page of that history (`seq < $m`) was a condition on the index and is now checked
-- on the rows, so each page reads the account's events as the first page always did. Measured
-- at 100,000 patients and 10 M events: 302 MiB, 422 to 391 bytes an event.
DROP INDEX audit_events_actor;
