//! `setpass doctor`: checks a deployment the way `keystone-manage doctor` does, one line each
//! (ok / WARN / FAIL, and the fix), without changing anything.
use crate::config::Settings;
use crate::keystone::{ClientOptions, KeystoneClient, ServiceCredential};
use secrecy::ExposeSecret;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug)]
pub struct Check {
    pub outcome: Outcome,
    pub what: String,
    /// What was found, and for a WARN or FAIL, how to fix it.
    pub detail: String,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let label = match self.outcome {
            Outcome::Ok => "ok  ",
            Outcome::Warn => "WARN",
            Outcome::Fail => "FAIL",
        };
        write!(f, "{label}  {}: {}", self.what, self.detail)
    }
}

fn check(outcome: Outcome, what: impl Into<String>, detail: impl Into<String>) -> Check {
    Check { outcome, what: what.into(), detail: detail.into() }
}

/// Every check, in order. The config was valid (it loaded) before this runs.
pub async fn run(settings: &Settings) -> Vec<Check> {
    let mut checks = vec![check(Outcome::Ok, "config", "valid")];
    checks.extend(keystone_checks(settings).await);
    match settings.database.backend() {
        Ok(crate::config::Backend::Sqlite(path)) => checks.extend(database_checks(&path)),
        Ok(crate::config::Backend::MariaDb(url)) => checks.extend(shared_database_checks(settings, &url)),
        Err(err) => checks.push(check(Outcome::Fail, "database", err.to_string())),
    }
    checks.push(key_check(settings));
    if let Some(mail) = mail_check(settings).await {
        checks.push(mail);
    }
    checks.push(public_url_check(&settings.server.public_url));
    if let Some(cli) = cli_rules_check(settings) {
        checks.push(cli);
    }
    checks
}

/// Keystone checks MFA rules for application-credential logins too: with `[cli]` on, the rules
/// enforce_mfa sets must let `["application_credential"]` alone through.
fn cli_rules_check(settings: &Settings) -> Option<Check> {
    if !settings.cli.enabled {
        return None;
    }
    const WHAT: &str = "command-line access and MFA rules";
    let lets_in = |rule: &Vec<String>| rule.iter().all(|method| method == "application_credential");
    Some(if !settings.keystone.enforce_mfa || settings.keystone.mfa_rules.iter().any(lets_in) {
        check(Outcome::Ok, WHAT, "application credentials can log in")
    } else {
        check(
            Outcome::Warn,
            WHAT,
            "keystone.mfa_rules lets no application credential log in once enforced, so the command-line access setpass hands out would not work for enforced users; add the rule [\"application_credential\"]",
        )
    })
}

async fn keystone_checks(settings: &Settings) -> Vec<Check> {
    let url = &settings.keystone.auth_url;
    let what = format!("Keystone at {url}");
    let keystone = match KeystoneClient::new(&ClientOptions::from_settings(&settings.keystone)) {
        Ok(keystone) => keystone,
        Err(err) => return vec![check(Outcome::Fail, what, err.to_string())],
    };
    let version = match keystone.version_id().await {
        Ok(version) => version,
        Err(err) => {
            let fix = if url.starts_with("https") {
                "check the URL, and for a private CA set keystone.cafile (and certfile/keyfile if it asks for a client certificate)"
            } else {
                "check keystone.auth_url and that Keystone is running"
            };
            return vec![check(Outcome::Fail, what, format!("{}; {fix}", crate::cause::chain(&err)))];
        }
    };
    let mut checks = vec![check(Outcome::Ok, what.clone(), "reachable")];
    checks.push(match version.as_deref() {
        Some(id) if id.starts_with("v3") => check(Outcome::Ok, "Identity API version", id),
        other => check(
            Outcome::Fail,
            "Identity API version",
            format!("{url} answers {other:?}, not v3; keystone.auth_url must end in /v3"),
        ),
    });
    if settings.totp.enabled {
        checks.push(match keystone.totp_method_enabled().await {
            Ok(true) => check(Outcome::Ok, "Keystone auth method `totp`", "enabled"),
            Ok(false) => check(
                Outcome::Fail,
                "Keystone auth method `totp`",
                "missing from Keystone's [auth] methods; add it there, or set totp.enabled = false",
            ),
            Err(err) => check(Outcome::Fail, "Keystone auth method `totp`", err.to_string()),
        });
    }
    if let Some(service) = service_check(settings, &keystone).await {
        checks.push(service);
    }
    checks
}

async fn service_check(settings: &Settings, keystone: &KeystoneClient) -> Option<Check> {
    const WHAT: &str = "service credential";
    let service = match ServiceCredential::from_settings(&settings.keystone) {
        Ok(service) => service?,
        Err(err) => return Some(check(Outcome::Fail, WHAT, err.to_string())),
    };
    let token = match service.token(keystone, chrono::Utc::now()).await {
        Ok(token) => token,
        Err(err) => {
            return Some(check(
                Outcome::Fail,
                WHAT,
                format!("{err}; check keystone.service_user_name and its password (or keystone.service_credential_id and its secret), and that the user or application credential still exists"),
            ))
        }
    };
    let role = &settings.keystone.admin_role;
    Some(match keystone.validate_token(token.expose_secret()).await {
        Ok(validated) if validated.scope.roles.iter().any(|r| r == role) => {
            if service.is_application_credential() && (settings.self_enroll.enabled || settings.recovery.enabled) {
                check(
                    Outcome::Warn,
                    WHAT,
                    format!("logs in and has the `{role}` role, but it is an application credential: Keystone refuses its tokens on the credentials API, so users whose MFA rules want TOTP cannot self-enroll or recover; use keystone.service_user_name instead"),
                )
            } else {
                check(Outcome::Ok, WHAT, format!("logs in and has the `{role}` role"))
            }
        }
        Ok(_) => check(
            Outcome::Fail,
            WHAT,
            format!("logs in but lacks the `{role}` role; create it as a user with that role, without restricting roles"),
        ),
        Err(err) => check(Outcome::Fail, WHAT, err.to_string()),
    })
}

