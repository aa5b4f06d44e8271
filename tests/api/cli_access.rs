//! Command-line access against the real Keystone with the seed's MFA rules: the application
//! credential setpass makes works with the OpenStack client itself and with keystoneauth, the
//! password alone still gets only a receipt, Keystone keeps the chosen expiry, no secret is
//! logged or stored, and each refusal (no project, a foreign project, a wrong code).
use crate::helpers::*;
use crate::process::{temp_dir, ServerProcess};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::path::Path;

pub(crate) const SEED_RULES: &str = r#"[["password","totp"],["application_credential"]]"#;

impl Keystone {
    /// A user with the seed's rules and an authenticator (as `openstack credential create
    /// --type totp` makes one); returns the user and the TOTP secret.
    pub(crate) async fn seed_user_with_authenticator(&self) -> (KeystoneUser, String) {
        let user = self.create_user_with_mfa_rules(serde_json::from_str(SEED_RULES).unwrap()).await;
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_owned();
        let body = json!({"credential": {"type": "totp", "user_id": user.id, "blob": secret}});
        self.admin_send(Method::POST, "/credentials", Some(body)).await;
        (user, secret)
    }

    /// A new project; with `member`, that user gets the `member` role on it.
    pub(crate) async fn create_project(&self, member: Option<&KeystoneUser>) -> (String, String) {
        let name = unique("project");
        let body = json!({"project": {"name": name, "domain_id": "default"}});
        let created = self.admin_send(Method::POST, "/projects", Some(body)).await;
        let id = created["project"]["id"].as_str().unwrap().to_owned();
        if let Some(user) = member {
            let roles = self.admin_get("/roles?name=member").await;
            let role = roles["roles"][0]["id"].as_str().unwrap();
            self.admin_send(Method::PUT, &format!("/projects/{id}/users/{}/roles/{role}", user.id), None)
                .await;
        }
        (id, name)
    }

    async fn application_credentials(&self, user_id: &str) -> Vec<Value> {
        let body = self.admin_get(&format!("/users/{user_id}/application_credentials")).await;
        body["application_credentials"].as_array().cloned().unwrap_or_default()
    }
}

