-- Invitations (issue 25, item 3; 164.308(a)(4)(ii)(C)): the owner makes an account and a
-- one-time link valid 72 hours; the person chooses a password through it. Only the SHA-256
-- of the token is kept, so a copy of the database cannot open an account.
CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX invitations_user ON invitations(user_id);
