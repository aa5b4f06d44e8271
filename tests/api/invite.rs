//! `setpass invite` run as the operator runs it (the built binary) against a spawned setpass
//! and the real Keystone: credentials from clouds.yaml, from OS_* variables, from an
//! application credential; mail's status; a domain admin reaching only their domain.
use crate::helpers::{keystone_url, spawn_app, spawn_app_with, unique, Keystone, PUBLIC_URL};
use crate::sinks::SmtpSink;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Output;

pub(crate) const ADMIN_PASSWORD: &str = "admin-secret-pw-1";

pub(crate) fn admin_password() -> String {
    std::env::var("SETPASS_TEST_KEYSTONE_ADMIN_PASSWORD").unwrap_or_else(|_| ADMIN_PASSWORD.into())
}

/// Runs `setpass ARGS` in `dir` (its HOME too, so no clouds.yaml of the machine is read).
pub(crate) async fn run_setpass(dir: &Path, env: &[(&str, String)], args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_setpass"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .current_dir(dir);
    command.envs(env.iter().map(|(k, v)| (k, v))).args(args);
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

/// The bootstrap admin as OS_* variables, scoped to the admin project.
pub(crate) fn admin_os_env(setpass_url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("OS_AUTH_URL", keystone_url()),
        ("OS_USERNAME", "admin".into()),
        ("OS_PASSWORD", admin_password()),
        ("OS_USER_DOMAIN_ID", "default".into()),
        ("OS_PROJECT_NAME", "admin".into()),
        ("OS_PROJECT_DOMAIN_ID", "default".into()),
        ("SETPASS_URL", setpass_url.into()),
    ]
}

pub(crate) async fn user_named(keystone: &Keystone, name: &str, domain_id: &str) -> Option<Value> {
    let body = keystone.admin_get(&format!("/users?name={name}&domain_id={domain_id}")).await;
    body["users"].as_array().and_then(|users| users.first().cloned())
}

/// A new project in the default domain: its id and name.
pub(crate) async fn new_project(keystone: &Keystone) -> (String, String) {
    let name = unique("invite-project");
    let made = keystone
        .admin_send(
            reqwest::Method::POST,
            "/projects",
            Some(json!({"project": {"name": name, "domain_id": "default"}})),
        )
        .await;
    (made["project"]["id"].as_str().unwrap().to_owned(), name)
}

pub(crate) async fn role_holders(keystone: &Keystone, project_id: &str) -> Vec<String> {
    let body = keystone.admin_get(&format!("/role_assignments?scope.project.id={project_id}")).await;
    body["role_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["user"]["id"].as_str().map(str::to_owned))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn an_invitation_with_a_clouds_yaml_creates_the_user_with_the_role_and_prints_the_link() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let (project_id, project) = new_project(&keystone).await;
    let dir = tempfile::tempdir().unwrap();
    let clouds = format!(
        "clouds:\n  lab:\n    auth:\n      auth_url: {url}\n      username: admin\n      password: {}\n      \
         project_name: admin\n      user_domain_name: Default\n      project_domain_id: default\n",
        admin_password()
    );
    std::fs::write(dir.path().join("clouds.yaml"), clouds).unwrap();
    let name = unique("invitee");

    let env = [("SETPASS_URL", app.address.clone())];
    let args = [
        "invite",
        &name,
        "--email",
        "ada@example.com",
        "--pin",
        "1234",
        "--project",
        &project,
        "--role",
        "member",
        "--os-cloud",
        "lab",
        "-f",
        "json",
    ];
    let output = run_setpass(dir.path(), &env, &args).await;

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["outcome"], "created");
    assert!(printed["url"].as_str().unwrap().starts_with(PUBLIC_URL), "{printed}");
    let user = user_named(&keystone, &name, "default").await.expect("the user exists in Keystone");
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(printed["user_id"], user["id"]);
    let user_id = user["id"].as_str().unwrap();
    assert_eq!(role_holders(&keystone, &project_id).await, [user_id]);
    assert_eq!(app.get_token(user_id, &keystone.admin_token).await.status(), 200);
    let everything = text(&output.stdout) + &text(&output.stderr);
    assert!(!everything.contains(&admin_password()) && !everything.contains("1234"), "{everything}");
}

