//! The link by email: a real SMTP server on loopback receives it, and the link in it works.
use crate::helpers::*;
use crate::sinks::{email_settings, token_in, SmtpSink, FROM};
use reqwest::StatusCode;
use serde_json::{json, Value};
use setpass::clock::OffsetClock;
use setpass::config::Settings;
use setpass::startup::Application;
use std::io::Write;
use std::sync::Arc;

const NEW_PASSWORD: &str = "Mailed-Link-Password-7";

/// Sets a Keystone user's `email` attribute, as a registration system would.
pub(crate) async fn set_keystone_email(keystone: &Keystone, user_id: &str, address: &str) {
    let response = keystone
        .http()
        .patch(format!("{}/users/{user_id}", keystone.url))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"user": {"email": address}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn one_put_with_an_email_mails_a_link_that_completes_the_onboarding() {
    let url = keystone_url();
    let sink = SmtpSink::start_with(Some(("mailer", "smtp-Password-42")));
    let mut email = sink.settings();
    email.username = Some("mailer".into());
    email.password = Some("smtp-Password-42".into());
    email.support_contact = Some("the helpdesk at help@example.test".into());
    let (app, keystone) = tokio::join!(spawn_app_with(&url, |s| s.email = email), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let address = format!("{}@example.test", user.name);

    let response = app
        .put_token(
            &user.id,
            &keystone.admin_token,
            Some(json!({"password": user.password, "pin": "1234", "email": address})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], json!({"sent": true, "to": address}));
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["rcpt_tos"], json!([address]));
    assert_eq!(mail["login"], "mailer", "the configured SMTP login was used");
    assert_eq!(mail["headers"]["from"], FROM);
    assert_eq!(mail["headers"]["subject"], "Set up your OpenStack account");
    let text = mail["text"].as_str().unwrap();
    let html = mail["html"].as_str().unwrap();
    assert!(text.contains(&format!("Hello {},", user.name)) && text.contains("expires in 1 day"), "{text}");
    assert!(
        text.contains(body["expires_at"].as_str().unwrap())
            && text.contains("the helpdesk at help@example.test")
    );
    assert!(html.contains(&format!("href=\"{}\"", body["url"].as_str().unwrap())), "{html}");
    let token = token_in(text, PUBLIC_URL);
    assert_eq!(token, body["token"].as_str().unwrap());
    assert_eq!(token_in(html, PUBLIC_URL), token);

    let secret = app.onboard(&token, "1234", NEW_PASSWORD).await;

    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn with_lookup_keystone_the_users_email_attribute_gets_the_link_even_for_a_text_answer() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let mut email = sink.settings();
    email.lookup_keystone = true;
    let (app, keystone) = tokio::join!(spawn_app_with(&url, |s| s.email = email), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let address = format!("{}@registered.example.test", user.name);
    set_keystone_email(&keystone, &user.id, &address).await;

    let response = app
        .client
        .put(format!("{}/token/{}", app.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .header("Accept", "text/plain")
        .json(&new_record_body(&user))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.text().await.unwrap();
    assert_eq!(token.len(), 43, "the text answer is still the bare token: {token}");
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["rcpt_tos"], json!([address]));
    assert_eq!(token_in(mail["text"].as_str().unwrap(), PUBLIC_URL), token);
}

#[tokio::test]
async fn when_the_mail_server_is_down_the_put_still_returns_the_link_and_says_why() {
    let url = keystone_url();
    let port = crate::process::free_port();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.email = email_settings(port)), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let address = format!("{}@example.test", user.name);

    let response = app
        .put_token(
            &user.id,
            &keystone.admin_token,
            Some(json!({"password": user.password, "pin": "1234", "email": address})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"]["sent"], false);
    assert_eq!(body["email"]["to"], address);
    let reason = body["email"]["reason"].as_str().unwrap();
    assert!(reason.contains("could not be reached"), "{reason}");
    let token = body["token"].as_str().unwrap();
    assert!(body["url"].as_str().unwrap().ends_with(token));
    assert_eq!(app.page(token).await.status(), StatusCode::OK, "the link works");
}

#[tokio::test]
async fn without_an_address_the_answer_says_no_mail_was_sent() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let email = sink.settings();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, |s| s.email = email), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let response = app.put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["email"], json!({"sent": false, "reason": "no `email` in the body"}));
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn with_email_off_the_answer_has_no_email_unless_one_was_asked_for() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let plain: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user)))
        .await
        .json()
        .await
        .unwrap();
    let asked: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(json!({"email": "ada@example.test"})))
        .await
        .json()
        .await
        .unwrap();

    assert!(plain.get("email").is_none(), "{plain}");
    assert_eq!(asked["email"]["sent"], false);
    assert!(asked["email"]["reason"].as_str().unwrap().contains("email is off"), "{asked}");
}

