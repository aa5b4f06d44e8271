//! Spawning the app per test, talking to the real Keystone, and typed request helpers.
#![allow(dead_code)]
pub use crate::database::TestDatabase;
use chrono::Utc;
use rand::Rng;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use setpass::clock::OffsetClock;
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
/// The plain Keystone through uwsgi's `--http-socket`: HTTP/1.1 that closes after every answer.
pub fn no_keepalive_url() -> String {
    env("SETPASS_TEST_KEYSTONE_NO_KEEPALIVE_URL")
}

pub fn first_use_no_keepalive_url() -> String {
    env("SETPASS_TEST_KEYSTONE_FIRST_USE_NO_KEEPALIVE_URL")
}

/// The plain Keystone behind TLS whose certificate a test-generated CA signed.
pub fn tls_url() -> String {
    env("SETPASS_TEST_KEYSTONE_TLS_URL")
}

pub fn tls_ca() -> std::path::PathBuf {
    env("SETPASS_TEST_KEYSTONE_CA").into()
}

/// The same, but the terminator requires a client certificate signed by that CA.
pub fn mtls_url() -> String {
    env("SETPASS_TEST_KEYSTONE_MTLS_URL")
}

pub fn client_cert() -> (std::path::PathBuf, std::path::PathBuf) {
    (env("SETPASS_TEST_KEYSTONE_CLIENT_CERT").into(), env("SETPASS_TEST_KEYSTONE_CLIENT_KEY").into())
}

/// The plain Keystone at a path prefix (`/identity/v3`), without keep-alive.
pub fn prefix_url() -> String {
    env("SETPASS_TEST_KEYSTONE_PREFIX_URL")
}

/// The venv's python (keystoneauth1 comes with Keystone).
pub fn test_python() -> String {
    env("SETPASS_TEST_PYTHON")
}

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
    pub clock: OffsetClock,
    /// Its database (SQLite, or MariaDB with SETPASS_TEST_BACKEND=mariadb); shared by replicas.
    pub database: Arc<TestDatabase>,
    pub metrics_port: Option<u16>,
    _dir: Arc<tempfile::TempDir>,
}

pub async fn spawn_app(auth_url: &str) -> TestApp {
    spawn_app_with(auth_url, |_| {}).await
}

/// Starts the app on port 0 with its own temp database, cheap argon2 and a manual clock.
pub async fn spawn_app_with(auth_url: &str, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let database = Arc::new(TestDatabase::create(dir.path()));
    spawn_replica(&database, dir, auth_url, adjust).await
}

/// Another app on the same database as `app`: a second replica, or the same one restarted.
pub async fn spawn_app_on(app: &TestApp, auth_url: &str, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_replica(&app.database, app._dir.clone(), auth_url, adjust).await
}

/// An app on an existing database (another replica of it).
pub async fn spawn_app_on_database(database: &Arc<TestDatabase>, auth_url: &str) -> TestApp {
    spawn_app_on_database_with(database, auth_url, |_| {}).await
}

pub async fn spawn_app_on_database_with(
    database: &Arc<TestDatabase>,
    auth_url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_replica(database, Arc::new(tempfile::tempdir().unwrap()), auth_url, adjust).await
}

/// Two apps on one new MariaDB database (whatever the suite's backend): two replicas.
pub async fn spawn_replicas(auth_url: &str, adjust: impl Fn(&mut Settings)) -> (TestApp, TestApp) {
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let database = Arc::new(TestDatabase::create_mariadb());
    let first = spawn_replica(&database, dir.clone(), auth_url, &adjust).await;
    let second = spawn_replica(&database, dir, auth_url, &adjust).await;
    (first, second)
}

