-- The patients' door's certificate (issue 27, item 1): from ACME (RFC 8555), renewed before
-- it ends by the background jobs. One row. The ACME account's credentials and the
-- certificate's private key are sealed under the master key (bound to this table, column and
-- row); the certificate chain is public and kept as PEM text.
CREATE TABLE portal_certificate (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL DEFAULT '',
    directory TEXT NOT NULL DEFAULT '',
    account_ct BYTEA,
    chain_pem TEXT NOT NULL DEFAULT '',
    key_ct BYTEA,
    not_before BIGINT,
    not_after BIGINT,
    changed_at BIGINT NOT NULL
);
