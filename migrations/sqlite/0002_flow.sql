-- What the onboarding flow needs after the password step. Secrets are sealed
-- with the same key as password_ct, each bound to the user id and its purpose.
ALTER TABLE onboarding ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
ALTER TABLE onboarding ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0 CHECK (totp_failures >= 0);
-- The TOTP secret shown to the user, until the Keystone credential exists.
ALTER TABLE onboarding ADD COLUMN totp_secret_ct BLOB;
-- The user's own Keystone token from right after the password change, and its expiry.
ALTER TABLE onboarding ADD COLUMN user_token_ct BLOB;
ALTER TABLE onboarding ADD COLUMN user_token_expires_at INTEGER;
-- 1 when the user's password login answered with an MFA receipt instead of a token and no
-- service credential is configured to get past it: the operator must act.
ALTER TABLE onboarding ADD COLUMN mfa_receipt INTEGER NOT NULL DEFAULT 0;
-- The user's MFA rules (JSON), switched off for re-enrollment, to switch on again at the end.
ALTER TABLE onboarding ADD COLUMN mfa_restore TEXT;
-- A request working on this record with Keystone holds it until then (crash-safe: it lapses).
ALTER TABLE onboarding ADD COLUMN busy_until INTEGER;
