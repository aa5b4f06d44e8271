//! `setpass links` against a wiremock answering with the `GET /token` contract.
use super::{fetch_all, render};
use crate::operator::args::Format;
use crate::operator::service::{Service, ServiceError};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn record(user: &str) -> serde_json::Value {
    json!({"user_id": user, "user_name": format!("name-{user}"), "domain_id": null, "stage": "password",
        "authenticator_only": false, "expires_at": "2026-12-08T00:00:00Z", "expired": false,
        "attempts_left": 3, "locked": false, "mfa_restore_pending": false,
        "created_at": "2026-12-07T00:00:00Z", "updated_at": "2026-12-07T00:00:00Z"})
}

#[tokio::test]
async fn every_page_is_fetched_with_the_filters_until_next_is_null() {
    let server = MockServer::start().await;
    let next = format!("{}/token?stage=password&limit=2&marker=u2", server.uri());
    Mock::given(method("GET"))
        .and(path("/token"))
        .and(query_param("marker", "u2"))
        .and(header("X-Auth-Token", "operator-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tokens": [record("u3")],
            "links": {"self": "x", "next": null}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .and(query_param("stage", "password"))
        .and(query_param("limit", "2"))
        .and(header("X-Auth-Token", "operator-token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"tokens": [record("u1"), record("u2")],
            "links": {"self": "x", "next": next}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let service = Service::new(&server.uri(), None).unwrap();

    let query = [("stage", "password".to_owned()), ("limit", "2".to_owned())];
    let records = fetch_all(&service, &"operator-token".to_owned().into(), &query).await.unwrap();

    let ids: Vec<&str> = records.iter().map(|r| r["user_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
    let table = render(&records, Format::Table);
    assert!(table.contains("| name-u3"), "{table}");
    assert_eq!(render(&records, Format::Value).lines().count(), 3);
}

#[tokio::test]
async fn the_services_refusal_is_told_in_its_own_words() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {"code": 400,
            "title": "Bad Request", "message": "`stage`: use password, totp or complete"}})))
        .mount(&server)
        .await;
    let service = Service::new(&server.uri(), None).unwrap();

    let err = fetch_all(&service, &"t".to_owned().into(), &[("stage", "nope".into())]).await.unwrap_err();

    match err {
        ServiceError::Refused { status, message } => {
            assert_eq!(status, 400);
            assert_eq!(message, "`stage`: use password, totp or complete");
        }
        other => panic!("{other:?}"),
    }
}
