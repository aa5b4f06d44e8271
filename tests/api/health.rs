//! Liveness and readiness.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn healthz_answers_without_any_dependency() {
    let app = spawn_app(&closed_port_url()).await;

    let response = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn readyz_is_ready_when_the_database_and_keystone_answer() {
    let app = spawn_app(&keystone_url()).await;

    let response = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn readyz_is_not_ready_when_keystone_is_down() {
    let app = spawn_app(&closed_port_url()).await;

    let response = app.client.get(format!("{}/readyz", app.address)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["checks"]["database"], true);
    assert_eq!(body["checks"]["keystone"], false);
}

#[tokio::test]
async fn unknown_paths_get_a_json_404() {
    let app = spawn_app(&closed_port_url()).await;

    let response = app.client.get(format!("{}/nope", app.address)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 404);
}