#[tokio::test]
async fn an_implausible_address_is_refused_before_keystone_is_asked() {
    let app = spawn_app(&closed_port_url()).await;

    for address in
        [json!("not-an-address"), json!("ada@example"), json!("a@b.example\r\nBcc: x@y.example"), json!(7)]
    {
        let response =
            app.put_token("some-user", "any-token", Some(json!({"pin": "1234", "email": address}))).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{address}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("`email`"), "{body}");
    }
}

#[tokio::test]
async fn a_template_with_an_unknown_placeholder_stops_startup_naming_the_file() {
    let mut template = tempfile::NamedTempFile::new().unwrap();
    template.write_all(b"Hello {{user_name}},\nyour link: {{url}}\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::with_defaults(
        "127.0.0.1:0".parse().unwrap(),
        PUBLIC_URL,
        dir.path().join("setpass.db"),
        &closed_port_url(),
    );
    settings.email = email_settings(25);
    settings.email.text_template = Some(template.path().to_owned());

    let err =
        Application::build(settings, Arc::new(OffsetClock::new())).await.err().expect("startup refused");

    let text = err.to_string();
    assert!(
        text.contains("email.text_template") && text.contains(&template.path().display().to_string()),
        "{text}"
    );
    assert!(text.contains("line 2") && text.contains("{{url}}"), "{text}");
}

#[tokio::test]
async fn no_smtp_password_webhook_secret_or_link_appears_in_the_trace_log() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let user = keystone.create_user().await;
    let smtp_password = "Smtp-Trace-Secret-81";
    let hook_secret = "Webhook-Trace-Secret-0192837465";
    let sink = SmtpSink::start_with(Some(("mailer", smtp_password)));
    let receiver = crate::sinks::WebhookReceiver::start(200).await;
    let (_dir, dir) = crate::process::temp_dir();
    let port = sink.port.to_string();
    let server = crate::process::ServerProcess::start(
        &dir,
        &url,
        &[
            ("RUST_LOG", "trace"),
            ("SETPASS_EMAIL__ENABLED", "true"),
            ("SETPASS_EMAIL__HOST", "127.0.0.1"),
            ("SETPASS_EMAIL__PORT", &port),
            ("SETPASS_EMAIL__TLS", "none"),
            ("SETPASS_EMAIL__FROM", FROM),
            ("SETPASS_EMAIL__USERNAME", "mailer"),
            ("SETPASS_EMAIL__PASSWORD", smtp_password),
            ("SETPASS_WEBHOOK__URL", &receiver.url),
            ("SETPASS_WEBHOOK__SECRET", hook_secret),
        ],
    );
    let client = reqwest::Client::new();
    let issued = client
        .put(format!("{}/token/{}", server.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"password": user.password, "pin": "1234", "email": "trace@example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), StatusCode::CREATED);
    let token = token_in(sink.wait_for(1).await[0]["text"].as_str().unwrap(), PUBLIC_URL);
    let api =
        |step: &str, body: Value| client.post(format!("{}/api/v1/{step}", server.address)).json(&body).send();
    let step: Value = api("password", json!({"token": token, "pin": "1234", "password": NEW_PASSWORD}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = step["totp"]["secret"].as_str().unwrap().to_owned();
    let done = api("totp", json!({"token": token, "code": code_now(&secret)})).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    receiver.wait_for(|event| event["event"] == "completed").await;

    let log = server.stop_and_collect_log();

    assert!(
        log.contains("TRACE") && log.contains("mailed the onboarding link"),
        "the log was captured: {log}"
    );
    let auth_plain = base64_of(&format!("\0mailer\0{smtp_password}"));
    for (what, secret) in [
        ("one-time token", token.as_str()),
        ("SMTP password", smtp_password),
        ("SMTP AUTH exchange", auth_plain.as_str()),
        ("webhook secret", hook_secret),
        ("TOTP secret", secret.as_str()),
        ("new password", NEW_PASSWORD),
    ] {
        assert!(!log.contains(secret), "the {what} appears in the log");
    }
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
