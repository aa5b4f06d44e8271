//! The helpdesk reset-request form: off by default, one answer for everyone, a mail each time.
use crate::helpers::*;
use crate::sinks::SmtpSink;
use reqwest::StatusCode;
use serde_json::{json, Value};

const HELPDESK: &str = "helpdesk@support.example.test";
// Eight digits, so finding it in a mail cannot be a coincidence.
const PIN: &str = "90817263";

fn enable_reset(s: &mut setpass::config::Settings, sink: &SmtpSink) {
    s.email = sink.settings();
    s.reset.enabled = true;
    s.reset.helpdesk = Some(HELPDESK.into());
    s.onboarding.pin_min_digits = 8;
    s.onboarding.pin_max_digits = 8;
}

/// A Keystone user named by an email address, as clouds that sign users up by email do.
async fn user_named_by_email(keystone: &Keystone) -> KeystoneUser {
    let name = format!("{}@example.test", unique("ada"));
    let password = "Rnd-reset-user-1".to_owned();
    let response = keystone
        .http()
        .post(format!("{}/users", keystone.url))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"user": {"name": name, "password": password, "domain_id": "default"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    KeystoneUser { id: body["user"]["id"].as_str().unwrap().to_owned(), name, password }
}

async fn post_reset(app: &TestApp, name: &str, email: &str, confirm: &str, pin: &str) -> reqwest::Response {
    let form = [("name", name), ("email", email), ("confirm_email", confirm), ("pin", pin)];
    app.client.post(format!("{}/reset", app.address)).form(&form).send().await.unwrap()
}

#[tokio::test]
async fn the_reset_page_is_not_there_unless_enabled() {
    let app = spawn_app(&closed_port_url()).await;

    let page = app.client.get(format!("{}/reset", app.address)).send().await.unwrap();
    let post = post_reset(&app, "Ada", "ada@example.test", "ada@example.test", "1234").await;

    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert_eq!(post.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn other_methods_get_what_they_get_on_the_users_page_or_404_while_off() {
    let sink = SmtpSink::start();
    let url = closed_port_url();
    let (on, off) = tokio::join!(spawn_app_with(&url, |s| enable_reset(s, &sink)), spawn_app(&url));
    let send = |app: &TestApp, method: &reqwest::Method, path: &str| {
        app.client.request(method.clone(), format!("{}{path}", app.address)).send()
    };
    use reqwest::Method;
    for method in [Method::OPTIONS, Method::PUT, Method::PATCH, Method::TRACE] {
        let reset = send(&on, &method, "/reset").await.unwrap();
        let users_page = send(&on, &method, "/").await.unwrap();
        assert_eq!(reset.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reset.status(), users_page.status(), "{method}");
        let kind = |r: &reqwest::Response| r.headers().get("content-type").cloned();
        assert_eq!(kind(&reset), kind(&users_page), "{method}: the same kind of body");
        assert_eq!(reset.text().await.unwrap(), users_page.text().await.unwrap(), "{method}");

        let hidden = send(&off, &method, "/reset").await.unwrap();
        let unknown = send(&off, &method, "/no-such-page").await.unwrap();
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND, "{method} while off");
        assert_eq!(hidden.text().await.unwrap(), unknown.text().await.unwrap(), "{method} while off");
    }
}

#[tokio::test]
async fn the_form_is_a_plain_page_in_the_usual_layout() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(&closed_port_url(), |s| enable_reset(s, &sink)).await;

    let page = app.client.get(format!("{}/reset", app.address)).send().await.unwrap();

    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Reset your password") && html.contains("OpenStack account setup"), "{html}");
    assert!(html.contains("action=\"/reset?lang=en\"") && html.contains("method=\"post\""), "{html}");
    for field in ["name=\"name\"", "name=\"email\"", "name=\"confirm_email\"", "name=\"pin\""] {
        assert!(html.contains(field), "{field}");
    }
    assert!(!html.contains("<script") && !html.contains("style="), "{html}");
}

#[tokio::test]
async fn every_request_gets_the_same_answer_and_the_helpdesk_gets_each_with_the_pin_checked() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| enable_reset(s, &sink)), Keystone::connect(&url));
    let user = user_named_by_email(&keystone).await;
    let response = app
        .put_token(&user.id, &keystone.admin_token, Some(json!({"password": user.password, "pin": PIN})))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let stranger = format!("{}@example.test", unique("nobody"));

    let right = post_reset(&app, "Ada Lovelace", &user.name, &user.name, PIN).await;
    let (right_status, right_page) = (right.status(), right.text().await.unwrap());
    let wrong = post_reset(&app, "Ada Lovelace", &user.name, &user.name, "11111111").await;
    let (wrong_status, wrong_page) = (wrong.status(), wrong.text().await.unwrap());
    let unknown = post_reset(&app, "Nobody", &stranger, &stranger, PIN).await;
    let (unknown_status, unknown_page) = (unknown.status(), unknown.text().await.unwrap());

    assert_eq!([right_status, wrong_status, unknown_status], [StatusCode::OK; 3]);
    assert!(right_page.contains("Request received"), "{right_page}");
    assert_eq!(right_page, wrong_page);
    assert_eq!(right_page, unknown_page, "no account enumeration");
    let mails = sink.wait_for(3).await;
    assert!(mails.iter().all(|m| m["rcpt_tos"] == json!([HELPDESK])));
    let about = |address: &str| -> Vec<String> {
        mails
            .iter()
            .filter(|m| m["headers"]["reply-to"] == address)
            .map(|m| m["text"].as_str().unwrap().to_owned())
            .collect()
    };
    let (known, unknown) = (about(&user.name), about(&stranger));
    assert_eq!((known.len(), unknown.len()), (2, 1));
    assert!(known
        .iter()
        .any(|t| t
            .contains(&format!("matches the PIN of the onboarding record of Keystone user id {}", user.id))));
    assert!(known.iter().any(|t| t.contains(&format!(
        "does NOT match the PIN of the onboarding record of Keystone user id {}",
        user.id
    ))));
    assert!(known.iter().all(|t| t.contains("Ada Lovelace")));
    assert!(unknown[0].contains("no onboarding record") && unknown[0].contains("Nobody"), "{}", unknown[0]);
    assert!(mails.iter().all(|m| !m.to_string().contains(PIN)), "the PIN is never mailed");
    assert!(mails
        .iter()
        .all(|m| m["headers"]["subject"].as_str().unwrap().starts_with("Password reset request from ")));
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["attempts_left"], 3, "a reset request uses up no PIN attempt");
}

