-- Issue 20: the same columns as migrations/sqlite/0009_list_and_reminders.sql: the user's
-- Keystone domain for the admin's list, and one reminder per mailed issuance (address, due time,
-- the link token sealed with the service key, the claim across replicas).
ALTER TABLE onboarding
    ADD COLUMN domain_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN remind_to VARCHAR(320) NULL,
    ADD COLUMN remind_at BIGINT NULL,
    ADD COLUMN remind_ct BLOB NULL,
    ADD COLUMN remind_claimed_until BIGINT NULL,
    ADD INDEX onboarding_remind_at (remind_at),
    ADD INDEX onboarding_domain (domain_id, user_id);
