//! Behaviour a real Keystone cannot be made to show: call counts, 500s and timeouts (wiremock).
use crate::helpers::*;
use chrono::{Duration, SecondsFormat, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration as StdDuration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const USER: &str = "0123456789abcdef0123456789abcdef";

fn admin_token_body(expires_in: Duration) -> Value {
    let expires = (Utc::now() + expires_in).to_rfc3339_opts(SecondsFormat::Micros, true);
    json!({"token": {
        "expires_at": expires,
        "roles": [{"id": "r1", "name": "admin"}],
        "project": {"id": "p1", "name": "admin", "domain": {"id": "default", "name": "Default"}}
    }})
}

async fn stand_in_keystone(expires_in: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/users/{USER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"id": USER, "name": "u"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(admin_token_body(expires_in)))
        .named("token validation")
        .mount(&server)
        .await;
    server
}

async fn validations(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/v3/auth/tokens").count()
}

#[tokio::test]
async fn a_burst_of_puts_costs_one_token_validation() {
    let keystone = stand_in_keystone(Duration::hours(1)).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;

    for _ in 0..5 {
        let response =
            app.put_token(USER, "cached-admin-token", Some(json!({"password": "p-1", "pin": "1234"}))).await;
        assert!(response.status().is_success(), "{}", response.status());
    }

    assert_eq!(validations(&keystone).await, 1);
}

#[tokio::test]
async fn the_cached_validation_lapses_after_60_seconds() {
    let keystone = stand_in_keystone(Duration::hours(1)).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;
    app.put_token(USER, "tok", Some(json!({"password": "p-1", "pin": "1234"}))).await;

    app.clock.advance(Duration::seconds(59));
    app.get_token(USER, "tok").await;
    assert_eq!(validations(&keystone).await, 1);
    app.clock.advance(Duration::seconds(2));
    app.get_token(USER, "tok").await;

    assert_eq!(validations(&keystone).await, 2);
}

#[tokio::test]
async fn the_cache_never_outlives_the_token() {
    let keystone = stand_in_keystone(Duration::seconds(10)).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;
    app.put_token(USER, "tok", Some(json!({"password": "p-1", "pin": "1234"}))).await;

    app.clock.advance(Duration::seconds(15));
    app.get_token(USER, "tok").await;

    assert_eq!(validations(&keystone).await, 2);
}

#[tokio::test]
async fn a_keystone_500_answers_503() {
    let keystone = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(500)).mount(&keystone).await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;

    let response = app.put_token(USER, "tok", Some(json!({"password": "p-1", "pin": "1234"}))).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_keystone_that_times_out_answers_503_and_stores_nothing() {
    let keystone = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(StdDuration::from_secs(5)))
        .mount(&keystone)
        .await;
    let app = spawn_app_with(&format!("{}/v3", keystone.uri()), |s| {
        s.keystone.timeout = setpass::config::Seconds(1)
    })
    .await;

    let started = std::time::Instant::now();
    let response = app.put_token(USER, "tok", Some(json!({"password": "p-1", "pin": "1234"}))).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < StdDuration::from_secs(4));
    let store = app.database.store();
    assert!(store.find(&setpass::domain::UserId::parse(USER).unwrap()).await.unwrap().is_none());
}
