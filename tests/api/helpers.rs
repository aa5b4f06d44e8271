//! Spawning the app per test, talking to the real Keystone, and typed request helpers.
#![allow(dead_code)]
use chrono::Utc;
use rand::Rng;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use setpass::clock::ManualClock;
use setpass::config::Settings;
use setpass::startup::Application;
use std::sync::Arc;

pub const PUBLIC_URL: &str = "https://setpass.example.test";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the tests with scripts/test.sh, which starts a real Keystone")
    })
}

/// The Keystone with first-use password expiry off.
pub fn keystone_url() -> String {
    env("SETPASS_TEST_KEYSTONE_URL")
}

/// The Keystone with `change_password_upon_first_use = true`.
pub fn first_use_keystone_url() -> String {
    env("SETPASS_TEST_KEYSTONE_FIRST_USE_URL")
}

/// A URL where nothing listens.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}/v3")
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{:016x}", rand::thread_rng().gen::<u64>())
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub db_path: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

pub async fn spawn_app(auth_url: &str) -> TestApp {
    spawn_app_with(auth_url, |_| {}).await
}

/// Starts the app on port 0 with its own temp database, cheap argon2 and a manual clock.
pub async fn spawn_app_with(auth_url: &str, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    init_logs();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("setpass.db");
    let mut settings =
        Settings::with_defaults("127.0.0.1:0".parse().unwrap(), PUBLIC_URL, db_path.clone(), auth_url);
    settings.server.workers = 1;
    settings.argon2.memory_kib = 1024;
    settings.argon2.iterations = 1;
    adjust(&mut settings);
    let clock = ManualClock::new(Utc::now());
    let app = Application::build(settings, Arc::new(clock.clone())).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp { address, client: reqwest::Client::new(), clock, db_path, _dir: dir }
}

impl TestApp {
    pub async fn put_token(&self, user_id: &str, admin_token: &str, body: Option<Value>) -> Response {
        let mut request =
            self.client.put(format!("{}/token/{user_id}", self.address)).header("X-Auth-Token", admin_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    pub async fn get_token(&self, user_id: &str, admin_token: &str) -> Response {
        self.client
            .get(format!("{}/token/{user_id}", self.address))
            .header("X-Auth-Token", admin_token)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete_token(&self, user_id: &str, admin_token: &str) -> Response {
        self.client
            .delete(format!("{}/token/{user_id}", self.address))
            .header("X-Auth-Token", admin_token)
            .send()
            .await
            .unwrap()
    }

    /// Whether a one-time token still points at a record (what the user's link will see).
    pub async fn link_is_live(&self, token: &str) -> bool {
        let store = setpass::store::Store::open(&self.db_path, 1).unwrap();
        let token = setpass::domain::OneTimeToken::parse(token).unwrap();
        store.find_by_token(&token.hash()).await.unwrap().is_some()
    }
}

/// The bootstrap admin of a test Keystone, and helpers to make users and tokens there.
pub struct Keystone {
    pub url: String,
    pub admin_token: String,
    http: reqwest::Client,
}

pub struct KeystoneUser {
    pub id: String,
    pub name: String,
    pub password: String,
}

impl Keystone {
    pub async fn connect(url: &str) -> Self {
        let http = reqwest::Client::new();
        let password = std::env::var("SETPASS_TEST_KEYSTONE_ADMIN_PASSWORD")
            .unwrap_or_else(|_| "admin-secret-pw-1".into());
        let admin_token = password_token(&http, url, "admin", &password, project_scope("admin"))
            .await
            .expect("admin login");
        Self { url: url.to_owned(), admin_token, http }
    }

    pub async fn system_admin_token(&self) -> String {
        let password = std::env::var("SETPASS_TEST_KEYSTONE_ADMIN_PASSWORD")
            .unwrap_or_else(|_| "admin-secret-pw-1".into());
        password_token(&self.http, &self.url, "admin", &password, json!({"system": {"all": true}}))
            .await
            .unwrap()
    }

    /// A new user with a random password that satisfies the test Keystone's password rule.
    pub async fn create_user(&self) -> KeystoneUser {
        let name = unique("user");
        let password = format!("Rnd-{:x}-9", rand::thread_rng().gen::<u64>());
        let response = self
            .http
            .post(format!("{}/users", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .json(&json!({"user": {"name": name, "password": password, "domain_id": "default"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "create user: {}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        KeystoneUser { id: body["user"]["id"].as_str().unwrap().to_owned(), name, password }
    }

    /// A token of a user who holds `role` (not admin) on the admin project.
    pub async fn admin_project_token_with_role(&self, role: &str) -> String {
        let user = self.create_user().await;
        let project = self.lookup_id("projects", "admin").await;
        let role_id = self.lookup_id("roles", role).await;
        let response = self
            .http
            .put(format!("{}/projects/{project}/users/{}/roles/{role_id}", self.url, user.id))
            .header("X-Auth-Token", &self.admin_token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "role assignment: {}", response.status());
        password_token(&self.http, &self.url, &user.name, &user.password, project_scope("admin"))
            .await
            .unwrap()
    }

    async fn lookup_id(&self, collection: &str, name: &str) -> String {
        let body: Value = self
            .http
            .get(format!("{}/{collection}?name={name}", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body[collection][0]["id"].as_str().unwrap().to_owned()
    }
}

fn project_scope(project: &str) -> Value {
    json!({"project": {"name": project, "domain": {"id": "default"}}})
}

/// `POST /v3/auth/tokens` with a password; the token, or the status Keystone answered.
pub async fn password_token(
    http: &reqwest::Client,
    url: &str,
    user: &str,
    password: &str,
    scope: Value,
) -> Result<String, StatusCode> {
    let mut auth = json!({"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "domain": {"id": "default"}, "password": password}}}});
    if !scope.is_null() {
        auth["scope"] = scope;
    }
    let response = http.post(format!("{url}/auth/tokens")).json(&json!({"auth": auth})).send().await.unwrap();
    if response.status() != StatusCode::CREATED {
        return Err(response.status());
    }
    Ok(response.headers()["x-subject-token"].to_str().unwrap().to_owned())
}

pub fn new_record_body(user: &KeystoneUser) -> Value {
    json!({"password": user.password, "pin": "1234"})
}

pub fn init_logs() {
    let _ = env_logger::builder().is_test(true).try_init();
}
