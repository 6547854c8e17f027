-- An event's data classes as bits (bit i = the i-th class of `carekeep_domain::DataClass::ALL`:
-- identity, contact, scheduling, clinical, coding, billing, invoice_status), with
-- `data_classes` left empty, when the bits read back as exactly the listed text; otherwise the
-- text as before and no bits. The chain's MAC covers the text either way. Saves most of the
-- class list's 61 bytes on nearly every event (audit storage per read).
ALTER TABLE audit_events ADD COLUMN classes INTEGER;
