-- The compliance program: vendors and their business associate agreements, and flags other
-- modules raise (a new PHI vendor means the risk assessment needs review). Nothing here is
-- deleted: a vendor no longer used is retired (164.316(b)(2), 164.530(j): six years).
CREATE TABLE vendors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    service TEXT NOT NULL,
    contact TEXT NOT NULL DEFAULT '',
    creates_phi INTEGER NOT NULL DEFAULT 0,
    receives_phi INTEGER NOT NULL DEFAULT 0,
    maintains_phi INTEGER NOT NULL DEFAULT 0,
    transmits_phi INTEGER NOT NULL DEFAULT 0,
    conduit_only INTEGER NOT NULL DEFAULT 0,
    baa_status TEXT NOT NULL DEFAULT 'none',
    baa_signed_on TEXT,
    baa_effective_on TEXT,
    baa_renewal_on TEXT,
    subcontractors TEXT NOT NULL DEFAULT '',
    document_ct BLOB,
    document_type TEXT,
    document_name TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    retired_at INTEGER
);

CREATE TABLE program_flags (
    name TEXT PRIMARY KEY,
    raised_at INTEGER NOT NULL,
    reason TEXT NOT NULL
);
