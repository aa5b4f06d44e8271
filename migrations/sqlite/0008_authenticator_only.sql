-- Issue 18 C: a link that replaces the user's authenticator app and keeps their password (step 1
-- asks for the current password). Such a record never holds a sealed password.
ALTER TABLE onboarding ADD COLUMN authenticator_only INTEGER NOT NULL DEFAULT 0
    CHECK (authenticator_only IN (0, 1));
