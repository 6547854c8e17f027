-- How the clinic's computers reach Carekeep (issue 25, item 2), chosen on the set-up path and
-- read by the serve loop, which rebinds without a restart: this computer only, the clinic's
-- own certificate authority, a certificate the clinic has, or a TLS proxy. One row. The
-- private keys are sealed under the master key (bound to this table, column and row); the
-- certificates are public and kept as PEM text.
CREATE TABLE network_setting (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    mode TEXT NOT NULL,
    names TEXT NOT NULL DEFAULT '',
    trusted_proxies TEXT NOT NULL DEFAULT '',
    chain_pem TEXT NOT NULL DEFAULT '',
    key_ct BYTEA,
    not_before BIGINT,
    not_after BIGINT,
    ca_cert_pem TEXT NOT NULL DEFAULT '',
    ca_key_ct BYTEA,
    changed_at BIGINT NOT NULL
);
