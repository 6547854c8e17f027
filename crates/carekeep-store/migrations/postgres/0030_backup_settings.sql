-- Backups set up from the browser (issue 25, item 6): the folder they go to and the backup
-- key's file, read by the nightly job on every tick so a change needs no restart. Empty until
-- the owner sets them; carekeep.toml's backup_dir, when set, still wins.
ALTER TABLE clinic ADD COLUMN backup_dir TEXT NOT NULL DEFAULT '';
ALTER TABLE clinic ADD COLUMN backup_key_file TEXT NOT NULL DEFAULT '';
