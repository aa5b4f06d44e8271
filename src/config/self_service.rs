//! What users do without an admin: `[self_enroll]` (sign in with the Keystone password and
//! enroll a first authenticator app; trust on first use, docs/SECURITY.md) and `[recovery]`
//! (recovery codes, and replacing a lost authenticator with one of them).
use super::{ConfigError, Seconds};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfEnrollSettings {
    /// Off by default: `GET /enroll` and `/api/v1/enroll*` answer 404 like unknown paths.
    #[serde(default)]
    pub enabled: bool,
    /// The domains (names or ids) a user may sign in to; the first is the default.
    #[serde(default = "default_domains")]
    pub domains: Vec<String>,
    /// Only users whose MFA rules already ask for TOTP (opted in by the operator) may enroll.
    #[serde(default)]
    pub require_mfa_rules: bool,
    /// How long a started enrollment waits for its code. Keystone's auth receipts (users whose
    /// rules want TOTP) live 5 minutes by default (`[receipt] expiration`).
    #[serde(default = "default_lifetime")]
    pub lifetime: Seconds,
    /// Sign-ins per minute per user name (on top of the per-address limit of `[limits]`).
    #[serde(default = "default_per_user_per_minute")]
    pub per_user_per_minute: u32,
}

fn default_domains() -> Vec<String> {
    vec!["Default".into()]
}

fn default_lifetime() -> Seconds {
    Seconds(600)
}

fn default_per_user_per_minute() -> u32 {
    5
}

impl Default for SelfEnrollSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            domains: default_domains(),
            require_mfa_rules: false,
            lifetime: default_lifetime(),
            per_user_per_minute: default_per_user_per_minute(),
        }
    }
}

impl SelfEnrollSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.domains.is_empty() || self.domains.iter().any(|d| d.trim().is_empty()) {
            return Err(ConfigError::new(
                "self_enroll.domains",
                "name at least one domain, e.g. [\"Default\"]",
            ));
        }
        if !(60..=3600).contains(&self.lifetime.0) {
            return Err(ConfigError::new("self_enroll.lifetime", "choose between \"1m\" and \"1h\""));
        }
        if self.per_user_per_minute == 0 {
            return Err(ConfigError::new("self_enroll.per_user_per_minute", "must be at least 1"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverySettings {
    /// `GET /recover` and `/api/v1/recover`: a lost authenticator replaced with the password and a
    /// recovery code. Off by default (404).
    #[serde(default)]
    pub enabled: bool,
    /// One-time codes made after every enrollment, shown once; 0: none.
    #[serde(default = "default_codes")]
    pub codes: usize,
    /// Wrong recovery codes per user before recovery locks for `lockout`.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_lockout")]
    pub lockout: Seconds,
}

fn default_codes() -> usize {
    10
}

fn default_max_attempts() -> u32 {
    5
}

fn default_lockout() -> Seconds {
    Seconds(3600)
}

impl Default for RecoverySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            codes: default_codes(),
            max_attempts: default_max_attempts(),
            lockout: default_lockout(),
        }
    }
}

impl RecoverySettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.codes > 20 {
            return Err(ConfigError::new("recovery.codes", "choose 0 (none) to 20"));
        }
        if self.enabled && self.codes == 0 {
            return Err(ConfigError::new(
                "recovery.codes",
                "recovery needs codes: choose 1 to 20, or recovery.enabled = false",
            ));
        }
        if !(1..=20).contains(&self.max_attempts) {
            return Err(ConfigError::new("recovery.max_attempts", "choose 1 to 20"));
        }
        if !(60..=86_400).contains(&self.lockout.0) {
            return Err(ConfigError::new("recovery.lockout", "choose between \"1m\" and \"24h\""));
        }
        Ok(())
    }
}
