//! The optional `[email]`, `[webhook]` and `[reset]` sections: settings, defaults, checks.
use super::{load, ConfigError, Millis, Seconds};
use serde::Deserialize;
use std::path::PathBuf;
use std::str::FromStr;

/// Mailing the one-time link (and the helpdesk's reset requests) over SMTP.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub host: Option<String>,
    /// 0 means the usual port for `tls`: 587, 465 or 25.
    #[serde(default)]
    pub port: u16,
    #[serde(default)]
    pub tls: SmtpTls,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub from: Option<String>,
    /// The English subject; `None`: the built-in one. Other languages: `locales`.
    #[serde(default, deserialize_with = "load::optional_text")]
    pub subject: Option<String>,
    /// Without an `email` in the PUT body, mail the Keystone user's `email` attribute.
    #[serde(default)]
    pub lookup_keystone: bool,
    /// Replace the built-in English message templates.
    pub text_template: Option<PathBuf>,
    pub html_template: Option<PathBuf>,
    /// The same three for another language, by its tag: `[email.locales.ko]`.
    #[serde(default)]
    pub locales: std::collections::BTreeMap<String, LocaleMail>,
    /// `None`: "your administrator", in the mail's language.
    #[serde(default, deserialize_with = "load::optional_text")]
    pub support_contact: Option<String>,
    #[serde(default = "defaults::timeout")]
    pub timeout: Seconds,
    /// One reminder this long before a mailed link expires, while it is unfinished; `None`: none.
    #[serde(default)]
    pub remind_before: Option<Seconds>,
}

/// One language's link mail; what is not set is the built-in one of that language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocaleMail {
    #[serde(default, deserialize_with = "load::optional_text")]
    pub subject: Option<String>,
    pub text_template: Option<PathBuf>,
    pub html_template: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587); refuses a server without it.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Implicit,
    /// No TLS at all: only for a mail server on the loopback interface.
    None,
}

/// Events (completed, locked, expired) POSTed to a registration system.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    #[serde(default, deserialize_with = "load::optional_text")]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub secret: Option<String>,
    pub secret_file: Option<PathBuf>,
    /// Further tries after a failed delivery, `retry_base`, twice that, four times ... apart.
    #[serde(default = "defaults::retries")]
    pub retries: u32,
    /// The wait before the first retry; each further one waits twice as long.
    #[serde(default = "defaults::retry_base")]
    pub retry_base: Millis,
    #[serde(default = "defaults::timeout")]
    pub timeout: Seconds,
}

/// The "forgot my password" page at `/reset`, which mails the helpdesk.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetSettings {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default, deserialize_with = "load::optional_text")]
    pub helpdesk: Option<String>,
    #[serde(default = "defaults::reset_subject", deserialize_with = "load::text")]
    pub subject: String,
    pub template: Option<PathBuf>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            host: None,
            port: 0,
            tls: SmtpTls::default(),
            username: None,
            password: None,
            password_file: None,
            from: None,
            subject: None,
            lookup_keystone: false,
            text_template: None,
            html_template: None,
            locales: Default::default(),
            support_contact: None,
            timeout: defaults::timeout(),
            remind_before: None,
        }
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            url: None,
            secret: None,
            secret_file: None,
            retries: defaults::retries(),
            retry_base: defaults::retry_base(),
            timeout: defaults::timeout(),
        }
    }
}

impl Default for ResetSettings {
    fn default() -> Self {
        Self { enabled: false, helpdesk: None, subject: defaults::reset_subject(), template: None }
    }
}

impl EmailSettings {
    /// The port to connect to: the configured one, or the usual one for the TLS mode.
    pub fn port(&self) -> u16 {
        match (self.port, self.tls) {
            (0, SmtpTls::Starttls) => 587,
            (0, SmtpTls::Implicit) => 465,
            (0, SmtpTls::None) => 25,
            (port, _) => port,
        }
    }
}

impl std::fmt::Debug for EmailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSettings")
            .field("enabled", &self.enabled)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("password_file", &self.password_file)
            .field("from", &self.from)
            .field("lookup_keystone", &self.lookup_keystone)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url)
            .field("secret", &self.secret.as_ref().map(|_| "[redacted]"))
            .field("secret_file", &self.secret_file)
            .field("retries", &self.retries)
            .field("retry_base", &self.retry_base)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Checks of the three sections.
pub(super) fn validate(
    email: &EmailSettings,
    webhook: &WebhookSettings,
    reset: &ResetSettings,
) -> Result<(), ConfigError> {
    if email.enabled {
        validate_email(email)?;
    }
    validate_webhook(webhook)?;
    if reset.enabled {
        if !email.enabled {
            return Err(ConfigError::new(
                "reset.enabled",
                "the reset form mails the helpdesk: set up [email] first",
            ));
        }
        let helpdesk = reset.helpdesk.as_deref().ok_or_else(|| {
            ConfigError::new("reset.helpdesk", "is missing: the address reset requests are mailed to")
        })?;
        mailbox("reset.helpdesk", helpdesk)?;
    }
    Ok(())
}

