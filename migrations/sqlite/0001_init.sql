-- One onboarding record per Keystone user. Secrets are never stored in the clear:
-- the link token as SHA-256, the PIN as an argon2id PHC string, the admin-set
-- password sealed with XChaCha20-Poly1305 (the user id as associated data).
CREATE TABLE onboarding (
    user_id       TEXT    PRIMARY KEY NOT NULL,
    token_hash    BLOB    NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    pin_hash      TEXT    NOT NULL,
    password_ct   BLOB,
    stage         TEXT    NOT NULL CHECK (stage IN ('password', 'totp', 'complete')),
    pin_failures  INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
    created_at    INTEGER NOT NULL,
    issued_at     INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX onboarding_expires_at ON onboarding (expires_at);
