-- An event's data classes as bits (bit i = the i-th class of `carekeep_domain::DataClass::ALL`:
-- identity, contact, scheduling, clinical, coding, billing, invoice_status), with
-- `data_classes` left empty, when the bits read back as exactly the listed text; otherwise the
-- text as before and no bits. The chain's MAC covers the text either way. Saves most of the
-- class list's 61 bytes on nearly every event (audit storage per read).
ALTER TABLE audit_events ADD COLUMN classes SMALLINT;

-- Events are appended in time order, so `at` follows the table's physical order: a BRIN index
-- (the range of `at` in each block range) finds a period as well as the B-tree did, at a few
-- bytes per thousand events instead of a B-tree entry per event.
DROP INDEX audit_events_at;
CREATE INDEX audit_events_at ON audit_events USING brin (at);
