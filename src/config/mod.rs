//! Settings: the TOML file, `SETPASS_<SECTION>__<KEY>` overrides, defaults and validation.
mod cli;
mod duration;
mod key;
mod load;
mod notify;
mod secret_file;
mod self_service;
mod validate;

pub use cli::CliSettings;
pub use duration::{Millis, Seconds};
pub use key::{check_key, load_or_create_key};
pub use load::ConfigError;
pub use notify::{EmailSettings, ResetSettings, SmtpTls, WebhookSettings};
pub use secret_file::read_secret;
pub use self_service::{RecoverySettings, SelfEnrollSettings};

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub keystone: KeystoneSettings,
    #[serde(default)]
    pub onboarding: OnboardingSettings,
    #[serde(default)]
    pub totp: TotpSettings,
    #[serde(default)]
    pub limits: LimitSettings,
    #[serde(default)]
    pub metrics: MetricsSettings,
    #[serde(default)]
    pub argon2: Argon2Settings,
    #[serde(default)]
    pub secrets: SecretsSettings,
    #[serde(default)]
    pub email: EmailSettings,
    #[serde(default)]
    pub webhook: WebhookSettings,
    #[serde(default)]
    pub reset: ResetSettings,
    #[serde(default)]
    pub self_enroll: SelfEnrollSettings,
    #[serde(default)]
    pub recovery: RecoverySettings,
    #[serde(default)]
    pub cli: CliSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: SocketAddr,
    pub public_url: String,
    /// HTTP worker threads; 0 means one per core.
    #[serde(default)]
    pub workers: usize,
    #[serde(default = "defaults::shutdown_timeout")]
    pub shutdown_timeout: Seconds,
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// The SQLite file (one process). Empty: not set.
    #[serde(default)]
    pub path: PathBuf,
    /// A shared MariaDB/MySQL database, `mysql://user:password@host:3306/setpass` (replicas).
    #[serde(default, deserialize_with = "load::optional_text")]
    pub url: Option<String>,
    /// A file holding that URL (it holds a password).
    pub url_file: Option<PathBuf>,
    #[serde(default = "defaults::pool_size")]
    pub pool_size: u32,
    /// How long an expired record is kept (visible to the admin) before it is purged.
    #[serde(default = "defaults::retention")]
    pub retention: Seconds,
    #[serde(default = "defaults::purge_interval")]
    pub purge_interval: Seconds,
}

/// The URL holds the database password: `Debug` says only whether it is set.
impl std::fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("path", &self.path)
            .field("url", &self.url.as_ref().map(|_| "[redacted]"))
            .field("url_file", &self.url_file)
            .field("pool_size", &self.pool_size)
            .finish_non_exhaustive()
    }
}

/// Where the records live.
pub enum Backend {
    Sqlite(PathBuf),
    /// The URL (it holds the database password).
    MariaDb(zeroize::Zeroizing<String>),
}

impl DatabaseSettings {
    /// The one backend the settings name; both or neither is a configuration error.
    pub fn backend(&self) -> Result<Backend, ConfigError> {
        let url =
            read_secret("database.url", self.url.as_deref(), "database.url_file", self.url_file.as_deref())?;
        let has_path = !self.path.as_os_str().is_empty();
        match (url, has_path) {
            (Some(_), true) => Err(ConfigError::new(
                "database.url",
                "set either database.path (one process, SQLite) or database.url (a shared MariaDB), not both",
            )),
            (Some(url), false) => Ok(Backend::MariaDb(url)),
            (None, true) => Ok(Backend::Sqlite(self.path.clone())),
            (None, false) => Err(ConfigError::new(
                "database.path",
                "is missing: set database.path (SQLite) or database.url (MariaDB)",
            )),
        }
    }

