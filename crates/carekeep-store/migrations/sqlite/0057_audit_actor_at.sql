-- Issue 31, item 3: PostgreSQL gets the breach scope search's index on (actor_id, at) here;
-- SQLite has had it since 0052, so this changes nothing.
CREATE INDEX IF NOT EXISTS audit_events_actor_at ON audit_events(actor_id, at);
