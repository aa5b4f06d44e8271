-- user_name compares without case (utf8mb4_unicode_ci), like SQLite's COLLATE NOCASE, but
-- looser: accents and trailing spaces are ignored too (the reset form checks at most 5 records).
ALTER TABLE onboarding
    ADD COLUMN expiry_notified_at BIGINT,
    ADD INDEX onboarding_user_name (user_name);
