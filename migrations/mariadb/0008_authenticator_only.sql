-- Issue 18 C: a link that replaces the user's authenticator app and keeps their password (step 1
-- asks for the current password). Such a record never holds a sealed password.
ALTER TABLE onboarding ADD COLUMN authenticator_only TINYINT(1) NOT NULL DEFAULT 0;
