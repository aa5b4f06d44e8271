//! The whole onboarding against Keystone served the ways clouds serve it: closing every
//! connection (uwsgi `--http-socket`), behind TLS with a private CA (and client certificates),
//! and at a path prefix. setpass talks to the shape; the test's admin calls use the plain URL.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "my-own-password-42";

/// Onboards a new user of `admin_url`'s Keystone through an app that reaches it at `shape_url`,
/// and checks Keystone's state afterwards.
async fn onboard_through(app: &TestApp, keystone: &Keystone) {
    let user = keystone.create_user().await;
    let token = app.new_link(keystone, &user, "2468").await;

    let secret = app.onboard(&token, "2468", NEW_PASSWORD).await;

    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret], "exactly one credential");
}

#[tokio::test]
async fn a_user_onboards_against_a_keystone_that_closes_every_connection() {
    let (app, keystone) = app_and_keystone(&no_keepalive_url(), &keystone_url()).await;
    onboard_through(&app, &keystone).await;
}

#[tokio::test]
async fn a_first_use_user_onboards_against_a_keystone_that_closes_every_connection() {
    let (app, keystone) = app_and_keystone(&first_use_no_keepalive_url(), &first_use_keystone_url()).await;
    onboard_through(&app, &keystone).await;
}

#[tokio::test]
async fn thirty_onboardings_in_a_row_all_finish_against_a_keystone_that_closes_every_connection() {
    let (app, keystone) = app_and_keystone(&no_keepalive_url(), &keystone_url()).await;
    for _ in 0..30 {
        onboard_through(&app, &keystone).await;
    }
    // Whether one onboarding meets a closed connection depends on timing; thirty always do.
    let retries = app.metric("setpass_keystone_retries_total").await;
    assert!(retries > 0.0, "the server really closed pooled connections");
}

#[tokio::test]
async fn a_user_with_mfa_rules_set_at_creation_onboards_and_keeps_exactly_those_rules() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let (app, _) = app_with_service(&keystone, &no_keepalive_url(), |_| {}).await;
    let rules = json!([["password", "totp"], ["application_credential"]]);
    let user = keystone.create_user_with_mfa_rules(rules.clone()).await;
    let token = app.new_link(&keystone, &user, "2468").await;

    let secret = app.onboard(&token, "2468", NEW_PASSWORD).await;

    let options = keystone.user_options(&user.id).await;
    assert_eq!(options["multi_factor_auth_enabled"], true);
    assert_eq!(options["multi_factor_auth_rules"], rules);
    assert!(
        keystone.password_login_gets_a_receipt(&user.id, NEW_PASSWORD).await,
        "password alone is not enough"
    );
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["mfa_restore_pending"], false);
}

#[tokio::test]
async fn a_user_onboards_through_tls_signed_by_a_private_ca_named_in_cafile() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let app = spawn_app_with(&tls_url(), |s| s.keystone.cafile = Some(tls_ca())).await;
    onboard_through(&app, &keystone).await;
    assert_eq!(
        app.client.get(format!("{}/readyz", app.address)).send().await.unwrap().status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn without_the_private_ca_keystone_behind_tls_is_not_ready() {
    let app = spawn_app(&tls_url()).await;
    let response = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["keystone"], false);
}

#[tokio::test]
async fn a_keystone_asking_for_a_client_certificate_gets_the_configured_one() {
    let (cert, key) = client_cert();
    let keystone = Keystone::connect(&keystone_url()).await;
    let app = spawn_app_with(&mtls_url(), |s| {
        s.keystone.cafile = Some(tls_ca());
        s.keystone.certfile = Some(cert);
        s.keystone.keyfile = Some(key);
    })
    .await;
    onboard_through(&app, &keystone).await;

    let without = spawn_app_with(&mtls_url(), |s| s.keystone.cafile = Some(tls_ca())).await;
    let response = without.client.get(format!("{}/readyz", without.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "no client certificate, no Keystone");
}

#[tokio::test]
async fn a_user_onboards_against_keystone_at_a_path_prefix() {
    let (app, keystone) = app_and_keystone(&prefix_url(), &keystone_url()).await;
    onboard_through(&app, &keystone).await;
    assert_eq!(
        app.client.get(format!("{}/readyz", app.address)).send().await.unwrap().status(),
        StatusCode::OK
    );
}
