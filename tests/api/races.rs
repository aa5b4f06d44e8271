//! An admin's renewal or revoke that lands while a user's step is in flight wins: the in-flight
//! result is discarded and the user is told the link was replaced. A Keystone stand-in holds the
//! step's Keystone call open while the test renews (a real Keystone cannot be paused on demand).
use crate::helpers::*;
use crate::standin::{expires, USER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HOLD: Duration = Duration::from_secs(2);

/// A Keystone where every call of the flow succeeds; `held` (method, path) answers after `HOLD`.
async fn keystone_holding(held: (&str, &str)) -> MockServer {
    let server = MockServer::start().await;
    let token =
        json!({"token": {"expires_at": expires(), "roles": [{"name": "admin"}], "system": {"all": true}}});
    let delay = |m: &str, p: &str| if (m, p) == held { HOLD } else { Duration::ZERO };
    let answers = [
        ("GET", "/v3/auth/tokens".to_owned(), ResponseTemplate::new(200).set_body_json(token.clone())),
        (
            "GET",
            format!("/v3/users/{USER}"),
            ResponseTemplate::new(200).set_body_json(json!({"user": {"id": USER, "name": "u"}})),
        ),
        ("POST", format!("/v3/users/{USER}/password"), ResponseTemplate::new(204)),
        (
            "POST",
            "/v3/auth/tokens".to_owned(),
            ResponseTemplate::new(201).insert_header("X-Subject-Token", "user-token").set_body_json(token),
        ),
        (
            "POST",
            "/v3/credentials".to_owned(),
            ResponseTemplate::new(201).set_body_json(json!({"credential": {"id": "cred-1"}})),
        ),
        (
            "GET",
            "/v3/credentials".to_owned(),
            ResponseTemplate::new(200).set_body_json(json!({"credentials": [{"id": "cred-1"}]})),
        ),
    ];
    for (m, p, answer) in answers {
        let delayed = answer.set_delay(delay(m, &p));
        Mock::given(method(m)).and(path(p)).respond_with(delayed).mount(&server).await;
    }
    server
}

async fn issue(app: &TestApp, body: Value) -> (StatusCode, String) {
    let response = app.put_token(USER, "admin", Some(body)).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    (status, answer["token"].as_str().unwrap_or_default().to_owned())
}

/// Waits (at most 10 s) until the stand-in has received a `method` request to `path_part`.
async fn until_received(server: &MockServer, method: &str, path_part: &str) {
    let waiting = async {
        loop {
            let requests = server.received_requests().await.unwrap();
            if requests.iter().any(|r| r.method.as_str() == method && r.url.path().contains(path_part)) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(10), waiting).await.expect("the held call reached the stand-in");
}

/// Sends `body` to `/api/v1/{step}` in the background; the answer comes when the step is done.
fn in_flight(app: &TestApp, step: &'static str, body: Value) -> tokio::task::JoinHandle<reqwest::Response> {
    let (client, address) = (app.client.clone(), app.address.clone());
    tokio::spawn(
        async move { client.post(format!("{address}/api/v1/{step}")).json(&body).send().await.unwrap() },
    )
}

async fn stage(app: &TestApp, token: &str) -> Value {
    let status: Value = app.api("status", json!({"token": token})).await.json().await.unwrap();
    status["stage"].clone()
}

/// A link whose password step is in flight, its Keystone call held open by the stand-in.
async fn password_step_held() -> (MockServer, TestApp, tokio::task::JoinHandle<reqwest::Response>) {
    let keystone = keystone_holding(("POST", &format!("/v3/users/{USER}/password"))).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;
    let (_, old) = issue(&app, json!({"password": "random-R1", "pin": "1234"})).await;
    let held =
        in_flight(&app, "password", json!({"token": old, "pin": "1234", "password": "my-own-password-42"}));
    until_received(&keystone, "POST", "/password").await;
    (keystone, app, held)
}

#[tokio::test]
async fn a_renewal_during_the_password_step_wins_and_the_new_link_uses_the_new_password() {
    let (keystone, app, in_flight) = password_step_held().await;

    let (renewed, new) = issue(&app, json!({"password": "random-R2", "pin": "1234"})).await;
    assert!(!in_flight.is_finished(), "the renewal landed while the step was still in flight");

    assert_eq!(renewed, StatusCode::OK);
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert!(answer.text().await.unwrap().contains("replaced"));
    assert_eq!(stage(&app, &new).await, "password", "the renewal stands");
    let step = app.submit_password(&new, "1234", "my-own-password-42").await;
    assert_eq!(step.status(), StatusCode::OK);
    let changes: Vec<String> = keystone
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path().ends_with("/password"))
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        changes.last().unwrap().contains("random-R2"),
        "the new link changes from the admin's new password"
    );
}

#[tokio::test]
async fn a_renewal_during_enrollment_wins_and_the_new_link_can_still_enroll() {
    let keystone = keystone_holding(("POST", "/v3/credentials")).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;
    let (_, old) = issue(&app, json!({"password": "random-R1", "pin": "1234"})).await;
    let secret = app.password_step(&old, "1234", "my-own-password-42").await;
    let in_flight = in_flight(&app, "totp", json!({"token": old, "code": code_now(&secret)}));
    until_received(&keystone, "POST", "/credentials").await;

    let (renewed, new) = issue(&app, json!({})).await;
    assert!(!in_flight.is_finished(), "the renewal landed while the step was still in flight");

    assert_eq!(renewed, StatusCode::OK);
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status(), StatusCode::CONFLICT);
    assert!(answer.text().await.unwrap().contains("replaced"));
    assert_eq!(stage(&app, &new).await, "totp", "not complete: the renewal stands");
    let done = app.submit_totp(&new, &code_now(&secret)).await;
    assert_eq!(done.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_revoke_and_a_new_link_during_the_password_step_win() {
    let (_keystone, app, in_flight) = password_step_held().await;

    assert_eq!(app.delete_token(USER, "admin").await.status(), StatusCode::NO_CONTENT);
    let (created, new) = issue(&app, json!({"password": "random-R2", "pin": "1234"})).await;
    assert!(!in_flight.is_finished(), "revoked and issued again while the step was in flight");

    assert_eq!(created, StatusCode::CREATED);
    assert_eq!(in_flight.await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(stage(&app, &new).await, "password", "the new link starts from the beginning");
}
