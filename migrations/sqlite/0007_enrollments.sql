-- Issue 18: enrollments outside the link flow (self-enrollment, recovery), kept between the QR
-- code and the user's code; one open per user. Secrets are sealed, as in onboarding.
CREATE TABLE enrollments (
    id               TEXT    PRIMARY KEY NOT NULL CHECK (length(id) = 32),
    user_id          TEXT    NOT NULL UNIQUE,
    user_name        TEXT    NOT NULL,
    kind             TEXT    NOT NULL CHECK (kind IN ('self_enroll', 'recovery')),
    secret_ct        BLOB    NOT NULL,
    token_ct         BLOB,
    token_expires_at INTEGER,
    receipt_ct       BLOB,
    locale           TEXT,
    code_failures    INTEGER NOT NULL DEFAULT 0 CHECK (code_failures >= 0),
    -- A request working on it with Keystone holds it until then (crash-safe: it lapses).
    busy_until       INTEGER,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX enrollments_expires_at ON enrollments (expires_at);

-- One-time recovery codes as argon2id PHC strings, one set per user (slot 0..n); never purged
-- with links. AUTOINCREMENT: an id is never given again, so an old set's ids find nothing.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT    NOT NULL,
    slot       INTEGER NOT NULL CHECK (slot >= 0),
    hash       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    used_at    INTEGER,
    UNIQUE (user_id, slot)
) STRICT;

-- Wrong recovery codes per user; reaching the limit locks recovery until locked_until.
CREATE TABLE recovery_attempts (
    user_id      TEXT    PRIMARY KEY NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
    locked_until INTEGER
) STRICT;
