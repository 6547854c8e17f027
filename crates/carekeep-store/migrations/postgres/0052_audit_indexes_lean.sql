-- Issue 31, items 3 and 4: SQLite's trail indexes are made leaner and the breach scope search
-- gets an index by account and time there (see the SQLite file). PostgreSQL needs neither:
-- its time index is a BRIN one (0017), a few pages for the whole trail, which bounds a
-- window's search by time; `(actor_id, seq)` carries seq explicitly because PostgreSQL's
-- index entries point at heap rows, not at seq; and a heap table cannot be its own primary
-- key, so `audit_patients` stays as it is. Nothing to change.
SELECT 1;