fn validate_email(email: &EmailSettings) -> Result<(), ConfigError> {
    let host = email.host.as_deref().unwrap_or("").trim();
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err(ConfigError::new(
            "email.host",
            "give the mail server's host name or address, e.g. \"smtp.example.com\"",
        ));
    }
    if email.tls == SmtpTls::None && !is_loopback(host) {
        return Err(ConfigError::new(
            "email.tls",
            "\"none\" sends mail (and any password) in the clear: it is allowed only for a server on 127.0.0.1, ::1 or localhost; use \"starttls\" or \"implicit\"",
        ));
    }
    let from = email.from.as_deref().ok_or_else(|| {
        ConfigError::new("email.from", "is missing: the sender, e.g. \"Example Cloud <noreply@example.com>\"")
    })?;
    mailbox("email.from", from)?;
    if email.password.is_some() && email.password_file.is_some() {
        return Err(ConfigError::new("email.password", "set either the password or password_file, not both"));
    }
    let has_password = email.password.is_some() || email.password_file.is_some();
    if email.username.is_some() != has_password {
        return Err(ConfigError::new(
            "email.username",
            "set the SMTP username together with password (or password_file), or neither",
        ));
    }
    if let Some(tag) = email.locales.keys().find(|tag| crate::domain::Locale::parse(tag).is_none()) {
        return Err(ConfigError::new(
            format!("email.locales.{tag}"),
            format!("is not a language setpass speaks; it speaks {}", crate::domain::Locale::supported()),
        ));
    }
    if email.subject.as_deref().is_some_and(|s| s.trim().is_empty()) {
        return Err(ConfigError::new("email.subject", "must not be empty"));
    }
    if !(1..=300).contains(&email.timeout.0) {
        return Err(ConfigError::new("email.timeout", "choose between \"1s\" and \"300s\""));
    }
    Ok(())
}

fn validate_webhook(webhook: &WebhookSettings) -> Result<(), ConfigError> {
    if let Some(url) = &webhook.url {
        // Kept exactly as written (a receiver may care about a trailing slash).
        let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        if host
            .is_none_or(|rest| rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace))
        {
            return Err(ConfigError::new(
                "webhook.url",
                format!("`{url}` is not an http:// or https:// URL with a host"),
            ));
        }
    }
    let has_secret = webhook.secret.is_some() || webhook.secret_file.is_some();
    if webhook.url.is_some() != has_secret {
        return Err(ConfigError::new(
            "webhook.secret",
            "set webhook.url together with secret (or secret_file), which signs each event",
        ));
    }
    if webhook.secret.is_some() && webhook.secret_file.is_some() {
        return Err(ConfigError::new("webhook.secret", "set either the secret or secret_file, not both"));
    }
    if webhook.secret.as_deref().is_some_and(|s| s.trim().chars().count() < 16) {
        return Err(ConfigError::new(
            "webhook.secret",
            "use at least 16 characters, e.g. from `head -c 32 /dev/urandom | base64`",
        ));
    }
    if webhook.retries > 10 {
        return Err(ConfigError::new("webhook.retries", "choose a number from 0 to 10"));
    }
    if !(10..=60_000).contains(&webhook.retry_base.0) {
        return Err(ConfigError::new("webhook.retry_base", "choose between \"10ms\" and \"60s\""));
    }
    if !(1..=300).contains(&webhook.timeout.0) {
        return Err(ConfigError::new("webhook.timeout", "choose between \"1s\" and \"300s\""));
    }
    Ok(())
}

