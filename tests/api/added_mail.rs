//! The user's mail after self-enrollment and recovery ("an authenticator app was added"), in
//! the language the user asked for, to their Keystone `email`, through a real SMTP server.
use crate::email::set_keystone_email;
use crate::helpers::*;
use crate::self_enroll::with_recovery;
use crate::sinks::SmtpSink;
use reqwest::StatusCode;
use serde_json::{json, Value};

impl TestApp {
    /// A user JSON step as a Korean browser would ask it.
    async fn api_in_korean(&self, step: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/api/v1/{step}", self.address))
            .header("Accept-Language", "ko-KR,ko;q=0.9")
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status(), response.json().await.unwrap())
    }
}

#[tokio::test]
async fn self_enrollment_and_recovery_mail_the_user_in_their_language() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let keystone = Keystone::connect(&url).await;
    let app = spawn_app_with(&url, |s| {
        with_recovery(s);
        s.email = sink.settings();
    })
    .await;
    let user = keystone.create_user().await;
    let address = format!("{}@example.test", user.name);
    set_keystone_email(&keystone, &user.id, &address).await;

    let (_, codes) = app.self_enroll_with_codes(&user).await;
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["headers"]["to"], address);
    assert_eq!(mail["headers"]["subject"], "An authenticator app was added to your OpenStack account");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("Hello {},", user.name)) && text.contains("the first one, at sign-in"),
        "{text}"
    );

    let body = json!({"user_name": user.name, "password": user.password, "recovery_code": codes[0]});
    let (status, started) = app.api_in_korean("recover", body).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    let secret = started["totp"]["secret"].as_str().unwrap();
    let finish = json!({"enrollment": started["enrollment"], "code": code_now(secret)});
    let (status, done) = app.api_in_korean("enroll/totp", finish).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let mails = sink.wait_for(2).await;
    assert_eq!(mails[1]["headers"]["subject"], "OpenStack 계정에 인증 앱이 추가되었습니다");
    let text = mails[1]["text"].as_str().unwrap();
    assert!(text.contains("복구 코드로 이전 앱을 교체함") && text.contains("관리자에게"), "{text}");
    for secret_text in [secret, codes[0].as_str(), user.password.as_str()] {
        assert!(!text.contains(secret_text), "no secret in the mail");
    }
}

#[tokio::test]
async fn a_user_without_an_email_in_keystone_enrolls_and_gets_no_mail() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let keystone = Keystone::connect(&url).await;
    let app = spawn_app_with(&url, |s| {
        with_recovery(s);
        s.email = sink.settings();
    })
    .await;
    let with_email = keystone.create_user().await;
    let without = keystone.create_user().await;
    set_keystone_email(&keystone, &with_email.id, "someone@example.test").await;
    app.self_enroll_with_codes(&without).await;
    app.self_enroll_with_codes(&with_email).await;
    let mails = sink.wait_for(1).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["headers"]["to"], "someone@example.test");
}