async fn spawn_replica(
    database: &Arc<TestDatabase>,
    dir: Arc<tempfile::TempDir>,
    auth_url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> TestApp {
    init_logs();
    let mut settings = Settings::with_defaults(
        "127.0.0.1:0".parse().unwrap(),
        PUBLIC_URL,
        dir.path().join("setpass.db"),
        auth_url,
    );
    database.configure(&mut settings);
    settings.server.workers = 1;
    settings.argon2.memory_kib = 1024;
    settings.argon2.iterations = 1;
    // Every test client is 127.0.0.1: rate limits are tested on their own.
    settings.limits.user_per_minute = 1_000_000;
    settings.limits.user_burst = 1_000_000;
    settings.limits.admin_per_minute = 1_000_000;
    settings.limits.admin_burst = 1_000_000;
    adjust(&mut settings);
    let clock = OffsetClock::new();
    let app = Application::build(settings, Arc::new(clock.clone())).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_port = app.metrics_port();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        clock,
        database: database.clone(),
        metrics_port,
        _dir: dir,
    }
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
    /// Whether the link opens, asked as the user would (`POST /api/v1/status`): 200, or 404 for
    /// a link that was replaced or revoked.
    pub async fn link_is_live(&self, token: &str) -> bool {
        let response = self.api("status", json!({"token": token})).await;
        match response.status() {
            StatusCode::OK => true,
            StatusCode::NOT_FOUND => false,
            other => panic!("status of a link: {other}"),
        }
    }

    /// The current value of one of the app's own metrics (0 when it has no sample yet).
    pub async fn metric(&self, name: &str) -> f64 {
        let text =
            self.client.get(format!("{}/metrics", self.address)).send().await.unwrap().text().await.unwrap();
        let prefix = format!("{name} ");
        text.lines().find_map(|l| l.strip_prefix(&prefix)).and_then(|v| v.parse().ok()).unwrap_or(0.0)
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
        let user = self.user_with_admin_project_role(role).await;
        password_token(&self.http, &self.url, &user.name, &user.password, project_scope("admin"))
            .await
            .unwrap()
    }

    /// A new user holding `role` on the admin project (`admin`: a service user for setpass).
    pub async fn user_with_admin_project_role(&self, role: &str) -> KeystoneUser {
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
        user
    }

    /// `GET <keystone>/v3<path>` as the bootstrap admin.
    pub async fn admin_get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .send()
            .await;
        response.unwrap().json().await.unwrap()
    }

    async fn lookup_id(&self, collection: &str, name: &str) -> String {
        let body = self.admin_get(&format!("/{collection}?name={name}")).await;
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

/// The code an authenticator app would show now for `secret`.
pub fn code_now(secret: &str) -> String {
    code_at(secret, Utc::now().timestamp())
}

pub fn code_at(secret: &str, unix_secs: i64) -> String {
    setpass::domain::TotpSecret::parse(secret).unwrap().code_at(unix_secs)
}

impl TestApp {
    /// PUT a new record; returns the one-time token.
    pub async fn new_link(&self, keystone: &Keystone, user: &KeystoneUser, pin: &str) -> String {
        let response = self
            .put_token(&user.id, &keystone.admin_token, Some(json!({"password": user.password, "pin": pin})))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    pub async fn api(&self, step: &str, body: Value) -> Response {
        self.client.post(format!("{}/api/v1/{step}", self.address)).json(&body).send().await.unwrap()
    }

    pub async fn submit_password(&self, token: &str, pin: &str, password: &str) -> Response {
        self.api("password", json!({"token": token, "pin": pin, "password": password})).await
    }

    pub async fn submit_totp(&self, token: &str, code: &str) -> Response {
        self.api("totp", json!({"token": token, "code": code})).await
    }

    /// The TOTP secret the link currently shows.
    pub async fn totp_secret(&self, token: &str) -> String {
        let body: Value = self.api("status", json!({"token": token})).await.json().await.unwrap();
        body["totp"]["secret"].as_str().unwrap_or_else(|| panic!("no TOTP step: {body}")).to_owned()
    }

    pub async fn page(&self, token: &str) -> Response {
        self.client.get(format!("{}/?token={token}", self.address)).send().await.unwrap()
    }

    pub async fn post_form(&self, token: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}/?token={token}", self.address)).form(fields).send().await.unwrap()
    }

    /// The password step through the JSON API; returns the TOTP secret the next step shows.
    pub async fn password_step(&self, token: &str, pin: &str, new_password: &str) -> String {
        let response = self.submit_password(token, pin, new_password).await;
        assert_eq!(response.status(), StatusCode::OK, "password step: {}", response.text().await.unwrap());
        let body: Value = response.json().await.unwrap();
        body["totp"]["secret"].as_str().unwrap().to_owned()
    }

    /// The password step, then the TOTP step with the code the user's app shows: the TOTP step's
    /// answer, which comes once the login the password step left running is over.
    pub async fn password_then_code(&self, token: &str, pin: &str, new_password: &str) -> Response {
        let secret = self.password_step(token, pin, new_password).await;
        self.submit_totp(token, &code_now(&secret)).await
    }

    /// Waits (at most 5 s) until the login the password step runs after its answer has kept the
    /// user's token, for tests that change what Keystone or the record holds after that login.
    pub async fn until_token_kept(&self, token: &str) {
        let hash = setpass::domain::OneTimeToken::parse(token).unwrap().hash();
        for _ in 0..50 {
            // A store of its own each time: a store caches what it read until it writes.
            let store = self.database.store();
            let flow = store.flow_by_token(&hash).await.unwrap();
            if flow.is_some_and(|flow| flow.user_token_ct.is_some()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the login after the password step kept no token within 5 s");
    }

    /// Password step and TOTP step through the JSON API; returns the enrolled secret.
    pub async fn onboard(&self, token: &str, pin: &str, new_password: &str) -> String {
        let secret = self.password_step(token, pin, new_password).await;
        let response = self.submit_totp(token, &code_now(&secret)).await;
        assert_eq!(response.status(), StatusCode::OK, "totp step: {}", response.text().await.unwrap());
        secret
    }
}

impl Keystone {
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Status of a single-step login with password and TOTP code (201 when both are right).
    pub async fn login_with_totp(&self, user_id: &str, password: &str, code: &str) -> StatusCode {
        let body = json!({"auth": {"identity": {"methods": ["password", "totp"],
            "password": {"user": {"id": user_id, "password": password}},
            "totp": {"user": {"id": user_id, "passcode": code}}}}});
        self.http.post(format!("{}/auth/tokens", self.url)).json(&body).send().await.unwrap().status()
    }

    /// Status of a password-only login.
    pub async fn login_with_password(&self, user_id: &str, password: &str) -> StatusCode {
        let body = json!({"auth": {"identity": {"methods": ["password"],
            "password": {"user": {"id": user_id, "password": password}}}}});
        self.http.post(format!("{}/auth/tokens", self.url)).json(&body).send().await.unwrap().status()
    }

    /// The blobs of the user's `totp` credentials.
    pub async fn totp_credentials(&self, user_id: &str) -> Vec<String> {
        let body = self.admin_get(&format!("/credentials?user_id={user_id}&type=totp")).await;
        body["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["blob"].as_str().unwrap().to_owned())
            .collect()
    }

    /// What an admin does after a lost phone: a new random password.
    pub async fn reset_password(&self, user: &mut KeystoneUser) {
        user.password = format!("Rnd-{:x}-8", rand::thread_rng().gen::<u64>());
        let response = self
            .http
            .patch(format!("{}/users/{}", self.url, user.id))
            .header("X-Auth-Token", &self.admin_token)
            .json(&json!({"user": {"password": user.password}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    pub async fn get_user(&self, user_id: &str) -> Value {
        self.admin_get(&format!("/users/{user_id}")).await
    }

    /// The bootstrap admin's user id.
    pub async fn admin_user_id(&self) -> String {
        let validated: Value = self
            .http
            .get(format!("{}/auth/tokens?nocatalog", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .header("X-Subject-Token", &self.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        validated["token"]["user"]["id"].as_str().unwrap().to_owned()
    }

    /// An application credential of the bootstrap admin (admin role on the admin project).
    pub async fn admin_application_credential(&self) -> (String, String) {
        self.admin_application_credential_with(false).await
    }

    /// The same, `unrestricted`: Keystone lets it manage credentials (as the seed's deployment
    /// guide creates it for Horizon's first-login enrollment).
    pub async fn admin_application_credential_with(&self, unrestricted: bool) -> (String, String) {
        let admin_id = self.admin_user_id().await;
        let response = self
            .http
            .post(format!("{}/users/{admin_id}/application_credentials", self.url))
            .header("X-Auth-Token", &self.admin_token)
            .json(&json!({"application_credential": {"name": unique("setpass-test"), "unrestricted": unrestricted}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        let credential = &body["application_credential"];
        (credential["id"].as_str().unwrap().to_owned(), credential["secret"].as_str().unwrap().to_owned())
    }
}

impl Keystone {
    /// An admin call with a JSON body; panics unless Keystone answers 2xx. Returns the body.
    pub async fn admin_send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.url))
            .header("X-Auth-Token", &self.admin_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A new user whose MFA options are set at creation, as seed-style deployments do.
    pub async fn create_user_with_mfa_rules(&self, rules: Value) -> KeystoneUser {
        let user = self.create_user().await;
        self.set_user_options(
            &user.id,
            json!({"multi_factor_auth_enabled": true, "multi_factor_auth_rules": rules}),
        )
        .await;
        user
    }

    pub async fn set_user_options(&self, user_id: &str, options: Value) {
        self.admin_send(
            reqwest::Method::PATCH,
            &format!("/users/{user_id}"),
            Some(json!({"user": {"options": options}})),
        )
        .await;
    }

    pub async fn user_options(&self, user_id: &str) -> Value {
        self.get_user(user_id).await["user"]["options"].clone()
    }

    pub async fn disable_user(&self, user_id: &str) {
        self.admin_send(
            reqwest::Method::PATCH,
            &format!("/users/{user_id}"),
            Some(json!({"user": {"enabled": false}})),
        )
        .await;
    }

    pub async fn delete_user(&self, user_id: &str) {
        self.admin_send(reqwest::Method::DELETE, &format!("/users/{user_id}"), None).await;
    }

    /// A new domain; returns its id.
    pub async fn create_domain(&self) -> String {
        let body = self
            .admin_send(
                reqwest::Method::POST,
                "/domains",
                Some(json!({"domain": {"name": unique("domain")}})),
            )
            .await;
        body["domain"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn create_user_in(&self, domain_id: &str) -> KeystoneUser {
        let name = unique("user");
        let password = format!("Rnd-{:x}-9", rand::thread_rng().gen::<u64>());
        let body = self
            .admin_send(
                reqwest::Method::POST,
                "/users",
                Some(json!({"user": {"name": name, "password": password, "domain_id": domain_id}})),
            )
            .await;
        KeystoneUser { id: body["user"]["id"].as_str().unwrap().to_owned(), name, password }
    }

    /// A new user of `domain_id` holding `role` on that domain.
    pub async fn domain_user_with_role(&self, domain_id: &str, role: &str) -> KeystoneUser {
        let user = self.create_user_in(domain_id).await;
        let role_id = self.lookup_id("roles", role).await;
        let path = format!("/domains/{domain_id}/users/{}/roles/{role_id}", user.id);
        self.admin_send(reqwest::Method::PUT, &path, None).await;
        user
    }

    /// A token scoped to `domain_id` for a new user of that domain holding `role` there.
    pub async fn domain_token_with_role(&self, domain_id: &str, role: &str) -> String {
        let user = self.domain_user_with_role(domain_id, role).await;
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {"id": user.id, "password": user.password}}},
            "scope": {"domain": {"id": domain_id}}}});
        let response = self.http.post(format!("{}/auth/tokens", self.url)).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "domain-scoped login");
        response.headers()["x-subject-token"].to_str().unwrap().to_owned()
    }

    /// A new user with `role` on the admin project, and their unscoped token.
    pub async fn unscoped_token_of_admin_project(&self, role: &str) -> (KeystoneUser, String) {
        let user = self.create_user().await;
        let project = self.lookup_id("projects", "admin").await;
        let role_id = self.lookup_id("roles", role).await;
        self.admin_send(
            reqwest::Method::PUT,
            &format!("/projects/{project}/users/{}/roles/{role_id}", user.id),
            None,
        )
        .await;
        let token =
            password_token(&self.http, &self.url, &user.name, &user.password, Value::Null).await.unwrap();
        (user, token)
    }

    /// Whether a password-only login gets an MFA receipt (the rules are on and need more).
    pub async fn password_login_gets_a_receipt(&self, user_id: &str, password: &str) -> bool {
        let body = json!({"auth": {"identity": {"methods": ["password"],
            "password": {"user": {"id": user_id, "password": password}}}}});
        let response = self.http.post(format!("{}/auth/tokens", self.url)).json(&body).send().await.unwrap();
        response.status() == StatusCode::UNAUTHORIZED
            && response.headers().contains_key("openstack-auth-receipt")
    }
}

/// An app talking to Keystone at `app_url`, and the test's admin on the same Keystone at `admin_url`.
pub async fn app_and_keystone(app_url: &str, admin_url: &str) -> (TestApp, Keystone) {
    tokio::join!(spawn_app(app_url), Keystone::connect(admin_url))
}

/// An app on `url` with a new application credential of the bootstrap admin as its service
/// credential; returns the app and the credential's id.
pub async fn app_with_service(
    keystone: &Keystone,
    url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> (TestApp, String) {
    app_with_service_of(keystone, false, url, adjust).await
}

/// As `app_with_service`, the service credential `unrestricted` (or not).
pub async fn app_with_service_of(
    keystone: &Keystone,
    unrestricted: bool,
    url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> (TestApp, String) {
    let (id, secret) = keystone.admin_application_credential_with(unrestricted).await;
    let service_id = id.clone();
    let app = spawn_app_with(url, move |s| {
        s.keystone.service_credential_id = Some(service_id);
        s.keystone.service_credential_secret = Some(secret);
        adjust(s);
    })
    .await;
    (app, id)
}

/// An app on `url` whose service identity is a new service user (the admin role on the admin
/// project, by name and password); returns the app and the user.
pub async fn app_with_service_user(
    keystone: &Keystone,
    url: &str,
    adjust: impl FnOnce(&mut Settings),
) -> (TestApp, KeystoneUser) {
    let service = keystone.user_with_admin_project_role("admin").await;
    let (name, password) = (service.name.clone(), service.password.clone());
    let app = spawn_app_with(url, move |s| {
        s.keystone.service_user_name = Some(name);
        s.keystone.service_user_password = Some(password);
        adjust(s);
    })
    .await;
    (app, service)
}
