-- Policies and procedures (164.316, 164.530(i)): every version kept (six years from when it was
-- last in effect, 164.316(b)(2)(i)), with its approver, and each person's acknowledgement.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE policy_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id INTEGER NOT NULL REFERENCES policies(id),
    version INTEGER NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    reviewed_on TEXT NOT NULL,
    approved_by INTEGER NOT NULL REFERENCES users(id),
    approved_at INTEGER NOT NULL,
    UNIQUE (policy_id, version)
);

CREATE TABLE policy_acks (
    version_id INTEGER NOT NULL REFERENCES policy_versions(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    acked_at INTEGER NOT NULL,
    PRIMARY KEY (version_id, user_id)
);
