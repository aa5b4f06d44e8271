//! Link reminders (`email.remind_before`): one per mailed issuance, in the link's language, with
//! the same working link, never for a finished or unmailed link, once across replicas.
use crate::helpers::*;
use crate::sinks::{token_in, SmtpSink};
use reqwest::StatusCode;
use serde_json::{json, Value};
use setpass::config::{Seconds, Settings};
use std::time::Duration;

const PIN: &str = "4812";
/// How often each app looks for due reminders (the purge interval).
const PURGE: Duration = Duration::from_secs(1);

fn reminding(sink: &SmtpSink) -> impl Fn(&mut Settings) + '_ {
    move |s: &mut Settings| {
        s.email = sink.settings();
        s.email.remind_before = Some(Seconds(24 * 3600));
        s.onboarding.link_lifetime = Seconds(72 * 3600);
        s.database.purge_interval = Seconds(PURGE.as_secs());
    }
}

fn subject(mail: &Value) -> &str {
    mail["headers"]["subject"].as_str().unwrap()
}

fn mails_to<'a>(mails: &'a [Value], address: &str) -> Vec<&'a Value> {
    mails.iter().filter(|mail| mail["rcpt_tos"] == json!([address])).collect()
}

#[tokio::test]
async fn a_mailed_link_gets_one_reminder_in_its_language_and_the_link_in_it_still_works() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, reminding(&sink)), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let address = format!("{}@example.test", user.name);
    let body = json!({"password": user.password, "pin": PIN, "email": address, "locale": "ko"});
    assert_eq!(
        app.put_token(&user.id, &keystone.admin_token, Some(body)).await.status(),
        StatusCode::CREATED
    );
    let first = sink.wait_for(1).await.remove(0);

    app.clock.advance(chrono::Duration::hours(48));
    let mails = sink.wait_for(2).await;

    let reminder = &mails[1];
    assert_eq!(reminder["rcpt_tos"], json!([address]));
    assert_eq!(subject(reminder), format!("[다시 알림] {}", subject(&first)), "the link's language");
    let text = reminder["text"].as_str().unwrap();
    assert!(text.contains("다시 알려 드립니다") && text.contains("1일 후에 만료"), "{text}");
    let token = token_in(text, PUBLIC_URL);
    assert_eq!(token, token_in(first["text"].as_str().unwrap(), PUBLIC_URL), "the same link");
    assert!(app.link_is_live(&token).await, "the reminder's link opens");
    let response = app.submit_password(&token, PIN, "Reminded-Password-8").await;
    assert_eq!(response.status(), StatusCode::OK, "the reminder's link works");
    assert_eq!(app.metric("setpass_link_reminders_sent_total").await, 1.0);
}

#[tokio::test]
async fn no_reminder_goes_to_a_finished_link_or_a_link_that_was_not_mailed() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, reminding(&sink)), Keystone::connect(&url));
    let (finished, unmailed, waiting) =
        tokio::join!(keystone.create_user(), keystone.create_user(), keystone.create_user());
    let mailed = |user: &KeystoneUser| json!({"password": user.password, "pin": PIN, "email": format!("{}@example.test", user.name)});
    app.put_token(&finished.id, &keystone.admin_token, Some(mailed(&finished))).await;
    app.put_token(&waiting.id, &keystone.admin_token, Some(mailed(&waiting))).await;
    app.new_link(&keystone, &unmailed, PIN).await;
    let links = sink.wait_for(2).await;
    let finished_link = token_in(
        mails_to(&links, &format!("{}@example.test", finished.name))[0]["text"].as_str().unwrap(),
        PUBLIC_URL,
    );
    let done = app.password_then_code(&finished_link, PIN, "Finished-Password-8").await;
    assert_eq!(done.status(), StatusCode::OK);

    app.clock.advance(chrono::Duration::hours(48));
    // All three were due in the same round: the waiting user's reminder arriving means the
    // round is over.
    let mails = sink.wait_for(3).await;

    let waiting_address = format!("{}@example.test", waiting.name);
    assert_eq!(mails_to(&mails, &waiting_address).len(), 2, "the link and its reminder");
    assert_eq!(
        mails_to(&mails, &format!("{}@example.test", finished.name)).len(),
        1,
        "no reminder once finished"
    );
    assert_eq!(mails.len(), 3, "nothing for the link that was never mailed");
}

#[tokio::test]
async fn with_two_replicas_each_link_is_reminded_exactly_once() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let ((a, b), keystone) = tokio::join!(spawn_replicas(&url, reminding(&sink)), Keystone::connect(&url));
    let mut addresses = Vec::new();
    for n in 0..6 {
        let user = keystone.create_user().await;
        let address = format!("{}@example.test", user.name);
        let body = json!({"password": user.password, "pin": PIN, "email": address});
        let replica = if n % 2 == 0 { &a } else { &b };
        assert_eq!(
            replica.put_token(&user.id, &keystone.admin_token, Some(body)).await.status(),
            StatusCode::CREATED
        );
        addresses.push(address);
    }
    sink.wait_for(6).await;

    a.clock.advance(chrono::Duration::hours(48));
    b.clock.advance(chrono::Duration::hours(48));
    sink.wait_for(12).await;
    // Both replicas look every second: in three seconds more each has looked again.
    tokio::time::sleep(PURGE * 3).await;

    let mails = sink.received();
    for address in &addresses {
        let reminders =
            mails_to(&mails, address).into_iter().filter(|m| subject(m).starts_with("Reminder:")).count();
        assert_eq!(reminders, 1, "one reminder for {address}");
    }
    assert_eq!(mails.len(), 12);
    let sent = a.metric("setpass_link_reminders_sent_total").await
        + b.metric("setpass_link_reminders_sent_total").await;
    assert_eq!(sent, 6.0);
}
