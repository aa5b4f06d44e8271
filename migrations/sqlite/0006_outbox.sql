-- next_at and claimed_until are Unix milliseconds (retries are a second apart); at is seconds.
-- Webhook events waiting for delivery: written with the change they announce, delivered (with
-- backoff, across restarts) by whichever process claims them first.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event         TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    at            INTEGER NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    claimed_until INTEGER
) STRICT;
CREATE INDEX outbox_next_at ON outbox (next_at);
