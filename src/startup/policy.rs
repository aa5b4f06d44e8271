//! The use cases' `Policy`, read once from the settings at startup.
use crate::config::Settings;
use crate::domain::cli_access::ExpiryPolicy;
use crate::domain::{Limits, PinPolicy};
use crate::onboarding::{
    CliPolicy, MfaPolicy, PasswordBounds, Policy, RecoveryPolicy, SelfEnrollPolicy, TotpPolicy,
};

/// The rules the use cases apply, read once from the settings.
pub(super) fn of(settings: &Settings) -> Policy {
    let onboarding = &settings.onboarding;
    Policy {
        pin: PinPolicy { min_digits: onboarding.pin_min_digits, max_digits: onboarding.pin_max_digits },
        limits: Limits {
            max_pin_attempts: onboarding.max_pin_attempts,
            max_totp_attempts: settings.totp.max_attempts,
        },
        password: PasswordBounds {
            min_chars: onboarding.min_password_length,
            max_bytes: onboarding.max_password_bytes,
        },
        totp: TotpPolicy {
            enabled: settings.totp.enabled,
            previous_windows: settings.totp.previous_windows,
            issuer: settings.totp_issuer().to_owned(),
        },
        self_enroll: SelfEnrollPolicy {
            enabled: settings.self_enroll.enabled,
            domains: settings.self_enroll.domains.iter().map(|d| d.trim().to_owned()).collect(),
            require_mfa_rules: settings.self_enroll.require_mfa_rules,
            lifetime: settings.self_enroll.lifetime.as_chrono(),
        },
        recovery: RecoveryPolicy {
            enabled: settings.recovery.enabled,
            codes: settings.recovery.codes,
            max_attempts: settings.recovery.max_attempts,
            lockout: settings.recovery.lockout.as_chrono(),
        },
        cli: CliPolicy {
            enabled: settings.cli.enabled,
            expiry: ExpiryPolicy {
                default: settings.cli.default_expiry.as_chrono(),
                max: settings.cli.max_expiry.as_chrono(),
                allow_never: settings.cli.allow_no_expiry,
            },
            auth_url: settings.cli.auth_url.clone().unwrap_or_else(|| settings.keystone.auth_url.clone()),
            region_name: settings.cli.region_name.clone(),
            interface: settings.cli.interface.clone(),
            cloud_name: settings.cli.cloud_name.clone(),
            sign_in_lifetime: chrono::Duration::minutes(10),
        },
        mfa: MfaPolicy { enforce: settings.keystone.enforce_mfa, rules: settings.keystone.mfa_rules.clone() },
        link_lifetime: onboarding.link_lifetime.as_chrono(),
        // Long enough for the longest step: about 15 Keystone calls, each up to two timeouts
        // (the retry on a new connection).
        lease: settings.keystone.timeout.as_chrono() * 30 + chrono::Duration::seconds(10),
        public_url: settings.server.public_url.clone(),
        default_locale: onboarding.default_locale,
        mail_keystone_email: settings.email.lookup_keystone,
        remind_before: settings.email.remind_before.map(|before| before.as_chrono()),
        retention: settings.database.retention.as_chrono(),
        purge_every: settings.database.purge_interval.as_std(),
        webhook_timeout: settings.webhook.timeout.as_chrono(),
        outbox_retry_base: settings.webhook.retry_base.as_chrono(),
    }
}
