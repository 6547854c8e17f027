-- Issue 31, item 3: the access-monitoring scan (164.308(a)(1)(ii)(D)) reads only the events
-- after the last one it read, instead of the trail's last two days on every run. It keeps
-- where it stopped and, for the bulk-lookup rule, which patients each account opened in each
-- clock hour so far; both change in the transaction that records the scan's findings.
-- 0 means never scanned: the first scan reads the last two days, as every scan did before.
CREATE TABLE monitoring_scanned (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL
);
INSERT INTO monitoring_scanned (id, last_seq) VALUES (1, 0);
-- Hours older than the scan's two days are deleted by the scan.
CREATE TABLE monitoring_hours (
    actor_id BIGINT NOT NULL,
    hour BIGINT NOT NULL,
    patients TEXT NOT NULL,
    seqs TEXT NOT NULL,
    PRIMARY KEY (actor_id, hour)
);
