//! The user's flow when Keystone misbehaves in ways a real one will not on demand (wiremock).
use crate::helpers::*;
use crate::standin::{keystone_with_admin, USER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn keystone_that_stalls_on_password_change() -> MockServer {
    let server = keystone_with_admin(Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path_regex("^/v3/users/.*/password$"))
        .respond_with(ResponseTemplate::new(204).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_keystone_timeout_during_the_password_step_answers_503_and_consumes_nothing() {
    let keystone = keystone_that_stalls_on_password_change().await;
    let app = spawn_app_with(&format!("{}/v3", keystone.uri()), |s| {
        s.keystone.timeout = setpass::config::Seconds(1)
    })
    .await;
    let issued: Value = app
        .put_token(USER, "admin", Some(json!({"password": "random-1", "pin": "1234"})))
        .await
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap();

    let response = app.submit_password(token, "1234", "my-own-password-42").await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let status: Value = app.api("status", json!({"token": token})).await.json().await.unwrap();
    assert_eq!(status["stage"], "password");
    assert_eq!(status["attempts_left"], 3);
    let page = app
        .post_form(
            token,
            &[
                ("pin", "1234"),
                ("password", "my-own-password-42"),
                ("confirm_password", "my-own-password-42"),
            ],
        )
        .await;
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().await.unwrap().contains("name=\"pin\""), "the form is shown again to retry");
}
