//! A Keystone stand-in (wiremock) for the faults a real one will not make on demand: the pieces
//! every such test needs, so each test mounts only its fault.
use chrono::{SecondsFormat, Utc};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The user every stand-in knows.
pub const USER: &str = "0123456789abcdef0123456789abcdef";

/// An hour from now, as Keystone writes it.
pub fn expires() -> String {
    (Utc::now() + chrono::Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A token answer of `POST /v3/auth/tokens` (201, `X-Subject-Token`), a system admin's.
pub fn token_answer(token: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).insert_header("X-Subject-Token", token).set_body_json(admin_token_body())
}

fn admin_token_body() -> serde_json::Value {
    json!({"token": {"expires_at": expires(), "roles": [{"name": "admin"}], "system": {"all": true}}})
}

/// A stand-in that validates any token as a system admin's (`GET /v3/auth/tokens`), optionally
/// after `validation_delay`, and knows `USER` (`GET /v3/users/USER`, no options).
pub async fn keystone_with_admin(validation_delay: std::time::Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/auth/tokens"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(admin_token_body()).set_delay(validation_delay),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/users/{USER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"id": USER, "name": "u"}})))
        .mount(&server)
        .await;
    server
}
