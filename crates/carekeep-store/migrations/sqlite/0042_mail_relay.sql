-- The clinic's email relay set up in the browser (issue 25, item 3): one row, read on every
-- send so a change needs no restart; carekeep.toml's smtp_host, when set, still wins. The
-- password is sealed under the master key (bound to this table, column and row); the relay's
-- operator is named as a vendor record, whose BAA the gate checks before anything is sent.
CREATE TABLE mail_relay (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL,
    port INTEGER NOT NULL,
    security TEXT NOT NULL,
    username TEXT NOT NULL DEFAULT '',
    password_ct BLOB,
    from_addr TEXT NOT NULL,
    vendor TEXT NOT NULL,
    changed_at BIGINT NOT NULL
);
