-- Issue 20: the admin's list filters by the user's Keystone domain (NULL in records written
-- before; the next renewal writes it), and one reminder per mailed issuance: the address it goes
-- to, when it is due, the link token sealed for it with the service key (dropped once sent, or
-- once it can no longer be sent), and its claim across processes.
ALTER TABLE onboarding ADD COLUMN domain_id TEXT;
ALTER TABLE onboarding ADD COLUMN remind_to TEXT;
ALTER TABLE onboarding ADD COLUMN remind_at INTEGER;
ALTER TABLE onboarding ADD COLUMN remind_ct BLOB;
ALTER TABLE onboarding ADD COLUMN remind_claimed_until INTEGER;
CREATE INDEX onboarding_remind_at ON onboarding (remind_at);
CREATE INDEX onboarding_domain ON onboarding (domain_id, user_id);
