//! The password step answers before the login for the TOTP step, which runs in the background
//! once Keystone's same-second revocation window has passed.
use super::*;
use crate::onboarding::View;

impl Fixture {
    /// The password logins Keystone has received so far.
    async fn password_logins(&self) -> usize {
        let requests = self.keystone.received_requests().await.unwrap();
        let body = |r: &wiremock::Request| String::from_utf8_lossy(&r.body).into_owned();
        requests
            .iter()
            .filter(|r| r.url.path() == "/v3/auth/tokens" && body(r).contains(r#""password""#))
            .count()
    }

    /// Waits for the login the password step left running for this link.
    async fn login_done(&self, token: &OneTimeToken) {
        self.state.logins.wait(&token.hash()).await;
    }

    async fn totp_view(&self, token: &OneTimeToken) -> super::super::TotpView {
        match current(&self.state, token).await.unwrap() {
            View::Totp(view) => view,
            other => panic!("{other:?}"),
        }
    }

    /// Keystone creates, lists and confirms the credential the TOTP step makes.
    async fn keystone_enrolls(&self) {
        self.answer(
            "POST",
            "/v3/credentials",
            ResponseTemplate::new(201).set_body_json(json!({"credential": {"id": "c1"}})),
        )
        .await;
        self.answer(
            "GET",
            "/v3/credentials",
            ResponseTemplate::new(200).set_body_json(json!({"credentials": [{"id": "c1"}]})),
        )
        .await;
        self.answer_login("passcode", token_answer()).await;
    }
}

#[tokio::test]
async fn the_password_step_answers_before_keystone_is_asked_for_the_login() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone_accepts_the_password().await;

    let view =
        submit_password(&fx.state, &token, PasswordInput { pin: "1234", password: NEW, confirm: None })
            .await
            .unwrap();

    assert_eq!(fx.password_logins().await, 0, "answered without waiting for the login");
    match view {
        View::Totp(view) => assert!(!view.needs_password, "the token is on its way"),
        other => panic!("{other:?}"),
    }
    fx.login_done(&token).await;
    assert_eq!(fx.password_logins().await, 1, "logged in after the answer");
    assert!(!fx.totp_view(&token).await.needs_password, "the token is kept");
}

#[tokio::test]
async fn the_totp_step_right_after_the_password_step_waits_for_the_token_and_uses_it() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.keystone_enrolls().await;

    let code = code_for(&secret, chrono::Utc::now().timestamp());
    let done = submit_totp(&fx.state, &token, TotpInput { code: &code, password: None }).await.unwrap();

    assert!(matches!(done, View::Complete), "{done:?}");
    let requests = fx.keystone.received_requests().await.unwrap();
    let creation = requests.iter().find(|r| r.url.path() == "/v3/credentials").unwrap();
    assert_eq!(creation.headers.get("X-Auth-Token").unwrap(), "user-token", "the kept token");
}

#[tokio::test]
async fn when_the_login_after_the_answer_fails_the_totp_page_asks_for_the_password() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.answer("POST", &format!("/v3/users/{USER}/password"), ResponseTemplate::new(204)).await;
    fx.answer_login(r#""password""#, ResponseTemplate::new(503)).await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();

    fx.login_done(&token).await;

    assert!(fx.totp_view(&token).await.needs_password);
    let secret = fx.totp_view(&token).await.secret.expose().to_owned();
    let code = code_for(&secret, chrono::Utc::now().timestamp());
    assert_eq!(refused(fx.code(&token, &code, None).await), Refusal::PasswordNeeded);
}

#[tokio::test]
async fn a_renewal_while_the_login_after_the_answer_runs_keeps_its_token_out_of_the_new_link() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.answer("POST", &format!("/v3/users/{USER}/password"), ResponseTemplate::new(204)).await;
    let slow = token_answer().set_delay(std::time::Duration::from_millis(300));
    fx.answer_login(r#""password""#, slow).await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let secret = fx.totp_view(&token).await.secret.expose().to_owned();

    let fresh = fx.write_link(None, None).await;
    fx.login_done(&token).await;

    assert!(fx.totp_view(&fresh).await.needs_password);
    let code = code_for(&secret, chrono::Utc::now().timestamp());
    assert_eq!(refused(fx.code(&fresh, &code, None).await), Refusal::PasswordNeeded);
}
