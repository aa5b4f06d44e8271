//! Bounds and shape checks that serde cannot express; each failure names its key.
use super::{ConfigError, Seconds, Settings};

const MIN_LIFETIME: Seconds = Seconds(5 * 60);
const MAX_LIFETIME: Seconds = Seconds(30 * 86_400);

impl Settings {
    pub(super) fn validate(mut self) -> Result<Self, ConfigError> {
        self.server.public_url = http_url("server.public_url", &self.server.public_url)?;
        self.keystone.auth_url = http_url("keystone.auth_url", &self.keystone.auth_url)?;
        if self.server.public_url.contains(['?', '#']) {
            return Err(ConfigError::new(
                "server.public_url",
                "must not contain `?` or `#`; give the base URL only",
            ));
        }
        let lifetime = self.onboarding.link_lifetime;
        if lifetime < MIN_LIFETIME || lifetime > MAX_LIFETIME {
            return Err(ConfigError::new(
                "onboarding.link_lifetime",
                format!("{lifetime} is out of bounds; choose between \"5m\" and \"30d\""),
            ));
        }
        if !(1..=10).contains(&self.onboarding.max_pin_attempts) {
            return Err(ConfigError::new("onboarding.max_pin_attempts", "choose a number from 1 to 10"));
        }
        for (key, digits) in [
            ("onboarding.pin_min_digits", self.onboarding.pin_min_digits),
            ("onboarding.pin_max_digits", self.onboarding.pin_max_digits),
        ] {
            if !(4..=8).contains(&digits) {
                return Err(ConfigError::new(key, "a PIN has 4 to 8 digits; choose a number from 4 to 8"));
            }
        }
        if self.onboarding.pin_min_digits > self.onboarding.pin_max_digits {
            return Err(ConfigError::new(
                "onboarding.pin_min_digits",
                "is larger than onboarding.pin_max_digits; make min <= max",
            ));
        }
        argon2::Params::new(self.argon2.memory_kib, self.argon2.iterations, self.argon2.parallelism, None)
            .map_err(|err| ConfigError::new("argon2", format!("invalid parameters ({err}); the defaults are memory_kib = 19456, iterations = 2, parallelism = 1")))?;
        if self.keystone.timeout.0 == 0 || self.keystone.timeout.0 > 300 {
            return Err(ConfigError::new("keystone.timeout", "choose between \"1s\" and \"300s\""));
        }
        if self.keystone.validation_cache.0 > 60 {
            return Err(ConfigError::new(
                "keystone.validation_cache",
                "at most \"60s\" (0 turns caching off)",
            ));
        }
        for (key, value) in [
            ("keystone.admin_role", &self.keystone.admin_role),
            ("keystone.admin_project", &self.keystone.admin_project),
            ("keystone.admin_project_domain", &self.keystone.admin_project_domain),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::new(key, "must not be empty"));
            }
        }
        if self.database.pool_size == 0 || self.database.pool_size > 64 {
            return Err(ConfigError::new("database.pool_size", "choose a number from 1 to 64"));
        }
        if self.database.purge_interval.0 == 0 {
            return Err(ConfigError::new("database.purge_interval", "must be at least \"1s\""));
        }
        if self.secrets.key.is_some() && self.secrets.key_file.is_some() {
            return Err(ConfigError::new("secrets", "set either `key` or `key_file`, not both"));
        }
        if !(1..=128).contains(&self.onboarding.min_password_length) {
            return Err(ConfigError::new("onboarding.min_password_length", "choose a number from 1 to 128"));
        }
        if let Some(url) = &self.onboarding.dashboard_url {
            self.onboarding.dashboard_url = Some(http_url("onboarding.dashboard_url", url)?);
        }
        if self.onboarding.cloud_name.trim().is_empty() {
            return Err(ConfigError::new("onboarding.cloud_name", "must not be empty"));
        }
        if self.totp.previous_windows > 10 {
            return Err(ConfigError::new(
                "totp.previous_windows",
                "choose a number from 0 to 10 (Keystone's default is 1)",
            ));
        }
        if !(1..=100).contains(&self.totp.max_attempts) {
            return Err(ConfigError::new("totp.max_attempts", "choose a number from 1 to 100"));
        }
        if self.totp.issuer.as_deref().is_some_and(|i| i.trim().is_empty() || i.contains(':')) {
            return Err(ConfigError::new("totp.issuer", "must not be empty or contain `:`"));
        }
        let has_secret = self.keystone.service_credential_secret.is_some()
            || self.keystone.service_credential_secret_file.is_some();
        if self.keystone.service_credential_id.is_some() != has_secret {
            return Err(ConfigError::new(
                "keystone.service_credential_id",
                "set the application credential id together with service_credential_secret (or _secret_file)",
            ));
        }
        if self.keystone.service_credential_secret.is_some()
            && self.keystone.service_credential_secret_file.is_some()
        {
            return Err(ConfigError::new(
                "keystone.service_credential_secret",
                "set either the secret or the secret file, not both",
            ));
        }
        let has_password = self.keystone.service_user_password.is_some()
            || self.keystone.service_user_password_file.is_some();
        if self.keystone.service_user_name.is_some() != has_password {
            return Err(ConfigError::new(
                "keystone.service_user_name",
                "set the service user's name together with service_user_password (or _password_file)",
            ));
        }
        if self.keystone.service_user_name.is_some() && self.keystone.service_credential_id.is_some() {
            return Err(ConfigError::new(
                "keystone.service_user_name",
                "set either the service user or the service credential (service_credential_id), not both",
            ));
        }
        let has_service =
            self.keystone.service_user_name.is_some() || self.keystone.service_credential_id.is_some();
        if self.keystone.enforce_mfa && !has_service {
            return Err(ConfigError::new(
                "keystone.enforce_mfa",
                "needs a service identity: keystone.service_user_name and its password, or keystone.service_credential_id and its secret",
            ));
        }
        if self.keystone.mfa_rules.is_empty() || self.keystone.mfa_rules.iter().any(Vec::is_empty) {
            return Err(ConfigError::new(
                "keystone.mfa_rules",
                "give at least one non-empty rule, e.g. [[\"password\", \"totp\"]]",
            ));
        }
        if self.keystone.certfile.is_some() != self.keystone.keyfile.is_some() {
            return Err(ConfigError::new(
                "keystone.certfile",
                "set keystone.certfile and keystone.keyfile together (a client certificate and its key)",
            ));
        }
        if self.keystone.domain_admin_roles.iter().any(|r| r.trim().is_empty()) {
            return Err(ConfigError::new(
                "keystone.domain_admin_roles",
                "role names must not be empty; [] turns domain admins off",
            ));
        }
        let limits = &self.limits;
        for (key, value) in [
            ("limits.user_per_minute", limits.user_per_minute),
            ("limits.user_burst", limits.user_burst),
            ("limits.admin_per_minute", limits.admin_per_minute),
            ("limits.admin_burst", limits.admin_burst),
        ] {
            if !(1..=1_000_000).contains(&value) {
                return Err(ConfigError::new(key, "choose a number from 1 to 1000000"));
            }
        }
        if !(1..=300).contains(&limits.client_request_timeout.0) {
            return Err(ConfigError::new(
                "limits.client_request_timeout",
                "choose between \"1s\" and \"300s\"",
            ));
        }
        if !(256..=65_536).contains(&limits.max_uri_length) {
            return Err(ConfigError::new("limits.max_uri_length", "choose a number from 256 to 65536"));
        }
        if (self.metrics.serve == super::MetricsServe::Separate) != self.metrics.listen.is_some() {
            return Err(ConfigError::new(
                "metrics.listen",
                "set it exactly when metrics.serve = \"separate\" (e.g. \"127.0.0.1:9090\")",
            ));
        }
        super::notify::validate(&self.email, &self.webhook, &self.reset)?;
        if let Some(before) = self.email.remind_before {
            if before.0 == 0 || before >= self.onboarding.link_lifetime {
                return Err(ConfigError::new(
                    "email.remind_before",
                    format!(
                        "choose a time shorter than the link's lifetime (onboarding.link_lifetime = {} s), e.g. \"24h\" for a 3-day link, or leave it out for no reminders",
                        self.onboarding.link_lifetime.0
                    ),
                ));
            }
            if !self.email.enabled {
                return Err(ConfigError::new(
                    "email.remind_before",
                    "reminders are mailed: set email.enabled = true",
                ));
            }
        }
        self.self_enroll.validate()?;
        self.recovery.validate()?;
        self.cli.validate()?;
        self.check_database_path()?;
        Ok(self)
    }

    fn check_database_path(&self) -> Result<(), ConfigError> {
        let path = match self.database.backend()? {
            super::Backend::Sqlite(path) => path,
            super::Backend::MariaDb(url) => return check_database_url(&url),
        };
        if path.is_dir() {
            return Err(ConfigError::new(
                "database.path",
                format!("{} is a directory; name a file in it", path.display()),
            ));
        }
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        if !parent.is_dir() {
            return Err(ConfigError::new(
                "database.path",
                format!("directory {} does not exist; create it or choose another path", parent.display()),
            ));
        }
        Ok(())
    }
}

