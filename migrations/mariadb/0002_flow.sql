ALTER TABLE onboarding
    ADD COLUMN user_name VARCHAR(255) NOT NULL DEFAULT '',
    ADD COLUMN totp_failures INT UNSIGNED NOT NULL DEFAULT 0,
    ADD COLUMN totp_secret_ct BLOB,
    ADD COLUMN user_token_ct BLOB,
    ADD COLUMN user_token_expires_at BIGINT,
    ADD COLUMN mfa_receipt TINYINT NOT NULL DEFAULT 0,
    ADD COLUMN mfa_restore TEXT,
    ADD COLUMN busy_until BIGINT;