    /// A database other processes share: leases lapse by time only, and the key must be given.
    pub fn is_shared(&self) -> bool {
        self.url.is_some() || self.url_file.is_some()
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeystoneSettings {
    pub auth_url: String,
    #[serde(default = "defaults::keystone_timeout")]
    pub timeout: Seconds,
    #[serde(default = "defaults::admin_role", deserialize_with = "load::text")]
    pub admin_role: String,
    #[serde(default = "defaults::admin_project", deserialize_with = "load::text")]
    pub admin_project: String,
    /// Matched against the admin project's domain id or name.
    #[serde(default = "defaults::admin_project_domain", deserialize_with = "load::text")]
    pub admin_project_domain: String,
    /// How long a positive admin-token check is reused (at most 60 s, never past the token's expiry).
    #[serde(default = "defaults::validation_cache")]
    pub validation_cache: Seconds,
    /// An application credential with the admin role, for re-enrolling users whose MFA rules
    /// are already on and for `enforce_mfa`. Optional.
    #[serde(default, deserialize_with = "load::optional_text")]
    pub service_credential_id: Option<String>,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub service_credential_secret: Option<String>,
    pub service_credential_secret_file: Option<PathBuf>,
    /// Or a service user with the admin role on `admin_project`, by name and password: unlike an
    /// application credential's, its token may create a user's TOTP credential (self-enrollment
    /// and recovery of users whose MFA rules want TOTP).
    #[serde(default, deserialize_with = "load::optional_text")]
    pub service_user_name: Option<String>,
    #[serde(default = "defaults::service_user_domain", deserialize_with = "load::text")]
    pub service_user_domain: String,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub service_user_password: Option<String>,
    pub service_user_password_file: Option<PathBuf>,
    /// After enrollment, turn on the user's MFA rules (needs the service credential).
    #[serde(default)]
    pub enforce_mfa: bool,
    #[serde(default = "defaults::mfa_rules")]
    pub mfa_rules: Vec<Vec<String>>,
    /// PEM bundle of CAs trusted for Keystone's TLS, in addition to the public roots.
    pub cafile: Option<PathBuf>,
    /// Client certificate and its key (PEM), for a Keystone endpoint that asks for one.
    pub certfile: Option<PathBuf>,
    pub keyfile: Option<PathBuf>,
    /// Roles that make a domain-scoped token an admin of its own domain's users. `[]`: off.
    #[serde(default = "defaults::domain_admin_roles")]
    pub domain_admin_roles: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardingSettings {
    #[serde(default = "defaults::link_lifetime")]
    pub link_lifetime: Seconds,
    #[serde(default = "defaults::max_pin_attempts")]
    pub max_pin_attempts: u32,
    #[serde(default = "defaults::pin_digits")]
    pub pin_min_digits: usize,
    #[serde(default = "defaults::pin_digits")]
    pub pin_max_digits: usize,
    /// Checked before Keystone's own password rules.
    #[serde(default = "defaults::min_password_length")]
    pub min_password_length: usize,
    /// Shown on every page, and the default TOTP issuer.
    #[serde(default = "defaults::cloud_name", deserialize_with = "load::text")]
    pub cloud_name: String,
    /// Linked from the success page. Optional.
    pub dashboard_url: Option<String>,
    /// The language of a link whose PUT named none, for a browser that asks for none we speak.
    #[serde(default = "defaults::default_locale")]
    pub default_locale: crate::domain::Locale,
    /// Longer passwords are refused: Keystone's bcrypt uses only the first 72 bytes. 0: no limit.
    #[serde(default = "defaults::max_password_bytes")]
    pub max_password_bytes: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpSettings {
    /// Off for clouds without Keystone's `totp` auth method: the flow ends after the password.
    #[serde(default = "defaults::yes")]
    pub enabled: bool,
    /// The name authenticator apps show; defaults to `onboarding.cloud_name`.
    #[serde(default, deserialize_with = "load::optional_text")]
    pub issuer: Option<String>,
    /// Keystone's `[totp] included_previous_windows`.
    #[serde(default = "defaults::previous_windows")]
    pub previous_windows: u32,
    /// Wrong codes before the link locks.
    #[serde(default = "defaults::totp_max_attempts")]
    pub max_attempts: u32,
}

impl Default for TotpSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            issuer: None,
            previous_windows: defaults::previous_windows(),
            max_attempts: defaults::totp_max_attempts(),
        }
    }
}

/// Where `GET /metrics` (Prometheus text format) is served.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    #[serde(default)]
    pub serve: MetricsServe,
    /// With `serve = "separate"`: the address of the metrics listener.
    pub listen: Option<SocketAddr>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricsServe {
    /// On the main listener, beside the user's pages.
    #[default]
    Main,
    /// On `metrics.listen` only (keep it off the public network).
    Separate,
    Off,
}

/// Request limits that keep one client from exhausting the service.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Requests per minute per client address on the user's pages and `/api/v1/*`.
    #[serde(default = "defaults::user_per_minute")]
    pub user_per_minute: u32,
    #[serde(default = "defaults::user_burst")]
    pub user_burst: u32,
    /// Requests per minute per client address on the admin API (`/token/*`).
    #[serde(default = "defaults::admin_per_minute")]
    pub admin_per_minute: u32,
    #[serde(default = "defaults::admin_burst")]
    pub admin_burst: u32,
    /// Peers whose `X-Forwarded-For` is believed (your reverse proxies). Empty: none.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// How long a client may take to send its request head.
    #[serde(default = "defaults::client_request_timeout")]
    pub client_request_timeout: Seconds,
    /// Longer request URIs are refused with 414.
    #[serde(default = "defaults::max_uri_length")]
    pub max_uri_length: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            user_per_minute: defaults::user_per_minute(),
            user_burst: defaults::user_burst(),
            admin_per_minute: defaults::admin_per_minute(),
            admin_burst: defaults::admin_burst(),
            trusted_proxies: Vec::new(),
            client_request_timeout: defaults::client_request_timeout(),
            max_uri_length: defaults::max_uri_length(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Argon2Settings {
    #[serde(default = "defaults::argon2_memory_kib")]
    pub memory_kib: u32,
    #[serde(default = "defaults::argon2_iterations")]
    pub iterations: u32,
    #[serde(default = "defaults::argon2_parallelism")]
    pub parallelism: u32,
    /// Hashes computed at once; 0 means one per core. Bounds memory under a burst.
    #[serde(default)]
    pub max_concurrent: usize,
}

#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsSettings {
    /// Base64 of 32 random bytes. Prefer `key_file`.
    #[serde(default, deserialize_with = "load::optional_text")]
    pub key: Option<String>,
    pub key_file: Option<PathBuf>,
}

impl std::fmt::Debug for KeystoneSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeystoneSettings")
            .field("auth_url", &self.auth_url)
            .field("timeout", &self.timeout)
            .field("admin_role", &self.admin_role)
            .field("admin_project", &self.admin_project)
            .field("admin_project_domain", &self.admin_project_domain)
            .field("service_credential_id", &self.service_credential_id)
            .field(
                "service_credential_secret",
                &self.service_credential_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("service_user_name", &self.service_user_name)
            .field("service_user_domain", &self.service_user_domain)
            .field("service_user_password", &self.service_user_password.as_ref().map(|_| "[redacted]"))
            .field("enforce_mfa", &self.enforce_mfa)
            .field("cafile", &self.cafile)
            .field("certfile", &self.certfile)
            .field("keyfile", &self.keyfile)
            .field("domain_admin_roles", &self.domain_admin_roles)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for SecretsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretsSettings")
            .field("key", &self.key.as_ref().map(|_| "[redacted]"))
            .field("key_file", &self.key_file)
            .finish()
    }
}

