//! What a renewal (`PUT /token/{id}` on an existing record) does, checked as the user and the
//! admin see it: over HTTP, with the old and the new link.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "my-own-password-42";

async fn renew(app: &TestApp, keystone: &Keystone, user: &KeystoneUser, body: Value) -> (StatusCode, String) {
    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    (status, answer["token"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_empty_renewal_gives_a_new_link_with_the_same_pin_and_the_old_link_dies() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let user = keystone.create_user().await;
    let old = app.new_link(&keystone, &user, "1357").await;

    let (status, new) = renew(&app, &keystone, &user, json!({})).await;

    assert_eq!(status, StatusCode::OK);
    assert!(!app.link_is_live(&old).await, "the old link is dead");
    assert_eq!(app.submit_password(&old, "1357", NEW_PASSWORD).await.status(), StatusCode::NOT_FOUND);
    let secret = app.password_step(&new, "1357", NEW_PASSWORD).await;
    assert_eq!(app.submit_totp(&new, &code_now(&secret)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_pin_only_renewal_makes_the_new_pin_work_and_the_old_one_fail() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let user = keystone.create_user().await;
    app.new_link(&keystone, &user, "1357").await;

    let (status, new) = renew(&app, &keystone, &user, json!({"pin": "2468"})).await;

    assert_eq!(status, StatusCode::OK);
    let old_pin = app.submit_password(&new, "1357", NEW_PASSWORD).await;
    assert_eq!(old_pin.status(), StatusCode::FORBIDDEN, "the old PIN is wrong now");
    app.password_step(&new, "2468", NEW_PASSWORD).await;
}

#[tokio::test]
async fn renewing_a_locked_link_resets_the_count() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let user = keystone.create_user().await;
    let old = app.new_link(&keystone, &user, "1357").await;
    for pin in ["0000", "0001", "0002"] {
        app.submit_password(&old, pin, NEW_PASSWORD).await;
    }
    assert_eq!(app.submit_password(&old, "1357", NEW_PASSWORD).await.status(), StatusCode::LOCKED);

    let (_, new) = renew(&app, &keystone, &user, json!({})).await;

    let status: Value = app.api("status", json!({"token": new})).await.json().await.unwrap();
    assert_eq!(status["attempts_left"], 3);
    app.password_step(&new, "1357", NEW_PASSWORD).await;
}

#[tokio::test]
async fn a_renewal_at_the_totp_step_continues_there_with_the_same_key() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let user = keystone.create_user().await;
    let old = app.new_link(&keystone, &user, "1357").await;
    let secret = app.password_step(&old, "1357", NEW_PASSWORD).await;
    // A renewal before that login ends wins over it: the new link would ask for the password.
    app.until_token_kept(&old).await;

    let (_, new) = renew(&app, &keystone, &user, json!({})).await;

    let status: Value = app.api("status", json!({"token": new})).await.json().await.unwrap();
    assert_eq!(status["stage"], "totp");
    assert_eq!(app.totp_secret(&new).await, secret);
    assert_eq!(app.submit_totp(&new, &code_now(&secret)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_completed_record_renewed_without_a_password_is_409_and_with_one_starts_over() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let mut user = keystone.create_user().await;
    let old = app.new_link(&keystone, &user, "1357").await;
    app.onboard(&old, "1357", NEW_PASSWORD).await;

    let (status, _) = renew(&app, &keystone, &user, json!({"pin": "2468"})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    keystone.reset_password(&mut user).await;
    let (status, new) = renew(&app, &keystone, &user, json!({"password": user.password})).await;
    assert_eq!(status, StatusCode::OK);
    app.password_step(&new, "1357", "another-password-7").await;
}

#[tokio::test]
async fn a_completed_onboarding_leaves_no_secret_in_the_database() {
    let (app, keystone) = app_and_keystone(&keystone_url(), &keystone_url()).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;

    app.onboard(&token, "1357", NEW_PASSWORD).await;

    let columns = ["password_ct", "totp_secret_ct", "user_token_ct", "user_token_expires_at", "mfa_restore"];
    let left: Vec<bool> = columns.iter().map(|column| app.database.column_is_set(column, &user.id)).collect();
    assert_eq!(left, [false; 5], "{columns:?}");
}