#[tokio::test]
async fn a_request_with_a_mistake_is_shown_again_with_the_error_and_not_sent() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(&closed_port_url(), |s| enable_reset(s, &sink)).await;

    let mismatch = post_reset(&app, "Ada <b>", "ada@example.test", "ada@example.org", PIN).await;
    let short_pin = post_reset(&app, "Ada", "ada@example.test", "ada@example.test", "1234").await;

    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    let html = mismatch.text().await.unwrap();
    assert!(html.contains("The two email addresses do not match."), "{html}");
    assert!(html.contains("value=\"Ada &lt;b&gt;\""), "what was typed stays, escaped: {html}");
    assert_eq!(short_pin.status(), StatusCode::BAD_REQUEST);
    assert!(short_pin.text().await.unwrap().contains("The PIN must be exactly 8 digits"));
    // A request without a mistake, sent after them: once its mail is in, a mail the mistakes
    // had started (in the background, as accepted requests do) would be in too.
    let valid = post_reset(&app, "Grace", "grace@example.test", "grace@example.test", PIN).await;
    assert_eq!(valid.status(), StatusCode::OK);
    let mails = sink.wait_for(1).await;
    let senders: Vec<&Value> = mails.iter().map(|m| &m["headers"]["reply-to"]).collect();
    assert_eq!(senders, ["grace@example.test"], "only the request without a mistake was mailed");
}

#[tokio::test]
async fn the_reset_form_shares_the_users_rate_limit() {
    let sink = SmtpSink::start();
    let app = spawn_app_with(&closed_port_url(), |s| {
        enable_reset(s, &sink);
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 2;
    })
    .await;

    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(post_reset(&app, "Ada", "ada@example.test", "ada@example.test", PIN).await);
    }

    let last = statuses.pop().unwrap();
    assert!(statuses.iter().all(|r| r.status() == StatusCode::OK));
    assert_eq!(last.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(last.text().await.unwrap().contains("Please slow down"), "a page, not JSON");
}
