//! What the use cases are given: their few collaborators (`Deps`) and the rules they apply
//! (`Policy`), built once at startup from the settings. Nothing here knows HTTP or the config file.
use super::password_rule::RuleCache;
use super::pending::PendingLogins;
use crate::clock::Clock;
use crate::crypto::{PinHasher, SecretBox};
use crate::domain::cli_access::ExpiryPolicy;
use crate::domain::{Limits, Locale, PinPolicy};
use crate::keystone::{Identity, ServiceCredential};
use crate::metrics::Metrics;
use crate::notify::Notifier;
use crate::store::Store;
use chrono::Duration;
use std::sync::Arc;

/// The collaborators of the use cases.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub identity: Arc<dyn Identity>,
    /// The operator's application credential, when configured.
    pub service: Option<ServiceCredential>,
    pub hasher: PinHasher,
    /// Seals each secret to its record and purpose.
    pub sealer: SecretBox,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
    /// The link mail and the webhook, when configured.
    pub notifier: Notifier,
    /// The logins for the TOTP step this process runs after the password step answered.
    pub logins: PendingLogins,
    /// Keystone's password rule, per domain.
    pub rules: RuleCache,
    pub policy: Policy,
}

/// The rules the use cases apply, from the settings.
#[derive(Debug, Clone)]
pub struct Policy {
    pub pin: PinPolicy,
    pub limits: Limits,
    pub password: PasswordBounds,
    pub totp: TotpPolicy,
    pub mfa: MfaPolicy,
    pub self_enroll: SelfEnrollPolicy,
    pub recovery: RecoveryPolicy,
    pub cli: CliPolicy,
    /// How long a link lives.
    pub link_lifetime: Duration,
    /// How long a step may hold the record's lease (a crash leaves it busy this long at most).
    pub lease: Duration,
    /// The service's public URL: the links point there.
    pub public_url: String,
    /// The language of a link the admin chose none for.
    pub default_locale: Locale,
    /// Mail the link to the Keystone user's `email` when the PUT names no address.
    pub mail_keystone_email: bool,
    /// One reminder this long before a mailed link expires; `None`: no reminders.
    pub remind_before: Option<Duration>,
    /// How long a record is kept after its link expired.
    pub retention: Duration,
    /// How often expired records are purged and expired links announced.
    pub purge_every: std::time::Duration,
    /// How long one webhook delivery may take.
    pub webhook_timeout: Duration,
    /// The first retry of a webhook event waits this long; each next one twice as long.
    pub outbox_retry_base: Duration,
}

/// setpass's own bounds on a new password (Keystone checks its rule after them).
#[derive(Debug, Clone, Copy)]
pub struct PasswordBounds {
    pub min_chars: usize,
    /// 0: no bound.
    pub max_bytes: usize,
}

#[derive(Debug, Clone)]
pub struct TotpPolicy {
    /// Enroll an authenticator after the password step.
    pub enabled: bool,
    /// Earlier 30 s windows whose code is still accepted.
    pub previous_windows: u32,
    /// The issuer an authenticator app shows.
    pub issuer: String,
}

#[derive(Debug, Clone)]
pub struct MfaPolicy {
    /// Switch the user's MFA rules on after enrollment.
    pub enforce: bool,
    pub rules: Vec<Vec<String>>,
}

/// Self-enrollment of users setpass has no link for.
#[derive(Debug, Clone)]
pub struct SelfEnrollPolicy {
    pub enabled: bool,
    /// The domains (names or ids) a user may sign in to; the first is the default.
    pub domains: Vec<String>,
    /// Only users whose MFA rules already want TOTP (the operator opted them in).
    pub require_mfa_rules: bool,
    /// How long a started enrollment waits for its code.
    pub lifetime: Duration,
}

/// Recovery codes, and recovery with them.
#[derive(Debug, Clone)]
pub struct RecoveryPolicy {
    /// `/recover` is offered.
    pub enabled: bool,
    /// Codes in a set, made after every enrollment; 0: none.
    pub codes: usize,
    /// Wrong recovery codes before recovery locks for `lockout`.
    pub max_attempts: u32,
    pub lockout: Duration,
}

/// Command-line access: an application credential and the files to use it.
#[derive(Debug, Clone)]
pub struct CliPolicy {
    pub enabled: bool,
    pub expiry: ExpiryPolicy,
    /// Keystone's URL as users reach it, for the files.
    pub auth_url: String,
    pub region_name: Option<String>,
    pub interface: String,
    pub cloud_name: String,
    /// How long the page's second step may follow the sign-in.
    pub sign_in_lifetime: Duration,
}

impl Policy {
    /// The one-time link a user opens.
    pub fn link(&self, token: &str) -> String {
        format!("{}/?token={token}", self.public_url)
    }
}
