ALTER TABLE onboarding
    ADD COLUMN locale VARCHAR(8),
    ADD COLUMN password_rules TEXT;
