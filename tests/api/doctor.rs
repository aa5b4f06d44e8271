//! `setpass doctor`: one line per check, the fix on each failure, exit 0 only if nothing failed.
use crate::helpers::*;
use std::path::Path;
use std::process::Command;

fn config(dir: &Path, auth_url: &str, extra_keystone: &str, tail: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    let text = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://setpass.example.com\"\n\
         [database]\npath = \"{}\"\n[keystone]\nauth_url = \"{auth_url}\"\n{extra_keystone}\n{tail}",
        dir.join("setpass.db").display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `setpass doctor --config`; returns the exit code and stdout.
async fn doctor(config: std::path::PathBuf) -> (i32, String) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_setpass"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .arg("doctor")
            .arg("--config")
            .arg(config)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    (output.status.code().unwrap_or(-1), String::from_utf8(output.stdout).unwrap())
}

fn line<'a>(stdout: &'a str, what: &str) -> &'a str {
    stdout.lines().find(|l| l.contains(what)).unwrap_or_else(|| panic!("no `{what}` line in:\n{stdout}"))
}

#[tokio::test]
async fn doctor_passes_a_healthy_deployment_with_a_service_credential() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let (id, secret) = keystone.admin_application_credential().await;
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("service_credential_id = \"{id}\"\nservice_credential_secret = \"{secret}\"");

    let (code, stdout) = doctor(config(dir.path(), &keystone_url(), &extra, "")).await;

    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, "Keystone at").starts_with("ok"), "{stdout}");
    assert!(line(&stdout, "Identity API version").contains("v3"), "{stdout}");
    assert!(line(&stdout, "`totp`").starts_with("ok"), "{stdout}");
    assert!(line(&stdout, "service credential").contains("`admin` role"), "{stdout}");
    assert!(!stdout.contains("FAIL"), "{stdout}");
}

#[tokio::test]
async fn doctor_passes_a_service_user_and_warns_that_an_application_credential_cannot_self_enroll() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let dir = tempfile::tempdir().unwrap();
    let service = keystone.user_with_admin_project_role("admin").await;
    let extra =
        format!("service_user_name = \"{}\"\nservice_user_password = \"{}\"", service.name, service.password);
    let on = "[self_enroll]\nenabled = true\n";
    let (code, stdout) = doctor(config(dir.path(), &keystone_url(), &extra, on)).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, "service credential").starts_with("ok"), "{stdout}");
    assert!(!stdout.contains(&service.password), "the password is never printed");

    let (id, secret) = keystone.admin_application_credential().await;
    let extra = format!("service_credential_id = \"{id}\"\nservice_credential_secret = \"{secret}\"");
    let (code, stdout) = doctor(config(dir.path(), &keystone_url(), &extra, on)).await;
    assert_eq!(code, 0, "a warning only: {stdout}");
    let warned = line(&stdout, "service credential");
    assert!(warned.starts_with("WARN") && warned.contains("service_user_name"), "{stdout}");
}

#[tokio::test]
async fn doctor_warns_when_enforced_rules_would_lock_the_command_line_access_out() {
    let dir = tempfile::tempdir().unwrap();
    let keystone = Keystone::connect(&keystone_url()).await;
    let (id, secret) = keystone.admin_application_credential().await;
    let service = format!(
        "service_credential_id = \"{id}\"\nservice_credential_secret = \"{secret}\"\nenforce_mfa = true"
    );
    let web_only = format!("{service}\nmfa_rules = [[\"password\", \"totp\"]]");
    let (code, stdout) =
        doctor(config(dir.path(), &keystone_url(), &web_only, "[cli]\nenabled = true\n")).await;
    assert_eq!(code, 0, "a warning only: {stdout}");
    let warned = line(&stdout, "command-line access");
    assert!(warned.starts_with("WARN") && warned.contains("[\"application_credential\"]"), "{stdout}");
    let (_, stdout) = doctor(config(dir.path(), &keystone_url(), &service, "[cli]\nenabled = true\n")).await;
    assert!(line(&stdout, "command-line access").starts_with("ok"), "the default rules let it in: {stdout}");
}

#[tokio::test]
async fn doctor_names_cafile_when_keystone_is_behind_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();

    let (code, stdout) = doctor(config(dir.path(), &tls_url(), "", "")).await;
    assert_eq!(code, 1, "{stdout}");
    let failed = line(&stdout, "Keystone at");
    assert!(failed.starts_with("FAIL") && failed.contains("keystone.cafile"), "{stdout}");

    let cafile = format!("cafile = \"{}\"", tls_ca().display());
    let (code, stdout) = doctor(config(dir.path(), &tls_url(), &cafile, "")).await;
    assert_eq!(code, 0, "{stdout}");
}

#[tokio::test]
async fn doctor_fails_a_world_readable_database_and_an_smtp_server_that_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("setpass.db");
    setpass::store::SqliteStore::open(&db, 1).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let port = closed_port_url().split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let email = format!(
        "[email]\nenabled = true\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"none\"\nfrom = \"setpass@example.com\"\ntimeout = \"2s\""
    );

    let (code, stdout) = doctor(config(dir.path(), &keystone_url(), "", &email)).await;

    assert_eq!(code, 1, "{stdout}");
    assert!(line(&stdout, "database file mode").contains("chmod 600"), "{stdout}");
    assert!(line(&stdout, "SMTP server").starts_with("FAIL"), "{stdout}");
    assert!(line(&stdout, "database:").starts_with("ok"), "{stdout}");
}

#[tokio::test]
async fn doctor_checks_the_shared_database_its_schema_and_the_key_it_was_written_with() {
    use crate::database::{TestDatabase, SHARED_KEY};
    let url = keystone_url();
    let database = std::sync::Arc::new(TestDatabase::create_mariadb());
    let TestDatabase::MariaDb { url: db_url, .. } = database.as_ref() else { unreachable!() };
    let dir = tempfile::tempdir().unwrap();
    let shared = |key: &str| {
        let path = config(dir.path(), &url, "", &format!("[secrets]\nkey = \"{key}\""));
        let text = std::fs::read_to_string(&path).unwrap();
        let text = text.replace(
            &format!("path = \"{}\"", dir.path().join("setpass.db").display()),
            &format!("url = \"{db_url}\""),
        );
        std::fs::write(&path, text).unwrap();
        path
    };

    let (code, stdout) = doctor(shared(SHARED_KEY)).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, "database").contains("schema version 0 is migrated"), "{stdout}");
    assert!(line(&stdout, "key check").contains("none stored yet"), "{stdout}");

    let _app = spawn_app_on_database(&database, &url).await;
    let (code, stdout) = doctor(shared(SHARED_KEY)).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(line(&stdout, "database").contains("is current"), "{stdout}");
    assert!(line(&stdout, "key check").contains("written with this key"), "{stdout}");

    let (code, stdout) = doctor(shared("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=")).await;
    assert_eq!(code, 1, "{stdout}");
    assert!(line(&stdout, "key check").contains("another key"), "{stdout}");
    assert!(!stdout.contains("root@"), "the database URL is not printed: {stdout}");
}