impl Default for OnboardingSettings {
    fn default() -> Self {
        Self {
            link_lifetime: defaults::link_lifetime(),
            max_pin_attempts: defaults::max_pin_attempts(),
            pin_min_digits: defaults::pin_digits(),
            pin_max_digits: defaults::pin_digits(),
            min_password_length: defaults::min_password_length(),
            cloud_name: defaults::cloud_name(),
            dashboard_url: None,
            default_locale: defaults::default_locale(),
            max_password_bytes: defaults::max_password_bytes(),
        }
    }
}

impl Argon2Settings {
    /// The hash's cost, as the hasher takes it.
    pub fn params(&self) -> crate::crypto::pin_hasher::Argon2Params {
        crate::crypto::pin_hasher::Argon2Params {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
        }
    }
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: defaults::argon2_memory_kib(),
            iterations: defaults::argon2_iterations(),
            parallelism: defaults::argon2_parallelism(),
            max_concurrent: 0,
        }
    }
}

impl Settings {
    /// Settings for tests and tools: the given essentials, every other key at its default.
    pub fn with_defaults(listen: SocketAddr, public_url: &str, db: PathBuf, auth_url: &str) -> Self {
        Self {
            server: ServerSettings {
                listen,
                public_url: public_url.trim_end_matches('/').to_owned(),
                workers: 0,
                shutdown_timeout: defaults::shutdown_timeout(),
            },
            database: DatabaseSettings {
                path: db,
                url: None,
                url_file: None,
                pool_size: defaults::pool_size(),
                retention: defaults::retention(),
                purge_interval: defaults::purge_interval(),
            },
            keystone: KeystoneSettings {
                auth_url: auth_url.trim_end_matches('/').to_owned(),
                timeout: defaults::keystone_timeout(),
                admin_role: defaults::admin_role(),
                admin_project: defaults::admin_project(),
                admin_project_domain: defaults::admin_project_domain(),
                validation_cache: defaults::validation_cache(),
                service_credential_id: None,
                service_credential_secret: None,
                service_credential_secret_file: None,
                service_user_name: None,
                service_user_domain: defaults::service_user_domain(),
                service_user_password: None,
                service_user_password_file: None,
                enforce_mfa: false,
                mfa_rules: defaults::mfa_rules(),
                cafile: None,
                certfile: None,
                keyfile: None,
                domain_admin_roles: defaults::domain_admin_roles(),
            },
            onboarding: OnboardingSettings::default(),
            totp: TotpSettings::default(),
            limits: LimitSettings::default(),
            metrics: MetricsSettings::default(),
            argon2: Argon2Settings::default(),
            secrets: SecretsSettings::default(),
            email: EmailSettings::default(),
            webhook: WebhookSettings::default(),
            reset: ResetSettings::default(),
            self_enroll: SelfEnrollSettings::default(),
            recovery: RecoverySettings::default(),
            cli: CliSettings::default(),
        }
    }

