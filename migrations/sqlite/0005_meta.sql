-- Facts about the database itself: `key_check`, a value derived from the encryption key, so a
-- process with another key refuses to start instead of failing on every record.
CREATE TABLE meta (
    name  TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;
