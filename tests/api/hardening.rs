//! Hostile input and hostile clients: headers, rate limits, size limits, and bad input of every
//! kind answered with a clear 4xx, never a 500.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = spawn_app(&closed_port_url()).await;
    let urls = [
        "/",
        "/?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "/static/style.css",
        "/healthz",
        "/nope",
        "/token/x",
    ];
    for path in urls {
        let response = app.client.get(format!("{}{path}", app.address)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("form-action 'self'") && !csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}

#[tokio::test]
async fn pages_load_nothing_from_elsewhere() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;

    let html = app.page(&token).await.text().await.unwrap();

    assert!(!html.contains("<script") && !html.contains("style=") && !html.contains("<style"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "no external asset: {html}");
}

#[tokio::test]
async fn a_client_over_the_user_rate_gets_429_with_retry_after() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 2;
        s.limits.user_burst = 3;
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(app.client.get(format!("{}/?token=x", app.address)).send().await.unwrap());
    }

    let last = statuses.pop().unwrap();
    assert!(statuses.iter().all(|r| r.status() == StatusCode::BAD_REQUEST));
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = last.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30).contains(&retry), "{retry}");
    assert!(last.text().await.unwrap().contains("Please slow down"));
    let api = app.api("status", json!({"token": "x"})).await;
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS, "pages and the user API share the limit");
    let health = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK, "probes are not limited");
}

#[tokio::test]
async fn the_admin_api_has_its_own_limit() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.admin_per_minute = 1;
        s.limits.admin_burst = 1;
    })
    .await;

    let first = app.get_token("u1", "t").await;
    let second = app.get_token("u1", "t").await;

    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE, "Keystone is down here");
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(second.headers().contains_key("retry-after"));
    assert_eq!(app.api("status", json!({"token": "x"})).await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 1;
        s.limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| {
        app.client.get(format!("{}/?token=x", app.address)).header("X-Forwarded-For", ip).send()
    };

    assert_eq!(from("198.51.100.1").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(from("198.51.100.1").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(from("198.51.100.2").await.unwrap().status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 1;
    })
    .await;
    let from = |ip: &'static str| {
        app.client.get(format!("{}/?token=x", app.address)).header("X-Forwarded-For", ip).send()
    };

    assert_eq!(from("198.51.100.1").await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(from("198.51.100.2").await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_very_long_address_gets_414() {
    let app = spawn_app(&closed_port_url()).await;

    let response =
        app.client.get(format!("{}/?token={}", app.address, "a".repeat(3000))).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);
}

/// Bad bodies for each user endpoint, by class; none may produce a 5xx.
#[tokio::test]
async fn bad_input_of_every_class_gets_a_clear_4xx_never_a_500() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    let huge = "9".repeat(20_000);
    let json_cases: Vec<(&str, Vec<u8>, StatusCode)> = vec![
        (
            "wrong type",
            json!({"token": token, "pin": 1357, "password": "x"}).to_string().into(),
            StatusCode::BAD_REQUEST,
        ),
        ("missing field", json!({"token": token, "pin": "1357"}).to_string().into(), StatusCode::BAD_REQUEST),
        (
            "extra field",
            json!({"token": token, "pin": "1357", "password": "p", "x": 1}).to_string().into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "empty strings",
            json!({"token": "", "pin": "", "password": ""}).to_string().into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "huge string",
            json!({"token": token, "pin": huge, "password": "p"}).to_string().into(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "non-UTF-8",
            b"{\"token\": \"\xff\xfe\", \"pin\": \"1\", \"password\": \"p\"}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "control characters in the PIN",
            json!({"token": token, "pin": "13\u{0}7", "password": "p"}).to_string().into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "control characters in the token",
            json!({"token": "abc\ndefghijklmnopqrstuvwxyz", "pin": "1357", "password": "p"})
                .to_string()
                .into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "duplicate fields",
            format!("{{\"token\": \"{token}\", \"pin\": \"1357\", \"pin\": \"0000\", \"password\": \"p\"}}")
                .into(),
            StatusCode::BAD_REQUEST,
        ),
        ("not JSON", b"pin=1357".to_vec(), StatusCode::BAD_REQUEST),
        ("an array", b"[1, 2]".to_vec(), StatusCode::BAD_REQUEST),
        ("nothing", Vec::new(), StatusCode::BAD_REQUEST),
    ];
    for (class, body, expected) in json_cases {
        let response = app
            .client
            .post(format!("{}/api/v1/password", app.address))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "{class}");
        let text = response.text().await.unwrap();
        assert!(text.contains("\"error\""), "{class}: {text}");
        assert!(!text.contains("1357"), "{class} echoes the PIN: {text}");
    }

    let wrong_type = app
        .client
        .post(format!("{}/api/v1/totp", app.address))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let form_cases: Vec<(&str, &str, Vec<u8>, StatusCode)> = vec![
        (
            "extra field",
            "application/x-www-form-urlencoded",
            b"pin=1357&password=a&confirm_password=a&admin=1".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "duplicate field",
            "application/x-www-form-urlencoded",
            b"pin=1357&pin=0000&password=a&confirm_password=a".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "percent garbage",
            "application/x-www-form-urlencoded",
            b"pin=%zz%&password=%ff%fe&confirm_password=%".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "non-UTF-8",
            "application/x-www-form-urlencoded",
            b"pin=\xff\xfe&password=a&confirm_password=a".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "JSON to the form",
            "application/json",
            b"{\"pin\": \"1357\"}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "huge field",
            "application/x-www-form-urlencoded",
            format!("pin={}", "1".repeat(20_000)).into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
    ];
    for (class, content_type, body, expected) in form_cases {
        let response = app
            .client
            .post(format!("{}/?token={token}", app.address))
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "form: {class}");
        assert!(response.text().await.unwrap().contains("<!DOCTYPE html>"), "form: {class} gets a page");
    }

    for query in ["token=%ff%fe", "token=%", "token=a&token=b", "token=%00abcdefghijklmnopqrstuvwxyz"] {
        let response = app.client.get(format!("{}/?{query}", app.address)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "query {query}");
    }
    let bad_path = app
        .client
        .get(format!("{}/token/%FF%FE", app.address))
        .header("X-Auth-Token", "t")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_path.status(), StatusCode::BAD_REQUEST);

    let status: serde_json::Value =
        app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["attempts_left"], 3, "no bad input cost a PIN attempt");
}