    pub fn workers(&self) -> usize {
        non_zero_or_cores(self.server.workers)
    }

    pub fn totp_issuer(&self) -> &str {
        self.totp.issuer.as_deref().unwrap_or(&self.onboarding.cloud_name)
    }

    pub fn argon2_concurrency(&self) -> usize {
        non_zero_or_cores(self.argon2.max_concurrent)
    }
}

fn non_zero_or_cores(n: usize) -> usize {
    if n > 0 {
        n
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    }
}

mod defaults {
    use super::Seconds;

    pub fn shutdown_timeout() -> Seconds {
        Seconds(30)
    }
    pub fn pool_size() -> u32 {
        8
    }
    pub fn retention() -> Seconds {
        Seconds(7 * 86_400)
    }
    pub fn purge_interval() -> Seconds {
        Seconds(600)
    }
    pub fn keystone_timeout() -> Seconds {
        Seconds(10)
    }
    pub fn admin_role() -> String {
        "admin".into()
    }
    pub fn admin_project() -> String {
        "admin".into()
    }
    pub fn admin_project_domain() -> String {
        "default".into()
    }
    pub fn service_user_domain() -> String {
        "Default".into()
    }
    pub fn validation_cache() -> Seconds {
        Seconds(60)
    }
    pub fn link_lifetime() -> Seconds {
        Seconds(86_400)
    }
    pub fn max_pin_attempts() -> u32 {
        3
    }
    pub fn pin_digits() -> usize {
        4
    }
    pub fn domain_admin_roles() -> Vec<String> {
        vec!["admin".into(), "manager".into()]
    }
    /// The seed's: the web with the password and a code, the command line (and automation) with
    /// an application credential.
    pub fn mfa_rules() -> Vec<Vec<String>> {
        vec![vec!["password".into(), "totp".into()], vec!["application_credential".into()]]
    }
    pub fn min_password_length() -> usize {
        8
    }
    pub fn default_locale() -> crate::domain::Locale {
        crate::domain::Locale::En
    }
    pub fn max_password_bytes() -> usize {
        72
    }
    pub fn cloud_name() -> String {
        "OpenStack".into()
    }
    pub fn yes() -> bool {
        true
    }
    pub fn previous_windows() -> u32 {
        1
    }
    pub fn totp_max_attempts() -> u32 {
        10
    }
    pub fn user_per_minute() -> u32 {
        30
    }
    pub fn user_burst() -> u32 {
        10
    }
    pub fn admin_per_minute() -> u32 {
        600
    }
    pub fn admin_burst() -> u32 {
        100
    }
    pub fn client_request_timeout() -> Seconds {
        Seconds(10)
    }
    pub fn max_uri_length() -> usize {
        2048
    }
    pub fn argon2_memory_kib() -> u32 {
        19_456
    }
    pub fn argon2_iterations() -> u32 {
        2
    }
    pub fn argon2_parallelism() -> u32 {
        1
    }
}

#[cfg(test)]
mod tests;
