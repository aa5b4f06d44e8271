//! `kill -9` at each step of the flow, then a restart on the same database: the same link
//! still completes the onboarding, and Keystone ends up with exactly one TOTP credential.
use crate::helpers::*;
use crate::process::{temp_dir, KeystoneProxy, ServerProcess, Stall};
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "my-own-password-42";

pub(crate) async fn post(address: &str, step: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new().post(format!("{address}/api/v1/{step}")).json(&body).send().await.unwrap()
}

/// Issues a link on a setpass at `address` (PIN 1357); returns the token.
pub(crate) async fn issue(address: &str, keystone: &Keystone, user: &KeystoneUser) -> String {
    let response = reqwest::Client::new()
        .put(format!("{address}/token/{}", user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"password": user.password, "pin": "1357"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn password_step(address: &str, token: &str) -> reqwest::Response {
    post(address, "password", json!({"token": token, "pin": "1357", "password": NEW_PASSWORD})).await
}

/// Sends a request that will never be answered, and kills the server once the proxy holds it.
async fn crash_during(server: ServerProcess, proxy: &KeystoneProxy, step: &'static str, body: Value) {
    let address = server.address.clone();
    let pending = tokio::spawn(async move { post(&address, step, body).await });
    proxy.reached().await;
    server.kill_hard();
    // The request never gets an answer: the connection drops with the process.
    pending.abort();
}

/// After the restart: finish whatever is left with the same link, then check Keystone.
async fn finish_and_check(address: &str, keystone: &Keystone, user: &KeystoneUser, token: &str) {
    let status: Value = post(address, "status", json!({"token": token})).await.json().await.unwrap();
    if status["stage"] == "password" {
        let response = password_step(address, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    }
    let status: Value = post(address, "status", json!({"token": token})).await.json().await.unwrap();
    let secret = status["totp"]["secret"].as_str().unwrap_or_else(|| panic!("{status}")).to_owned();
    let response = post(address, "totp", json!({"token": token, "code": code_now(&secret)})).await;
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
}

async fn crash_in_password_step(after_keystone: bool) {
    let url = first_use_keystone_url();
    let (keystone, proxy) = tokio::join!(Keystone::connect(&url), KeystoneProxy::start(&url));
    let user = keystone.create_user().await;
    let (_dir, dir) = temp_dir();
    let first = ServerProcess::start(&dir, &proxy.url, &[]);
    let token = issue(&first.address, &keystone, &user).await;
    proxy.stall(Stall { method: "POST", path_contains: "/password", body_contains: "", after_keystone });

    crash_during(first, &proxy, "password", json!({"token": token, "pin": "1357", "password": NEW_PASSWORD}))
        .await;

    let second = ServerProcess::start(&dir, &url, &[]);
    finish_and_check(&second.address, &keystone, &user, &token).await;
}

async fn crash_in_totp_step(stall: Stall) {
    let url = keystone_url();
    let (keystone, proxy) = tokio::join!(Keystone::connect(&url), KeystoneProxy::start(&url));
    let user = keystone.create_user().await;
    let (_dir, dir) = temp_dir();
    let first = ServerProcess::start(&dir, &proxy.url, &[]);
    let token = issue(&first.address, &keystone, &user).await;
    let answer: Value = password_step(&first.address, &token).await.json().await.unwrap();
    let secret = answer["totp"]["secret"].as_str().unwrap().to_owned();
    proxy.stall(stall);

    crash_during(first, &proxy, "totp", json!({"token": token, "code": code_now(&secret)})).await;

    let second = ServerProcess::start(&dir, &url, &[]);
    finish_and_check(&second.address, &keystone, &user, &token).await;
}

#[tokio::test]
async fn a_crash_before_keystone_sees_the_password_change_is_resumed_with_the_same_link() {
    crash_in_password_step(false).await;
}

#[tokio::test]
async fn a_crash_after_keystone_changed_the_password_is_resumed_with_the_same_link() {
    crash_in_password_step(true).await;
}

#[tokio::test]
async fn a_crash_after_the_credential_was_created_leaves_one_credential_after_resuming() {
    crash_in_totp_step(Stall {
        method: "POST",
        path_contains: "/credentials",
        body_contains: "",
        after_keystone: true,
    })
    .await;
}

#[tokio::test]
async fn a_crash_after_keystone_confirmed_the_code_is_resumed_with_the_same_link() {
    crash_in_totp_step(Stall {
        method: "POST",
        path_contains: "/auth/tokens",
        body_contains: "passcode",
        after_keystone: true,
    })
    .await;
}

#[tokio::test]
async fn a_crash_right_after_the_mfa_rules_were_switched_off_is_undone_at_the_next_start() {
    let url = keystone_url();
    let (keystone, proxy) = tokio::join!(Keystone::connect(&url), KeystoneProxy::start(&url));
    let (id, secret) = keystone.admin_application_credential().await;
    let service = [
        ("SETPASS_KEYSTONE__SERVICE_CREDENTIAL_ID", id.as_str()),
        ("SETPASS_KEYSTONE__SERVICE_CREDENTIAL_SECRET", secret.as_str()),
    ];
    let rules = json!([["password", "totp"], ["application_credential"]]);
    let user = keystone.create_user_with_mfa_rules(rules.clone()).await;
    let (_dir, dir) = temp_dir();
    let first = ServerProcess::start(&dir, &proxy.url, &service);
    let token = issue(&first.address, &keystone, &user).await;
    proxy.stall(Stall {
        method: "PATCH",
        path_contains: "/users/",
        body_contains: r#""multi_factor_auth_enabled":false"#,
        after_keystone: true,
    });

    crash_during(first, &proxy, "password", json!({"token": token, "pin": "1357", "password": NEW_PASSWORD}))
        .await;
    assert_eq!(
        keystone.user_options(&user.id).await["multi_factor_auth_enabled"],
        false,
        "the crash left them off"
    );

    let _second = ServerProcess::start(&dir, &url, &service);
    let started = std::time::Instant::now();
    while keystone.user_options(&user.id).await["multi_factor_auth_enabled"] != true {
        assert!(started.elapsed() < std::time::Duration::from_secs(15), "the rules were not put back");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(keystone.user_options(&user.id).await["multi_factor_auth_rules"], rules);
}
