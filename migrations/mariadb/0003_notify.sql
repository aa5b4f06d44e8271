-- user_name compares without case (utf8mb4_unicode_ci), as SQLite's COLLATE NOCASE does.
ALTER TABLE onboarding
    ADD COLUMN expiry_notified_at BIGINT,
    ADD INDEX onboarding_user_name (user_name);
