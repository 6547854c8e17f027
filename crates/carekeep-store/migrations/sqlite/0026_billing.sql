-- Issue 24: refunds and adjustments are new ledger entries beside payments, never edits.
-- kind: payment (amount > 0), refund (amount < 0, money given back), adjustment (the signed
-- change to what is owed). reason_ct: the reason for a refund or adjustment, sealed (it may
-- name the patient's circumstances), bound to payments.reason_ct#id.
ALTER TABLE payments ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment';
ALTER TABLE payments ADD COLUMN reason_ct BLOB;
CREATE INDEX invoices_created ON invoices(created_at, id);
