//! Keystone states users and operators run into: disabled and deleted users, a Keystone that
//! looks back fewer TOTP windows than setpass, MFA rules the operator clears later, enforce_mfa
//! merging with the rules a user already had.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "my-own-password-42";

async fn setup() -> (TestApp, Keystone) {
    app_and_keystone(&keystone_url(), &keystone_url()).await
}

async fn status(app: &TestApp, token: &str) -> Value {
    app.api("status", json!({"token": token})).await.json().await.unwrap()
}

#[tokio::test]
async fn a_user_disabled_after_the_link_was_issued_is_told_so_and_nothing_is_used_up() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    keystone.disable_user(&user.id).await;

    let response = app.submit_password(&token, "1357", NEW_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(body.contains("disabled") && body.contains("administrator"), "{body}");
    let now = status(&app, &token).await;
    assert_eq!((now["stage"].clone(), now["attempts_left"].clone()), (json!("password"), json!(3)));
    let page = app
        .post_form(&token, &[("pin", "1357"), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
        .await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    assert!(page.text().await.unwrap().contains("disabled"));

    keystone
        .admin_send(
            reqwest::Method::PATCH,
            &format!("/users/{}", user.id),
            Some(json!({"user": {"enabled": true}})),
        )
        .await;
    let secret = app.password_step(&token, "1357", NEW_PASSWORD).await;
    assert_eq!(
        app.submit_totp(&token, &code_now(&secret)).await.status(),
        StatusCode::OK,
        "once enabled, the same link works"
    );
}

#[tokio::test]
async fn a_user_deleted_after_the_link_was_issued_is_told_the_account_is_gone() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, _) = app_with_service(&keystone, &url, |_| {}).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    keystone.delete_user(&user.id).await;

    let response = app.submit_password(&token, "1357", NEW_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::GONE);
    let body = response.text().await.unwrap();
    assert!(body.contains("no longer exists") && !body.contains("changed elsewhere"), "{body}");
    assert_eq!(status(&app, &token).await["attempts_left"], 3, "no PIN attempt used");
}

#[tokio::test]
async fn a_code_keystone_finds_too_old_removes_the_new_credential_counts_and_asks_for_the_newest() {
    let url = keystone_url();
    // Keystone looks back 1 window (its default); setpass is told 3.
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.totp.previous_windows = 3), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let secret = app.password_step(&token, "1357", NEW_PASSWORD).await;
    let old = code_at(&secret, chrono::Utc::now().timestamp() - 75);

    let response = app.submit_totp(&token, &old).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.text().await.unwrap().contains("next code"));
    assert!(keystone.totp_credentials(&user.id).await.is_empty(), "no stray credential");
    assert_eq!(status(&app, &token).await["totp"]["attempts_left"], 9, "counted as a wrong code");
    assert_eq!(app.submit_totp(&token, &code_now(&secret)).await.status(), StatusCode::OK);
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
}

#[tokio::test]
async fn after_the_operator_clears_the_mfa_rules_the_same_link_continues() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user_with_mfa_rules(json!([["password", "totp"]])).await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let blocked = app.password_then_code(&token, "1357", NEW_PASSWORD).await;
    assert_eq!(blocked.json::<Value>().await.unwrap(), json!({"stage": "totp", "needs_operator": true}));
    let still = app.api("resume", json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_eq!(still.json::<Value>().await.unwrap()["needs_operator"], true, "rules still on");

    keystone.set_user_options(&user.id, json!({"multi_factor_auth_enabled": false})).await;
    let page = app.post_form(&token, &[("resume", "1"), ("password", NEW_PASSWORD)]).await;

    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("name=\"code\""), "the authenticator step is shown");
    let secret = app.totp_secret(&token).await;
    assert_eq!(app.submit_totp(&token, &code_now(&secret)).await.status(), StatusCode::OK);
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
}

