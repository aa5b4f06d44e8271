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

/// The first retry's wait in these tests (1 s in production); each further one doubles it.
const RETRY_BASE: Duration = Duration::from_millis(100);
/// How often the outbox is looked at: a retry comes up to this much after it is due.
const OUTBOX_POLL: Duration = Duration::from_millis(200);

fn hook(s: &mut setpass::config::Settings, receiver: &WebhookReceiver, retries: u32) {
    hook_with_base(s, receiver, retries, RETRY_BASE);
}

fn hook_with_base(
    s: &mut setpass::config::Settings,
    receiver: &WebhookReceiver,
    retries: u32,
    base: Duration,
) {
    s.webhook.url = Some(receiver.url.clone());
    s.webhook.secret = Some(SECRET.into());
    s.webhook.retries = retries;
    s.webhook.retry_base = setpass::config::Millis(base.as_millis() as u64);
}

/// Longer, a few times over, than the longest wait before a retry with `retries` retries (the
/// last one's backoff, plus a poll of the outbox): a duplicate would arrive within it.
fn quiet_after(retries: u32, base: Duration) -> Duration {
    (base * 2u32.pow(retries.saturating_sub(1)) + OUTBOX_POLL) * 3
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
    let deliveries = receiver.after_quiet(quiet_after(3, RETRY_BASE)).await;
    assert_eq!(deliveries.len(), 2, "one event each: {deliveries:?}");
}

#[tokio::test]
async fn a_failing_receiver_is_retried_with_a_doubling_backoff_and_never_holds_up_the_user() {
    // A base of two outbox polls: each gap is the backoff plus at most one poll, so 1x and 2x
    // the base stay apart.
    let base = OUTBOX_POLL * 2;
    let url = keystone_url();
    let receiver = WebhookReceiver::start(500).await;
    let (app, keystone) = tokio::join!(
        spawn_app_with(&url, |s| hook_with_base(s, &receiver, 2, base)),
        Keystone::connect(&url)
    );
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
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // A fourth try would come 4x the base after the third.
    let deliveries = receiver.after_quiet((base * 4 + OUTBOX_POLL) * 3 / 2).await;
    assert_eq!(deliveries.len(), 3, "one try and two retries, then it gives up: {deliveries:?}");
    assert!(deliveries.iter().all(|d| d.body == deliveries[0].body), "the same event each time");
    deliveries.iter().for_each(assert_signed);
    let gaps: Vec<Duration> = deliveries.windows(2).map(|w| w[1].at - w[0].at).collect();
    let about = |times: u32| base * times * 9 / 10..base * times + OUTBOX_POLL * 2;
    assert!(about(1).contains(&gaps[0]), "first retry after the base, {base:?}: {gaps:?}");
    assert!(about(2).contains(&gaps[1]), "second after twice the base (it doubles): {gaps:?}");
}

#[tokio::test]
async fn a_link_that_expires_unfinished_is_announced_once() {
    let url = keystone_url();
    let receiver = WebhookReceiver::start(200).await;
    let (app, keystone) = tokio::join!(
        spawn_app_with(&url, |s| {
            hook(s, &receiver, 0);
            s.database.purge_interval = setpass::config::Seconds(PURGE.as_secs());
        }),
        Keystone::connect(&url)
    );
    let (user, later) = tokio::join!(keystone.create_user(), keystone.create_user());
    app.new_link(&keystone, &user, "1234").await;

    app.clock.advance(chrono::Duration::hours(25));

    let expired = receiver.wait_for(is("expired", user.id.clone())).await;
    assert_signed(&expired);
    assert_event(&expired, "expired", &user.id);
    // The purge runs again: it announces a link that expires after the first was announced...
    app.new_link(&keystone, &later, "1234").await;
    app.clock.advance(chrono::Duration::hours(25));
    receiver.wait_for(is("expired", later.id.clone())).await;
    // ... and would repeat the first within a purge interval of any run.
    let deliveries = receiver.after_quiet((PURGE + OUTBOX_POLL) * 3 / 2).await;
    let announced = |id: &str| deliveries.iter().filter(|d| d.json()["user_id"] == id).count();
    assert_eq!(announced(&user.id), 1, "once, though the purge task ran again: {deliveries:?}");
    assert_eq!(announced(&later.id), 1, "{deliveries:?}");
}

/// How often the expiry tests purge (the purge task announces expired links).
const PURGE: Duration = Duration::from_secs(1);
