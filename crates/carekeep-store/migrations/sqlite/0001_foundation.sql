-- Foundation: the clinic, data keys, roles, users, MFA, sessions, login throttle.
-- Times are Unix seconds (INTEGER) so one query path serves SQLite and PostgreSQL.
CREATE TABLE clinic (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE data_keys (
    id INTEGER PRIMARY KEY,
    wrapped BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE roles (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL,
    grants TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    builtin INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret BLOB,
    totp_pending BLOB,
    totp_last_step INTEGER,
    mfa_enrolled_at INTEGER,
    disabled_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE user_roles (
    user_id INTEGER NOT NULL REFERENCES users(id),
    role TEXT NOT NULL REFERENCES roles(name),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE recovery_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at INTEGER
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    mfa_verified INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_reason TEXT,
    source_ip TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_throttle (
    username_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL
);