#[tokio::test]
async fn enforcing_mfa_keeps_the_rules_a_user_already_had() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, _) = app_with_service(&keystone, &url, |s| s.keystone.enforce_mfa = true).await;
    let user = keystone.create_user_with_mfa_rules(json!([["application_credential"]])).await;
    let token = app.new_link(&keystone, &user, "1357").await;

    app.onboard(&token, "1357", NEW_PASSWORD).await;

    let options = keystone.user_options(&user.id).await;
    assert_eq!(options["multi_factor_auth_enabled"], true);
    assert_eq!(options["multi_factor_auth_rules"], json!([["password", "totp"], ["application_credential"]]));
}

#[tokio::test]
async fn after_the_operator_configures_a_service_credential_the_same_link_continues() {
    let (app, keystone) = setup().await;
    let rules = json!([["password", "totp"], ["application_credential"]]);
    let user = keystone.create_user_with_mfa_rules(rules.clone()).await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let blocked = app.password_then_code(&token, "1357", NEW_PASSWORD).await;
    assert_eq!(blocked.json::<Value>().await.unwrap()["needs_operator"], true);

    // The operator restarts setpass with a service credential, on the same database.
    let (id, secret) = keystone.admin_application_credential().await;
    let restarted = spawn_app_on(&app, &keystone_url(), |s| {
        s.keystone.service_credential_id = Some(id);
        s.keystone.service_credential_secret = Some(secret);
    })
    .await;
    let page = restarted.page(&token).await.text().await.unwrap();
    assert!(page.contains("name=\"code\"") && page.contains("name=\"password\""), "{page}");
    let secret = restarted.totp_secret(&token).await;
    let done = restarted
        .api("totp", json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD}))
        .await;

    assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
    assert_eq!(keystone.user_options(&user.id).await["multi_factor_auth_rules"], rules);
}

#[tokio::test]
async fn wrong_passwords_on_the_continue_form_count_toward_the_lock() {
    let url = keystone_url();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.totp.max_attempts = 2), Keystone::connect(&url));
    let user = keystone.create_user_with_mfa_rules(json!([["password", "totp"]])).await;
    let token = app.new_link(&keystone, &user, "1357").await;
    app.submit_password(&token, "1357", NEW_PASSWORD).await;

    let first = app.api("resume", json!({"token": token, "password": "not-the-password-1"})).await;
    let second = app.api("resume", json!({"token": token, "password": "not-the-password-2"})).await;

    assert_eq!(first.status(), StatusCode::FORBIDDEN);
    assert_eq!(second.status(), StatusCode::LOCKED);
    let right = app.api("resume", json!({"token": token, "password": NEW_PASSWORD})).await;
    assert_eq!(right.status(), StatusCode::LOCKED, "locked for the right password too");
}

#[tokio::test]
async fn a_user_disabled_at_the_authenticator_step_is_told_so_and_no_attempt_is_used() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, _) = app_with_service(&keystone, &url, |_| {}).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let secret = app.password_step(&token, "1357", NEW_PASSWORD).await;
    app.until_token_kept(&token).await;
    // Keystone revokes the kept token with the account: the password is needed for a new one.
    keystone.disable_user(&user.id).await;
    let step = json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD});

    let response = app.api("totp", step).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body = response.text().await.unwrap();
    assert!(body.contains("disabled") && !body.contains("not right"), "{body}");
    assert_eq!(status(&app, &token).await["totp"]["attempts_left"], 10, "no attempt used up");
    let page = app.post_form(&token, &[("code", &code_now(&secret)), ("password", NEW_PASSWORD)]).await;
    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let page = page.text().await.unwrap();
    assert!(page.contains("disabled") && !page.contains("name=\"code\""), "the page ends: {page}");

    keystone
        .admin_send(
            reqwest::Method::PATCH,
            &format!("/users/{}", user.id),
            Some(json!({"user": {"enabled": true}})),
        )
        .await;
    let step = json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD});
    let done = app.api("totp", step).await;
    assert_eq!(done.status(), StatusCode::OK, "once enabled: {}", done.text().await.unwrap());
}
