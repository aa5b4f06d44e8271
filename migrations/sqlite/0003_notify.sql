-- When the webhook's "expired" event was sent for the record's current expiry. A renewal moves
-- expires_at past it, so a renewed link that expires again is announced again.
ALTER TABLE onboarding ADD COLUMN expiry_notified_at INTEGER;
-- Links that expired before this version are not announced after the upgrade.
UPDATE onboarding SET expiry_notified_at = expires_at
    WHERE expires_at <= CAST(strftime('%s', 'now') AS INTEGER);
-- The reset form finds records by the Keystone user name.
CREATE INDEX onboarding_user_name ON onboarding (user_name COLLATE NOCASE);