#[tokio::test]
async fn an_invitation_with_os_variables_and_mail_on_prints_the_mails_status() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let email = sink.settings();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, |s| s.email = email), Keystone::connect(&url));
    let dir = tempfile::tempdir().unwrap();
    let name = unique("mailed");

    let args =
        ["invite", &name, "--email", "bob@example.com", "--pin", "4321", "--locale", "ko", "-f", "value"];
    let output = run_setpass(dir.path(), &admin_os_env(&app.address), &args).await;

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "mailed to bob@example.com\n");
    let mails = sink.wait_for(1).await;
    assert_eq!(mails[0]["rcpt_tos"], json!(["bob@example.com"]), "{}", mails[0]);
    let user = user_named(&keystone, &name, "default").await.unwrap();
    let status: Value =
        app.get_token(user["id"].as_str().unwrap(), &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["stage"], "password", "{status}");
}

#[tokio::test]
async fn an_invitation_with_an_application_credential_works_and_its_secret_is_never_printed() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let (id, secret) = keystone.admin_application_credential().await;
    let dir = tempfile::tempdir().unwrap();
    let name = unique("by-appcred");
    let env = [
        ("OS_AUTH_URL", url.clone()),
        ("OS_AUTH_TYPE", "v3applicationcredential".into()),
        ("OS_APPLICATION_CREDENTIAL_ID", id),
        ("OS_APPLICATION_CREDENTIAL_SECRET", secret.clone()),
    ];

    let args =
        ["invite", &name, "--email", "cy@example.com", "--pin", "1111", "--url", &app.address, "-f", "value"];
    let output = run_setpass(dir.path(), &env, &args).await;

    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(text(&output.stdout).starts_with(PUBLIC_URL), "{}", text(&output.stdout));
    assert!(user_named(&keystone, &name, "default").await.is_some());
    assert!(!(text(&output.stdout) + &text(&output.stderr)).contains(&secret));
}

#[tokio::test]
async fn a_domain_admin_reaches_only_their_domain() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let domain_name = unique("invite-domain");
    let domain = keystone
        .admin_send(reqwest::Method::POST, "/domains", Some(json!({"domain": {"name": domain_name}})))
        .await;
    let domain_id = domain["domain"]["id"].as_str().unwrap().to_owned();
    let (admin_name, admin_pw) = (unique("domain-admin"), "Dom-Admin-pw-77".to_owned());
    let made = keystone
        .admin_send(
            reqwest::Method::POST,
            "/users",
            Some(json!({"user": {"name": admin_name,
            "password": admin_pw, "domain_id": domain_id}})),
        )
        .await;
    let admin_id = made["user"]["id"].as_str().unwrap();
    let roles = keystone.admin_get("/roles?name=admin").await;
    let role = roles["roles"][0]["id"].as_str().unwrap();
    keystone
        .admin_send(
            reqwest::Method::PUT,
            &format!("/domains/{domain_id}/users/{admin_id}/roles/{role}"),
            None,
        )
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (mine, foreign) = (unique("in-domain"), unique("out-of-domain"));
    let csv =
        format!("name,email,pin,domain\n{mine},m@example.com,1234,\n{foreign},f@example.com,1234,default\n");
    std::fs::write(dir.path().join("rows.csv"), csv).unwrap();
    let env = [
        ("OS_AUTH_URL", url.clone()),
        ("OS_USERNAME", admin_name.clone()),
        ("OS_PASSWORD", admin_pw),
        ("OS_USER_DOMAIN_NAME", domain_name.clone()),
        ("OS_DOMAIN_NAME", domain_name),
        ("SETPASS_URL", app.address.clone()),
    ];

    let output =
        run_setpass(dir.path(), &env, &["invite", "--csv", "rows.csv", "--results", "out.csv"]).await;

    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let results = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    let lines: Vec<&str> = results.lines().collect();
    assert!(lines[1].starts_with(&format!("1,{mine},")) && lines[1].contains(",created,"), "{results}");
    assert!(lines[2].contains(",failed,") && lines[2].contains("out of their reach"), "{results}");
    assert!(user_named(&keystone, &mine, &domain_id).await.is_some());
    assert!(user_named(&keystone, &foreign, "default").await.is_none(), "nothing made outside the domain");
}
