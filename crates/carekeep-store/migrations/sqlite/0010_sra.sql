-- The Security Risk Assessment (164.308(a)(1)(ii)(A)-(B)). A finalised assessment never
-- changes (kept six years, 164.316(b)(2)(i)): triggers refuse any change to it or its rows,
-- whatever code runs. Remediation tasks keep moving after finalisation, so they are outside
-- the freeze.
CREATE TABLE sra_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    scope TEXT NOT NULL DEFAULT '',
    copied_from INTEGER REFERENCES sra_assessments(id),
    created_at INTEGER NOT NULL,
    created_by INTEGER,
    finalised_at INTEGER,
    finalised_by INTEGER,
    signed_name TEXT
);

CREATE TABLE sra_answers (
    assessment_id INTEGER NOT NULL REFERENCES sra_assessments(id),
    spec_id TEXT NOT NULL,
    answer TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    measure TEXT NOT NULL DEFAULT '',
    evidence TEXT,
    evidence_ok INTEGER,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER,
    PRIMARY KEY (assessment_id, spec_id)
);

CREATE TABLE sra_assets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES sra_assessments(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    holds_ephi INTEGER NOT NULL,
    encrypted INTEGER NOT NULL,
    screen_lock INTEGER NOT NULL,
    patched INTEGER NOT NULL,
    backed_up INTEGER NOT NULL,
    vendor_id INTEGER REFERENCES vendors(id),
    notes TEXT NOT NULL DEFAULT '',
    system INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sra_assets_assessment ON sra_assets(assessment_id);

CREATE TABLE sra_risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    assessment_id INTEGER NOT NULL REFERENCES sra_assessments(id),
    threat TEXT NOT NULL,
    asset_id INTEGER REFERENCES sra_assets(id),
    vulnerability TEXT NOT NULL DEFAULT '',
    likelihood TEXT NOT NULL,
    impact TEXT NOT NULL,
    controls TEXT NOT NULL DEFAULT '',
    treatment TEXT NOT NULL,
    justification TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sra_risks_assessment ON sra_risks(assessment_id);

CREATE TABLE sra_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id INTEGER NOT NULL REFERENCES sra_risks(id),
    title TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL,
    done_on TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX sra_tasks_risk ON sra_tasks(risk_id);

CREATE TRIGGER sra_assessment_frozen BEFORE UPDATE ON sra_assessments
WHEN OLD.status = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_assessment_kept BEFORE DELETE ON sra_assessments
BEGIN SELECT RAISE(ABORT, 'risk assessments are kept'); END;

CREATE TRIGGER sra_answers_frozen_ins BEFORE INSERT ON sra_answers
WHEN (SELECT status FROM sra_assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_answers_frozen_upd BEFORE UPDATE ON sra_answers
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_answers_frozen_del BEFORE DELETE ON sra_answers
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;

CREATE TRIGGER sra_assets_frozen_ins BEFORE INSERT ON sra_assets
WHEN (SELECT status FROM sra_assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_assets_frozen_upd BEFORE UPDATE ON sra_assets
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_assets_frozen_del BEFORE DELETE ON sra_assets
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;

CREATE TRIGGER sra_risks_frozen_ins BEFORE INSERT ON sra_risks
WHEN (SELECT status FROM sra_assessments WHERE id = NEW.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_risks_frozen_upd BEFORE UPDATE ON sra_risks
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
CREATE TRIGGER sra_risks_frozen_del BEFORE DELETE ON sra_risks
WHEN (SELECT status FROM sra_assessments WHERE id = OLD.assessment_id) = 'final'
BEGIN SELECT RAISE(ABORT, 'a finalised risk assessment never changes'); END;
