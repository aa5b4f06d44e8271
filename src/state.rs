//! What every handler shares: settings, store, Keystone client, hasher, key, clock.
use crate::clock::Clock;
use crate::config::Settings;
use crate::crypto::{PinHasher, SecretBox};
use crate::domain::{Limits, PinPolicy};
use crate::keystone::{KeystoneClient, ServiceCredential};
use crate::metrics::Metrics;
use crate::onboarding::admin_check::AdminGuard;
use crate::store::Store;
use std::sync::Arc;

pub struct AppState {
    pub settings: Settings,
    pub store: std::sync::Arc<dyn Store>,
    pub keystone: KeystoneClient,
    pub admin: AdminGuard,
    pub hasher: PinHasher,
    pub secret_box: SecretBox,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
    /// The operator's application credential, when configured.
    pub service: Option<ServiceCredential>,
    /// The link mail and the webhook, when configured.
    pub notify: crate::notify::Notifier,
    /// Keystone's password rule, per domain.
    pub rules: crate::onboarding::rules::RuleCache,
    /// The logins for the TOTP step this process runs after the password step answered.
    pub logins: crate::onboarding::PendingLogins,
}

impl AppState {
    pub fn pin_policy(&self) -> PinPolicy {
        PinPolicy {
            min_digits: self.settings.onboarding.pin_min_digits,
            max_digits: self.settings.onboarding.pin_max_digits,
        }
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_pin_attempts: self.settings.onboarding.max_pin_attempts,
            max_totp_attempts: self.settings.totp.max_attempts,
        }
    }

    /// The one-time link a user opens.
    pub fn link(&self, token: &str) -> String {
        format!("{}/?token={token}", self.settings.server.public_url)
    }
}
