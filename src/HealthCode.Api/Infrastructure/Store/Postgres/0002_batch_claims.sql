-- SQLite's step 13: who is applying an unfinished batch, until when (IBatchStore.ClaimAsync), so that of several
-- instances sharing this database only one receives, applies or resumes a batch.
ALTER TABLE batches ADD COLUMN claimed_by text;
ALTER TABLE batches ADD COLUMN claimed_until bigint;
