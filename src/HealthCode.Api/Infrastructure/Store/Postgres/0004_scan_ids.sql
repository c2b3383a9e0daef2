-- SQLite's audit file, step 2 (SqliteAuditDatabase): the scanId an entry's answer carried. On PostgreSQL an entry is
-- answered once it is in the instance's spool and named by the instance and its spool seq (AuditSpool); the shipper
-- appends it to the chain later, and the unique index keeps an entry shipped twice (a crash between the append and the
-- spool's delete) from being appended twice. Entries from before, and SQLite's, have none.
ALTER TABLE audit ADD COLUMN scan_id text;
CREATE UNIQUE INDEX audit_by_scan_id ON audit(scan_id);