async fn post_cli(client: &reqwest::Client, base: &str, body: Value) -> (StatusCode, Value) {
    let response = client.post(format!("{base}/api/v1/cli")).json(&body).send().await.unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

fn sign_in(user: &KeystoneUser, secret: &str) -> Value {
    json!({"user_name": user.name, "password": user.password, "code": code_now(secret)})
}

/// `openstack --os-cloud <cloud> token issue` with the downloaded `clouds.yaml`; its stdout.
fn openstack_token_issue(dir: &Path, clouds_yaml: &str, cloud: &str) -> String {
    let openstack = std::env::var("SETPASS_TEST_OPENSTACK").unwrap_or_else(|_| {
        panic!("SETPASS_TEST_OPENSTACK is not set: run the tests with scripts/test.sh (it installs python-openstackclient)")
    });
    let file = dir.join("clouds.yaml");
    std::fs::write(&file, clouds_yaml).unwrap();
    let output = std::process::Command::new(openstack)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("OS_CLIENT_CONFIG_FILE", &file)
        .args(["--os-cloud", cloud, "token", "issue", "-f", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "openstack token issue failed: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// keystoneauth's own application-credential plugin; the user id of the token it gets.
fn keystoneauth_user_id(auth_url: &str, id: &str, secret: &str) -> String {
    let script = "import sys\nfrom keystoneauth1 import session\nfrom keystoneauth1.identity import v3\n\
                  auth = v3.ApplicationCredential(auth_url=sys.argv[1], application_credential_id=sys.argv[2], \
                  application_credential_secret=sys.stdin.read())\nprint(session.Session(auth=auth).get_user_id())";
    let mut child = std::process::Command::new(test_python())
        .args(["-c", script, auth_url, id])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), secret.as_bytes()).unwrap();
    drop(child.stdin.take());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "keystoneauth: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

#[tokio::test]
async fn the_clouds_yaml_works_with_the_openstack_client_and_keystoneauth_and_no_secret_is_kept() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (user, secret) = keystone.seed_user_with_authenticator().await;
    let (project_id, project_name) = keystone.create_project(Some(&user)).await;
    let (_dir, dir) = temp_dir();
    let server = ServerProcess::start(
        &dir,
        &url,
        &[("SETPASS_CLI__ENABLED", "true"), ("SETPASS_CLI__CLOUD_NAME", "lab")],
    );
    let client = reqwest::Client::new();

    let (status, listed) = post_cli(&client, &server.address, sign_in(&user, &secret)).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    assert_eq!(listed["projects"], json!([{"id": project_id, "name": project_name, "domain_id": "default"}]));

    let expires = (chrono::Utc::now() + chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
    let mut choice = sign_in(&user, &secret);
    choice["project_id"] = json!(project_id);
    choice["name"] = json!("laptop");
    choice["expires_at"] = json!(expires);
    let (status, made) = post_cli(&client, &server.address, choice).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let credential = &made["application_credential"];
    let (id, app_secret) = (credential["id"].as_str().unwrap(), credential["secret"].as_str().unwrap());
    assert_eq!(credential["expires_at"], format!("{expires}T23:59:59Z"));

    let kept = keystone.application_credentials(&user.id).await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        (kept[0]["id"].as_str(), kept[0]["project_id"].as_str()),
        (Some(id), Some(project_id.as_str()))
    );
    assert!(kept[0]["expires_at"].as_str().unwrap().starts_with(&format!("{expires}T23:59:59")), "{kept:?}");
    assert_eq!(kept[0]["unrestricted"], false);
    let roles: Vec<&str> =
        kept[0]["roles"].as_array().unwrap().iter().filter_map(|r| r["name"].as_str()).collect();
    assert!(roles.contains(&"member") && !roles.contains(&"admin"), "only the user's roles there: {roles:?}");

    let clouds_yaml = made["clouds_yaml"].as_str().unwrap();
    let (_home, home) = temp_dir();
    let issued: Value = serde_json::from_str(&openstack_token_issue(&home, clouds_yaml, "lab")).unwrap();
    assert_eq!(
        (issued["user_id"].as_str(), issued["project_id"].as_str()),
        (Some(user.id.as_str()), Some(project_id.as_str()))
    );
    assert_eq!(keystoneauth_user_id(&url, id, app_secret), user.id);
    assert!(
        keystone.password_login_gets_a_receipt(&user.id, &user.password).await,
        "the password alone is not enough"
    );

    let log = server.stop_and_collect_log();
    assert!(log.contains(&format!("application credential {id} created")), "{log}");
    for (what, text) in [("secret", app_secret), ("password", user.password.as_str())] {
        assert!(!log.contains(text), "the {what} is in the log");
        // The database and its journal files: everything the service wrote.
        for file in std::fs::read_dir(&dir).unwrap() {
            let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
            assert!(
                !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                "the {what} is in a database file"
            );
        }
    }
}

#[tokio::test]
async fn no_project_a_foreign_project_and_a_wrong_code_are_refused_and_nothing_is_made() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let app = spawn_app_with(&url, |s| s.cli.enabled = true).await;
    let (user, secret) = keystone.seed_user_with_authenticator().await;

    let (status, body) = post_cli(&app.client, &app.address, sign_in(&user, &secret)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("Ask your administrator to add you to a project"),
        "{body}"
    );

    keystone.create_project(Some(&user)).await;
    let (foreign, _) = keystone.create_project(None).await;
    let mut tampered = sign_in(&user, &secret);
    tampered["project_id"] = json!(foreign);
    let (status, body) = post_cli(&app.client, &app.address, tampered).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let mut wrong = sign_in(&user, &secret);
    let right = wrong["code"].as_str().unwrap().parse::<u32>().unwrap();
    wrong["code"] = json!(format!("{:06}", (right + 500_000) % 1_000_000));
    let (status, body) = post_cli(&app.client, &app.address, wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(keystone.application_credentials(&user.id).await.is_empty());
}
