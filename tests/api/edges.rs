//! The edges of the web layer, tried as an outside client would: wrong methods, oversized heads,
//! stalled bodies, and paths spelled with percent-escapes.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn a_wrong_method_on_the_admin_and_user_apis_is_405_in_json() {
    let app = spawn_app(&closed_port_url()).await;
    for (method, path) in [
        (reqwest::Method::PATCH, "/token/0123456789abcdef0123456789abcdef"),
        (reqwest::Method::GET, "/api/v1/status"),
        (reqwest::Method::PUT, "/api/v1/password"),
    ] {
        let response =
            app.client.request(method.clone(), format!("{}{path}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], 405, "{method} {path}");
    }
}

#[tokio::test]
async fn a_too_long_address_of_the_users_page_is_a_page() {
    let app = spawn_app(&closed_port_url()).await;
    let response =
        app.client.get(format!("{}/?token={}", app.address, "a".repeat(3000))).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn request_heads_over_32_kib_are_refused() {
    let app = spawn_app(&closed_port_url()).await;
    for size in [40_000, 100_000] {
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .header("X-Padding", "p".repeat(size))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "{size} bytes");
    }
    let fine =
        app.client.get(format!("{}/healthz", app.address)).header("X-Padding", "p".repeat(8000)).send().await;
    assert_eq!(fine.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_client_that_stalls_its_body_is_cut_off() {
    let app =
        spawn_app_with(&closed_port_url(), |s| s.limits.client_request_timeout = setpass::config::Seconds(1))
            .await;
    let mut stream = tokio::net::TcpStream::connect(app.address.trim_start_matches("http://")).await.unwrap();
    let head = "POST /api/v1/status HTTP/1.1\r\nHost: setpass\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"tok";
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();

    let mut answer = vec![0; 1024];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer)).await;

    let n = read.expect("answered before the test gave up").unwrap();
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_percent_escaped_path_is_rate_limited_like_the_plain_one() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 1;
    })
    .await;
    let status = |path: &'static str| {
        let (client, address) = (app.client.clone(), app.address.clone());
        async move {
            client
                .post(format!("{address}{path}"))
                .body("{}")
                .header("content-type", "application/json")
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(status("/api/v1/status").await, StatusCode::BAD_REQUEST);
    assert_eq!(status("/%61pi/v1/status").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(status("/api/v1/%73tatus").await, StatusCode::TOO_MANY_REQUESTS);
}
