//! The `setpass` binary: config errors, logging, graceful shutdown on SIGTERM.
use crate::helpers::closed_port_url;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn setpass() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_setpass"));
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

fn write_config(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\npublic_url = \"https://setpass.example.com\"\n\
         [database]\npath = \"{}\"\n[keystone]\nauth_url = \"{}\"\n{extra}",
        dir.join("setpass.db").display(),
        closed_port_url()
    );
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn an_unknown_key_stops_startup_with_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[onboarding]\nmax_pin_attempt = 3\n");

    let output = setpass().arg("--config").arg(&config).output().unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("onboarding.max_pin_attempt"), "{stderr}");
    assert!(stderr.contains("config.toml.example"), "{stderr}");
}

#[test]
fn a_bad_value_from_the_environment_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");

    let output = setpass()
        .env("SETPASS_CONFIG", &config)
        .env("SETPASS_ONBOARDING__LINK_LIFETIME", "90d")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("onboarding.link_lifetime"), "{stderr}");
    assert!(stderr.contains("SETPASS_ONBOARDING__LINK_LIFETIME"), "{stderr}");
}

#[test]
fn a_database_in_a_missing_directory_stops_startup() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");

    let output = setpass()
        .arg("--config")
        .arg(&config)
        .env("SETPASS_DATABASE__PATH", "/nonexistent-dir/setpass.db")
        .output()
        .unwrap();

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("database.path") && stderr.contains("does not exist"), "{stderr}");
}

#[test]
fn sigterm_stops_the_server_cleanly_and_the_access_log_hides_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut child = setpass()
        .arg("--config")
        .arg(&config)
        .env("SETPASS_SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    let started = Instant::now();
    let secret = "SECRETtokenVALUE0123456789abcdefghijkl";
    loop {
        let url = format!("http://127.0.0.1:{port}/healthz?token={secret}");
        if std::process::Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", &url])
            .status()
            .is_ok_and(|s| s.success())
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    let status = child.wait().unwrap();

    assert_eq!(status.code(), Some(0));
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    assert!(log.contains("/healthz?token=[redacted]"), "{log}");
    assert!(!log.contains(secret), "{log}");
}