fn database_checks(path: &std::path::Path) -> Vec<Check> {
    const WHAT: &str = "database";
    let found = match crate::store::inspect(path) {
        Ok(found) => found,
        Err(err) => {
            return vec![check(Outcome::Fail, WHAT, format!("{} cannot be read: {err}", path.display()))]
        }
    };
    let Some(version) = found.version else {
        return vec![check(
            Outcome::Ok,
            WHAT,
            format!(
                "{} does not exist yet; it is created at first start (its directory must exist)",
                path.display()
            ),
        )];
    };
    let mut checks = vec![schema_check(version, found.latest, "opens")];
    for (file, mode) in found.modes {
        if mode & 0o077 != 0 {
            checks.push(check(
                Outcome::Fail,
                "database file mode",
                format!("{} is {mode:o}: it holds PIN hashes; chmod 600 it", file.display()),
            ));
        }
    }
    checks
}

/// The shared database: reachable, its schema, and the key it was written with.
fn shared_database_checks(settings: &Settings, url: &str) -> Vec<Check> {
    const WHAT: &str = "database";
    let found = match crate::store::inspect_shared(url) {
        Ok(found) => found,
        Err(err) => {
            return vec![check(
                Outcome::Fail,
                WHAT,
                format!("the shared database (database.url) cannot be reached or read: {err}"),
            )]
        }
    };
    let mut checks = vec![schema_check(found.version, found.latest, "the shared database answers")];
    let key = crate::config::load_or_create_key(&settings.secrets, None);
    checks.push(match (key, found.key_check) {
        (Err(err), _) => check(Outcome::Fail, "key check", err.to_string()),
        (Ok(_), None) => {
            check(Outcome::Ok, "key check", "none stored yet: the first start stores this key's")
        }
        (Ok(key), Some(stored)) if stored == crate::crypto::key_check_value(&key) => {
            check(Outcome::Ok, "key check", "the database was written with this key")
        }
        (Ok(_), Some(_)) => check(
            Outcome::Fail,
            "key check",
            "the database was written with another key: use the key the other replicas use",
        ),
    });
    checks
}

fn schema_check(version: i64, latest: i64, opens: &str) -> Check {
    const WHAT: &str = "database";
    match version.cmp(&latest) {
        std::cmp::Ordering::Equal => {
            check(Outcome::Ok, WHAT, format!("{opens}; schema version {version} is current"))
        }
        std::cmp::Ordering::Less => check(
            Outcome::Ok,
            WHAT,
            format!("{opens}; schema version {version} is migrated to {latest} at the next start"),
        ),
        std::cmp::Ordering::Greater => check(
            Outcome::Fail,
            WHAT,
            format!(
                "schema version {version} is newer than this setpass knows ({latest}); run a newer setpass"
            ),
        ),
    }
}

fn key_check(settings: &Settings) -> Check {
    let database = (!settings.database.is_shared()).then_some(settings.database.path.as_path());
    match crate::config::check_key(&settings.secrets, database) {
        Ok(found) => check(Outcome::Ok, "encryption key", found),
        Err(err) => check(Outcome::Fail, "encryption key", err.to_string()),
    }
}

async fn mail_check(settings: &Settings) -> Option<Check> {
    const WHAT: &str = "SMTP server";
    let mailer =
        match crate::notify::Mailer::new(&settings.email, &settings.reset, &settings.onboarding.cloud_name) {
            Ok(mailer) => mailer?,
            Err(err) => return Some(check(Outcome::Fail, WHAT, err.to_string())),
        };
    Some(match mailer.check().await {
        Ok(()) => check(Outcome::Ok, WHAT, "answers"),
        Err(err) => check(Outcome::Fail, WHAT, format!("{err}; check email.host, email.port and email.tls")),
    })
}

fn public_url_check(public_url: &str) -> Check {
    const WHAT: &str = "server.public_url";
    let url = reqwest::Url::parse(public_url).ok();
    let loopback = url.as_ref().and_then(|u| u.host_str()).is_some_and(|host| {
        host == "localhost"
            || host.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    });
    match url.as_ref().map(|u| u.scheme()) {
        Some("https") => check(Outcome::Ok, WHAT, "https"),
        _ if loopback => check(Outcome::Ok, WHAT, "http on loopback (a demo)"),
        _ => check(
            Outcome::Warn,
            WHAT,
            format!("{public_url} is not https: links, PINs and passwords would cross the network in the clear; serve setpass behind TLS"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_without_tls_is_a_warning_unless_it_is_loopback() {
        assert_eq!(public_url_check("https://setpass.example.com").outcome, Outcome::Ok);
        assert_eq!(public_url_check("http://127.0.0.1:8080").outcome, Outcome::Ok);
        assert_eq!(public_url_check("http://localhost:8080").outcome, Outcome::Ok);
        assert_eq!(public_url_check("http://setpass.example.com").outcome, Outcome::Warn);
    }
}
