-- Free text that can name a patient or their condition is sealed like PHI: an incident's title,
-- who discovered it and the systems involved (details_ct, beside the sealed narrative), the note
-- on an obligation done and an attachment's file name, and the note a reviewer writes on a
-- monitoring finding (review_note_ct). The plain columns stay for
-- rows written before this, and the server seals those at start, then empties the plain text.
ALTER TABLE incidents ADD COLUMN details_ct BLOB;
ALTER TABLE monitoring_findings ADD COLUMN review_note_ct BLOB;
ALTER TABLE incident_obligations ADD COLUMN note_ct BLOB;
ALTER TABLE incident_attachments ADD COLUMN name_ct BLOB;
