-- The clinic's details typed on the set-up path (issue 25): they fill the blanks of the notice,
-- the policies and the letters. Empty until the owner fills them.
ALTER TABLE clinic ADD COLUMN legal_name TEXT NOT NULL DEFAULT '';
ALTER TABLE clinic ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE clinic ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE clinic ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE clinic ADD COLUMN privacy_contact TEXT NOT NULL DEFAULT '';
