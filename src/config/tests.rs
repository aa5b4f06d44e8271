//! The documented example, the defaults, environment overrides, and errors that name their key.
use super::{ConfigError, Millis, Seconds, Settings};
use std::io::Write;
use std::path::Path;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml.example");

const REQUIRED: &str = r#"
[server]
listen = "127.0.0.1:8080"
public_url = "https://setpass.example.com/"
[database]
path = "setpass.db"
[keystone]
auth_url = "http://127.0.0.1:5000/v3"
"#;

fn no_env() -> std::iter::Empty<(String, String)> {
    std::iter::empty()
}

fn temp_config(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn load_text(text: &str) -> Result<Settings, ConfigError> {
    let file = temp_config(text);
    Settings::load(Some(file.path()), no_env())
}

fn load_err(text: &str) -> ConfigError {
    load_text(text).expect_err("the config should be refused")
}

/// Every key the example documents, at the default it documents.
fn assert_defaults(settings: &Settings) {
    let (server, database, keystone) = (&settings.server, &settings.database, &settings.keystone);
    assert_eq!(server.listen, "127.0.0.1:8080".parse().unwrap());
    assert_eq!(server.public_url, "https://setpass.example.com", "trailing slash dropped");
    assert_eq!((server.workers, server.shutdown_timeout), (0, Seconds(30)));
    assert_eq!(database.path, Path::new("setpass.db"));
    assert_eq!(database.pool_size, 8);
    assert_eq!((database.retention, database.purge_interval), (Seconds(7 * 86_400), Seconds(600)));
    assert_eq!(keystone.auth_url, "http://127.0.0.1:5000/v3");
    assert_eq!((keystone.timeout, keystone.validation_cache), (Seconds(10), Seconds(60)));
    assert_eq!(
        (&*keystone.admin_role, &*keystone.admin_project, &*keystone.admin_project_domain),
        ("admin", "admin", "default")
    );
    assert!(keystone.service_credential_id.is_none() && keystone.service_credential_secret.is_none());
    assert!(keystone.service_credential_secret_file.is_none() && !keystone.enforce_mfa);
    assert_eq!(keystone.mfa_rules, [vec!["password", "totp"], vec!["application_credential"]]);
    let onboarding = &settings.onboarding;
    assert_eq!((onboarding.link_lifetime, onboarding.max_pin_attempts), (Seconds(86_400), 3));
    assert_eq!((onboarding.pin_min_digits, onboarding.pin_max_digits), (4, 4));
    assert_eq!((onboarding.min_password_length, &*onboarding.cloud_name), (8, "OpenStack"));
    assert!(onboarding.dashboard_url.is_none());
    let totp = &settings.totp;
    assert_eq!((totp.enabled, totp.issuer.as_deref()), (true, None));
    assert_eq!((totp.previous_windows, totp.max_attempts), (1, 10));
    let limits = &settings.limits;
    assert_eq!(
        (limits.user_per_minute, limits.user_burst, limits.admin_per_minute, limits.admin_burst),
        (30, 10, 600, 100)
    );
    assert!(limits.trusted_proxies.is_empty());
    assert_eq!((limits.client_request_timeout, limits.max_uri_length), (Seconds(10), 2048));
    assert_eq!(settings.metrics.serve, super::MetricsServe::Main);
    assert!(settings.metrics.listen.is_none());
    let argon2 = &settings.argon2;
    assert_eq!(
        (argon2.memory_kib, argon2.iterations, argon2.parallelism, argon2.max_concurrent),
        (19_456, 2, 1, 0)
    );
    assert!(settings.secrets.key.is_none() && settings.secrets.key_file.is_none());
    super::notify::tests::assert_defaults(settings);
}

/// The example with each `#key = value` line (a documented default) switched on.
fn example_with_defaults_uncommented() -> String {
    let text = std::fs::read_to_string(EXAMPLE).unwrap();
    text.lines()
        .map(|line| match line.strip_prefix('#') {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_lowercase()) && rest.contains(" = ") => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_example_config_loads_as_is_and_means_the_defaults() {
    let settings = Settings::load(Some(Path::new(EXAMPLE)), no_env()).unwrap();

    assert_defaults(&settings);
}

#[test]
fn the_example_config_loads_with_its_documented_defaults() {
    let text = example_with_defaults_uncommented();
    assert!(text.lines().filter(|l| l.starts_with('#')).count() > 10, "the header comments stay");
    assert!(text.contains("\nmax_pin_attempts = 3"), "the defaults were switched on");

    let settings = load_text(&text).unwrap();

    assert_defaults(&settings);
}

#[test]
fn a_minimal_config_gets_the_defaults() {
    let settings = load_text(REQUIRED).unwrap();

    assert_defaults(&settings);
}

#[test]
fn an_environment_variable_overrides_the_file() {
    let file = temp_config(REQUIRED);
    let env = [
        ("SETPASS_KEYSTONE__TIMEOUT".to_owned(), "5s".to_owned()),
        ("SETPASS_ONBOARDING__MAX_PIN_ATTEMPTS".to_owned(), "5".to_owned()),
        ("SETPASS_CONFIG".to_owned(), "ignored: not a section key".to_owned()),
        ("OTHER__TIMEOUT".to_owned(), "ignored: no prefix".to_owned()),
    ];

    let settings = Settings::load(Some(file.path()), env).unwrap();

    assert_eq!(settings.keystone.timeout, Seconds(5));
    assert_eq!(settings.onboarding.max_pin_attempts, 5);
    assert_eq!(settings.keystone.auth_url, "http://127.0.0.1:5000/v3", "the file's other keys stay");
}

#[test]
fn a_webhook_retry_base_may_be_less_than_a_second_and_a_whole_second_key_may_not() {
    let file = temp_config(&format!("{REQUIRED}[webhook]\nretry_base = \"200ms\"\n"));
    let settings = Settings::load(Some(file.path()), no_env()).unwrap();
    assert_eq!(settings.webhook.retry_base, Millis(200));

    let env = [("SETPASS_WEBHOOK__RETRY_BASE".to_owned(), "150ms".to_owned())];
    assert_eq!(Settings::load(Some(file.path()), env).unwrap().webhook.retry_base, Millis(150));

    let env = [("SETPASS_KEYSTONE__TIMEOUT".to_owned(), "1500ms".to_owned())];
    let err = Settings::load(Some(file.path()), env).unwrap_err();
    assert_eq!(err.key, "keystone.timeout");
    assert!(err.to_string().contains("whole number of seconds"), "{err}");
}

#[test]
fn a_bad_value_from_the_environment_names_the_key_and_the_variable() {
    let file = temp_config(REQUIRED);
    let env = [("SETPASS_KEYSTONE__TIMEOUT".to_owned(), "soon".to_owned())];

    let err = Settings::load(Some(file.path()), env).unwrap_err();

    assert_eq!(err.key, "keystone.timeout");
    assert!(err.to_string().contains("SETPASS_KEYSTONE__TIMEOUT"), "{err}");
}

#[test]
fn an_unknown_key_is_refused_by_name() {
    let err = load_err(&format!("{REQUIRED}[onboarding]\nmax_pin_attempt = 3\n"));

    assert_eq!(err.key, "onboarding.max_pin_attempt");
    assert!(err.to_string().contains("config.toml.example"), "{err}");
}

#[test]
fn an_unknown_section_is_refused_by_name() {
    let err = load_err(&format!("{REQUIRED}[onboard]\nlink_lifetime = \"1h\"\n"));

    assert_eq!(err.key, "onboard");
}

#[test]
fn a_pin_length_outside_4_to_8_digits_is_refused() {
    for (extra, key) in [
        ("pin_min_digits = 3", "onboarding.pin_min_digits"),
        ("pin_max_digits = 9", "onboarding.pin_max_digits"),
        ("pin_min_digits = 6\npin_max_digits = 5", "onboarding.pin_min_digits"),
    ] {
        let err = load_err(&format!("{REQUIRED}[onboarding]\n{extra}\n"));

        assert_eq!(err.key, key, "{extra}");
    }
}

#[test]
fn a_link_lifetime_outside_5_minutes_to_30_days_is_refused() {
    for lifetime in ["\"4m\"", "\"31d\"", "0"] {
        let err = load_err(&format!("{REQUIRED}[onboarding]\nlink_lifetime = {lifetime}\n"));

        assert_eq!(err.key, "onboarding.link_lifetime", "{lifetime}");
        assert!(err.message.contains("\"5m\" and \"30d\""), "{err}");
    }
    let edges = load_text(&format!("{REQUIRED}[onboarding]\nlink_lifetime = \"30d\"\n")).unwrap();
    assert_eq!(edges.onboarding.link_lifetime, Seconds(30 * 86_400));
}

#[test]
fn a_missing_required_key_is_refused_with_a_hint() {
    let err = load_err(&REQUIRED.replace("auth_url = \"http://127.0.0.1:5000/v3\"\n", ""));

    assert!(err.key.starts_with("keystone"), "{err}");
    assert!(err.to_string().contains("auth_url"), "{err}");
    assert!(err.to_string().contains("config.toml.example"), "{err}");
}

#[test]
fn setting_both_key_and_key_file_is_refused() {
    let err = load_err(&format!("{REQUIRED}[secrets]\nkey = \"abc\"\nkey_file = \"/k\"\n"));

    assert_eq!(err.key, "secrets");
}

#[test]
fn a_missing_section_is_named() {
    let err = load_err("[server]\nlisten = \"127.0.0.1:8080\"\npublic_url = \"https://x.example\"\n[database]\npath = \"setpass.db\"\n");
    assert_eq!(err.key, "keystone");
}

#[test]
fn a_shared_database_url_is_read_from_the_setting_its_file_or_the_environment_and_never_with_a_path() {
    let shared =
        REQUIRED.replace("path = \"setpass.db\"", "url = \"mysql://setpass:pw@db.example:3306/setpass\"");
    let settings = load_text(&shared).unwrap();
    assert!(settings.database.is_shared());
    assert!(
        matches!(settings.database.backend().unwrap(), super::Backend::MariaDb(url) if url.ends_with("/setpass"))
    );

    let url_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(url_file.path(), "mysql://setpass:pw@db.example/setpass\n").unwrap();
    let from_file =
        REQUIRED.replace("path = \"setpass.db\"", &format!("url_file = \"{}\"", url_file.path().display()));
    assert!(matches!(load_text(&from_file).unwrap().database.backend().unwrap(), super::Backend::MariaDb(_)));

    let env = [("SETPASS_DATABASE__URL".to_owned(), "mysql://u:p@h/d".to_owned())];
    let err = Settings::load(Some(temp_config(REQUIRED).path()), env).unwrap_err();
    assert_eq!(err.key, "database.url", "{err}");
    assert!(err.to_string().contains("database.path") && err.to_string().contains("not both"), "{err}");

    let err = load_text(&REQUIRED.replace("path = \"setpass.db\"", "url = \"postgres://x\"")).unwrap_err();
    assert_eq!(err.key, "database.url");
    assert!(
        !err.to_string().contains("postgres://x"),
        "the URL (it may hold a password) is not repeated: {err}"
    );
    let err = load_text(&REQUIRED.replace("path = \"setpass.db\"\n", "")).unwrap_err();
    assert_eq!(err.key, "database.path", "{err}");
    let debug = format!("{settings:?}");
    assert!(
        !debug.contains(":pw@") && debug.contains("[redacted]"),
        "the password stays out of Debug: {debug}"
    );
}

#[test]
fn a_service_user_needs_its_password_and_excludes_an_application_credential() {
    let err = load_err(&format!("{REQUIRED}service_user_name = \"setpass\"\n"));
    assert_eq!(err.key, "keystone.service_user_name");
    let both = "service_user_name = \"setpass\"\nservice_user_password = \"pw\"\n\
                service_credential_id = \"id\"\nservice_credential_secret = \"s\"\n";
    let err = load_err(&format!("{REQUIRED}{both}"));
    assert!(err.message.contains("not both"), "{err}");
    let user = load_text(&format!(
        "{REQUIRED}service_user_name = \"setpass\"\nservice_user_password = \"pw\"\nenforce_mfa = true\n"
    ))
    .expect("a service user is a service identity for enforce_mfa");
    assert_eq!(user.keystone.service_user_domain, "Default");
    assert!(!format!("{:?}", user.keystone).contains("\"pw\""), "the password is not in Debug");
}

#[test]
fn a_reminder_must_come_before_the_link_expires_and_needs_mail() {
    let late = load_err(&format!("{REQUIRED}[email]\nremind_before = \"1d\"\n"));
    assert_eq!(late.key, "email.remind_before");
    assert!(late.message.contains("shorter than the link's lifetime"), "{late}");

    let no_mail = load_err(&format!("{REQUIRED}[email]\nremind_before = \"12h\"\n"));
    assert_eq!(no_mail.key, "email.remind_before");
    assert!(no_mail.message.contains("email.enabled = true"), "{no_mail}");

    let unset = load_text(REQUIRED).unwrap();
    assert_eq!(unset.email.remind_before, None, "off by default");
}
