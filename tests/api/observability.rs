//! Metrics and request ids.
use crate::helpers::*;
use reqwest::StatusCode;
use setpass::config::MetricsServe;

fn value(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no series {series} in:\n{metrics}"))
}

#[tokio::test]
async fn a_complete_onboarding_moves_the_funnel_counters() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    assert_eq!(
        app.submit_password(&token, "0000", "my-own-password-42").await.status(),
        StatusCode::FORBIDDEN
    );
    app.onboard(&token, "1357", "my-own-password-42").await;

    let response = app.client.get(format!("{}/metrics", app.address)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let metrics = response.text().await.unwrap();
    for (series, expected) in [
        ("setpass_links_issued_total", 1.0),
        ("setpass_pin_failures_total", 1.0),
        ("setpass_passwords_set_total", 1.0),
        ("setpass_totp_enrolled_total", 1.0),
        ("setpass_completions_total", 1.0),
        ("setpass_lockouts_total", 0.0),
        ("setpass_open_records{stage=\"complete\"}", 1.0),
        ("setpass_keystone_request_duration_seconds_count{operation=\"password change\",status=\"204\"}", 1.0),
        ("setpass_keystone_request_duration_seconds_count{operation=\"credential creation\",status=\"201\"}", 1.0),
    ] {
        assert_eq!(value(&metrics, series), expected, "{series}");
    }
    assert!(!metrics.contains(&token), "no secret in metrics");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_by_audience() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 1;
    })
    .await;
    for _ in 0..3 {
        app.client.get(format!("{}/?token=x", app.address)).send().await.unwrap();
    }

    let metrics =
        app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();

    assert_eq!(value(&metrics, "setpass_rate_limited_total{audience=\"user\"}"), 2.0);
}

#[tokio::test]
async fn every_answer_carries_its_own_request_id() {
    let app = spawn_app(&closed_port_url()).await;

    let first = app.client.get(format!("{}/healthz", app.address)).send().await.unwrap();
    let second = app.client.get(format!("{}/nope", app.address)).send().await.unwrap();

    let ids: Vec<String> =
        [first, second].iter().map(|r| r.headers()["x-request-id"].to_str().unwrap().to_owned()).collect();
    assert_eq!(ids[0].len(), 36, "a uuid: {}", ids[0]);
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn metrics_can_move_to_their_own_listener_or_be_turned_off() {
    let separate = spawn_app_with(&closed_port_url(), |s| {
        s.metrics.serve = MetricsServe::Separate;
        s.metrics.listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let off = spawn_app_with(&closed_port_url(), |s| s.metrics.serve = MetricsServe::Off).await;

    let on_main = separate.client.get(format!("{}/metrics", separate.address)).send().await.unwrap();
    let on_own = separate
        .client
        .get(format!("http://127.0.0.1:{}/metrics", separate.metrics_port.unwrap()))
        .send()
        .await
        .unwrap();
    let turned_off = off.client.get(format!("{}/metrics", off.address)).send().await.unwrap();

    assert_eq!(on_main.status(), StatusCode::NOT_FOUND);
    assert_eq!(on_own.status(), StatusCode::OK);
    assert!(on_own.text().await.unwrap().contains("setpass_completions_total 0"));
    assert_eq!(turned_off.status(), StatusCode::NOT_FOUND);
}