/// A `mysql://` URL the driver can read (the message never repeats the URL: it holds a password).
fn check_database_url(url: &str) -> Result<(), ConfigError> {
    if !url.starts_with("mysql://") {
        return Err(ConfigError::new("database.url", "must start with mysql://"));
    }
    mysql::Opts::from_url(url)
        .map(|_| ())
        .map_err(|err| ConfigError::new("database.url", format!("cannot be read: {}", url_error(&err))))
}

/// The driver's complaint about a URL, without the URL.
fn url_error(err: &mysql::UrlError) -> &'static str {
    match err {
        mysql::UrlError::ParseError(_) => "not a URL",
        mysql::UrlError::UnsupportedScheme(_) => "the scheme is not mysql",
        mysql::UrlError::FeatureRequired(..) => "it asks for a feature this build lacks (TLS?)",
        mysql::UrlError::InvalidValue(..) => "a parameter has a value that does not fit",
        mysql::UrlError::UnknownParameter(_) => "an unknown parameter",
        mysql::UrlError::InvalidPoolConstraints { .. } => "the pool limits do not fit",
        mysql::UrlError::BadUrl => "not understood",
    }
}

/// Accepts `http://` and `https://` URLs and drops a trailing slash.
fn http_url(key: &str, value: &str) -> Result<String, ConfigError> {
    let trimmed = value.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| ConfigError::new(key, format!("`{value}` is not an http:// or https:// URL")))?;
    if rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace) {
        return Err(ConfigError::new(
            key,
            format!("`{value}` has no host; write e.g. https://setpass.example.com"),
        ));
    }
    Ok(trimmed.to_owned())
}
