-- The language of the user's link (`en`, `ko`; NULL: the browser's, else the default), and the
-- password rule Keystone describes for the user's domain, shown before the user types.
ALTER TABLE onboarding ADD COLUMN locale TEXT;
ALTER TABLE onboarding ADD COLUMN password_rules TEXT;
