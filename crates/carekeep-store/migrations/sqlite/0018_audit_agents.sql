-- Each browser's name (its User-Agent, about 110 bytes from a real browser) stored once and
-- referenced by id from the events, which keep `user_agent` empty when they point at one. The
-- chain's MAC covers the text either way, so a changed name fails verification on every event
-- that used it. Saves most of that name on every event a browser causes (audit storage per read).
CREATE TABLE audit_agents (
    id INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
);
CREATE TRIGGER audit_agents_no_update BEFORE UPDATE ON audit_agents
BEGIN SELECT RAISE(ABORT, 'audit_agents is append-only'); END;
CREATE TRIGGER audit_agents_no_delete BEFORE DELETE ON audit_agents
BEGIN SELECT RAISE(ABORT, 'audit_agents is append-only'); END;

ALTER TABLE audit_events ADD COLUMN agent_id INTEGER;