fn mailbox(key: &str, value: &str) -> Result<(), ConfigError> {
    lettre::message::Mailbox::from_str(value.trim()).map(|_| ()).map_err(|_| {
        ConfigError::new(
            key,
            format!("`{value}` is not an email address; write e.g. \"Example Cloud <noreply@example.com>\""),
        )
    })
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

mod defaults {
    use super::{Millis, Seconds};

    pub fn timeout() -> Seconds {
        Seconds(10)
    }
    pub fn retries() -> u32 {
        3
    }
    pub fn retry_base() -> Millis {
        Millis(1_000)
    }
    pub fn reset_subject() -> String {
        "Password reset request from {{name}}".into()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::config::Settings;

    /// The defaults `config.toml.example` documents for these sections.
    pub fn assert_defaults(settings: &Settings) {
        let email = &settings.email;
        assert!(!email.enabled && email.host.is_none() && email.from.is_none());
        assert_eq!((email.port, email.tls, email.port()), (0, SmtpTls::Starttls, 587));
        assert!(email.username.is_none() && email.password.is_none() && email.password_file.is_none());
        assert!(email.subject.is_none() && email.locales.is_empty());
        assert!(!email.lookup_keystone && email.text_template.is_none() && email.html_template.is_none());
        assert_eq!((&email.support_contact, email.timeout), (&None, Seconds(10)));
        let webhook = &settings.webhook;
        assert!(webhook.url.is_none() && webhook.secret.is_none() && webhook.secret_file.is_none());
        assert_eq!((webhook.retries, webhook.retry_base, webhook.timeout), (3, Millis(1_000), Seconds(10)));
        let reset = &settings.reset;
        assert!(!reset.enabled && reset.helpdesk.is_none() && reset.template.is_none());
        assert_eq!(reset.subject, "Password reset request from {{name}}");
    }

    fn email() -> EmailSettings {
        EmailSettings {
            enabled: true,
            host: Some("smtp.example.com".into()),
            from: Some("Cloud <noreply@example.com>".into()),
            ..EmailSettings::default()
        }
    }

    fn check(
        email: &EmailSettings,
        webhook: &WebhookSettings,
        reset: &ResetSettings,
    ) -> Result<(), ConfigError> {
        validate(email, webhook, reset)
    }

    #[test]
    fn a_complete_email_section_passes() {
        check(&email(), &WebhookSettings::default(), &ResetSettings::default()).unwrap();
    }

    #[test]
    fn email_mistakes_name_their_key() {
        type Change = fn(&mut EmailSettings);
        let cases: [(Change, &str); 5] = [
            (|e| e.host = None, "email.host"),
            (|e| e.from = Some("not an address".into()), "email.from"),
            (|e| e.tls = SmtpTls::None, "email.tls"),
            (|e| e.username = Some("mailer".into()), "email.username"),
            (|e| e.timeout = Seconds(0), "email.timeout"),
        ];
        for (change, key) in cases {
            let mut settings = email();
            change(&mut settings);
            let err = check(&settings, &WebhookSettings::default(), &ResetSettings::default()).unwrap_err();
            assert_eq!(err.key, key);
        }
    }

    #[test]
    fn plain_smtp_is_allowed_on_loopback_only() {
        for host in ["127.0.0.1", "localhost", "[::1]", "::1"] {
            let settings = EmailSettings { tls: SmtpTls::None, host: Some(host.into()), ..email() };
            check(&settings, &WebhookSettings::default(), &ResetSettings::default()).unwrap();
        }
    }

    #[test]
    fn a_webhook_needs_a_long_enough_secret() {
        let mut webhook =
            WebhookSettings { url: Some("https://reg.example.com/hook".into()), ..Default::default() };
        let none = EmailSettings::default();
        assert_eq!(check(&none, &webhook, &ResetSettings::default()).unwrap_err().key, "webhook.secret");
        webhook.secret = Some("short".into());
        assert_eq!(check(&none, &webhook, &ResetSettings::default()).unwrap_err().key, "webhook.secret");
        webhook.secret = Some("a-long-enough-webhook-secret".into());
        check(&none, &webhook, &ResetSettings::default()).unwrap();
        webhook.url = Some("ftp://reg.example.com/hook".into());
        assert_eq!(check(&none, &webhook, &ResetSettings::default()).unwrap_err().key, "webhook.url");
    }

    #[test]
    fn a_retry_base_is_between_10_ms_and_a_minute() {
        let (email, reset) = (EmailSettings::default(), ResetSettings::default());
        for (base, ok) in [(5, false), (10, true), (100, true), (60_000, true), (60_001, false)] {
            let webhook = WebhookSettings { retry_base: Millis(base), ..Default::default() };
            match check(&email, &webhook, &reset) {
                Ok(()) => assert!(ok, "{base} ms was taken"),
                Err(err) => assert_eq!((ok, err.key.as_str()), (false, "webhook.retry_base"), "{base} ms"),
            }
        }
    }

    #[test]
    fn the_reset_form_needs_email_and_a_helpdesk() {
        let reset = ResetSettings { enabled: true, ..Default::default() };
        let err = check(&EmailSettings::default(), &WebhookSettings::default(), &reset).unwrap_err();
        assert_eq!(err.key, "reset.enabled");
        let err = check(&email(), &WebhookSettings::default(), &reset).unwrap_err();
        assert_eq!(err.key, "reset.helpdesk");
    }

    #[test]
    fn secrets_are_redacted_from_debug_output() {
        let settings = EmailSettings { password: Some("smtp-pass-123".into()), ..email() };
        let webhook = WebhookSettings { secret: Some("hook-secret-456".into()), ..Default::default() };
        let text = format!("{settings:?} {webhook:?}");
        assert!(!text.contains("smtp-pass-123") && !text.contains("hook-secret-456"), "{text}");
        assert!(text.contains("[redacted]"));
    }
}
