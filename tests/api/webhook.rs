//! Webhook events: signed, sent for completion, lockout and expiry, and never in the user's way.
use crate::helpers::*;
use crate::sinks::{Delivery, WebhookReceiver};
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::Sha256;
use std::time::{Duration, Instant};

const SECRET: &str = "test-webhook-secret-0123456789";
const NEW_PASSWORD: &str = "Webhook-Test-Password-3";

fn hook(s: &mut setpass::config::Settings, receiver: &WebhookReceiver, retries: u32) {
    s.webhook.url = Some(receiver.url.clone());
    s.webhook.secret = Some(SECRET.into());
    s.webhook.retries = retries;
}

/// The receiver's side: recompute the HMAC over the exact body.
fn assert_signed(delivery: &Delivery) {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(&delivery.body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(delivery.signature.as_deref(), Some(format!("sha256={expected}").as_str()));
    assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
}

fn assert_event(delivery: &Delivery, event: &str, user_id: &str) {
    let body = delivery.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["at", "event", "user_id"], "only these fields: {body}");
    assert_eq!((body["event"].as_str(), body["user_id"].as_str()), (Some(event), Some(user_id)));
    chrono::DateTime::parse_from_rfc3339(body["at"].as_str().unwrap()).expect("`at` is ISO 8601");
}

fn is(event: &'static str, user_id: String) -> impl Fn(&Value) -> bool {
    move |body| body["event"] == event && body["user_id"] == user_id.as_str()
}

#[tokio::test]
async fn completion_and_lockout_are_posted_as_signed_events() {
    let url = keystone_url();
    let receiver = WebhookReceiver::start(204).await;
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| hook(s, &receiver, 3)), Keystone::connect(&url));
    let (finisher, guesser) = tokio::join!(keystone.create_user(), keystone.create_user());
    let finisher_link = app.new_link(&keystone, &finisher, "1234").await;
    let guesser_link = app.new_link(&keystone, &guesser, "1234").await;

    app.onboard(&finisher_link, "1234", NEW_PASSWORD).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(app.submit_password(&guesser_link, "9999", NEW_PASSWORD).await.status());
    }

    assert_eq!(statuses, [StatusCode::FORBIDDEN, StatusCode::FORBIDDEN, StatusCode::LOCKED]);
    let completed = receiver.wait_for(is("completed", finisher.id.clone())).await;
    assert_signed(&completed);
    assert_event(&completed, "completed", &finisher.id);
    let locked = receiver.wait_for(is("locked", guesser.id.clone())).await;
    assert_signed(&locked);
    assert_event(&locked, "locked", &guesser.id);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.deliveries().len(), 2, "one event each: {:?}", receiver.deliveries());
}

#[tokio::test]
async fn a_failing_receiver_is_retried_and_never_holds_up_the_user() {
    let url = keystone_url();
    let receiver = WebhookReceiver::start(500).await;
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| hook(s, &receiver, 2)), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1234").await;
    let step: Value = app.submit_password(&token, "1234", NEW_PASSWORD).await.json().await.unwrap();
    let secret = step["totp"]["secret"].as_str().unwrap().to_owned();

    let started = Instant::now();
    let done = app.submit_totp(&token, &code_now(&secret)).await;

    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(done.json::<Value>().await.unwrap()["stage"], "complete");
    assert!(started.elapsed() < Duration::from_secs(5), "the user did not wait for the retries");
    receiver.wait_for(is("completed", user.id.clone())).await;
    let waited = Instant::now();
    while receiver.deliveries().len() < 3 {
        assert!(waited.elapsed() < Duration::from_secs(10), "retried: {:?}", receiver.deliveries());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deliveries = receiver.deliveries();
    assert!(deliveries.iter().all(|d| d.body == deliveries[0].body), "the same event each time");
    deliveries.iter().for_each(assert_signed);
    let gaps: Vec<f64> = deliveries.windows(2).map(|w| (w[1].at - w[0].at).as_secs_f64()).collect();
    assert!((0.9..1.8).contains(&gaps[0]), "first retry after about 1 s: {gaps:?}");
    assert!((1.9..3.0).contains(&gaps[1]), "second after about 2 s more (backoff doubles): {gaps:?}");
    tokio::time::sleep(Duration::from_millis(4500)).await;
    assert_eq!(receiver.deliveries().len(), 3, "one try and two retries, then it gives up");
}

#[tokio::test]
async fn a_link_that_expires_unfinished_is_announced_once() {
    let url = keystone_url();
    let receiver = WebhookReceiver::start(200).await;
    let (app, keystone) = tokio::join!(
        spawn_app_with(&url, |s| {
            hook(s, &receiver, 0);
            s.database.purge_interval = setpass::config::Seconds(1);
        }),
        Keystone::connect(&url)
    );
    let user = keystone.create_user().await;
    app.new_link(&keystone, &user, "1234").await;

    app.clock.advance(chrono::Duration::hours(25));

    let expired = receiver.wait_for(is("expired", user.id.clone())).await;
    assert_signed(&expired);
    assert_event(&expired, "expired", &user.id);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let announced = receiver.deliveries().iter().filter(|d| d.json()["user_id"] == user.id.as_str()).count();
    assert_eq!(announced, 1, "once, though the purge task ran again");
}
