-- A SQLite step beside it (SqliteDatabase.StoreMigrations): a received batch's body, encrypted, in parts, until it is
-- applied, so that any instance sharing the store can take up a batch whose instance is gone with its data folder.
CREATE TABLE batch_bodies (
    source          text NOT NULL,
    batch_id        text NOT NULL,
    part            bigint NOT NULL,
    data            bytea NOT NULL,
    PRIMARY KEY (source, batch_id, part)
);
