-- Issue 31, item 4: PostgreSQL drops its (actor_id, seq) index here. SQLite's account index
-- is (actor_id) alone since 0052 (every entry carries seq as the rowid), so this changes nothing.
SELECT 1;
