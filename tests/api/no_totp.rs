//! A Keystone whose `[auth] methods` lack `totp`: setpass says so in /readyz and leaves no
//! credential behind when a user tries to enroll.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

fn no_totp_url() -> String {
    std::env::var("SETPASS_TEST_KEYSTONE_NO_TOTP_URL").expect("run the tests with scripts/test.sh")
}

#[tokio::test]
async fn readiness_fails_when_keystone_lacks_the_totp_method_and_passes_when_it_has_it() {
    let (no_totp, plain) = (no_totp_url(), keystone_url());
    let (without, with) = tokio::join!(spawn_app(&no_totp), spawn_app(&plain));

    let response = without.client.get(format!("{}/readyz", without.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (body["checks"]["keystone"].clone(), body["checks"]["keystone_totp_method"].clone()),
        (true.into(), false.into())
    );

    let response = with.client.get(format!("{}/readyz", with.address)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["keystone_totp_method"], true);
}

#[tokio::test]
async fn a_users_try_to_enroll_leaves_no_credential_and_says_to_come_back() {
    let (app, keystone) = app_and_keystone(&no_totp_url(), &no_totp_url()).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let secret = app.password_step(&token, "1357", "my-own-password-42").await;

    let response = app.submit_totp(&token, &code_now(&secret)).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.text().await.unwrap().contains("not available right now"));
    assert!(keystone.totp_credentials(&user.id).await.is_empty(), "no credential left behind");
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["stage"], "totp", "not complete");
}
