//! The password step answers before the login for the TOTP step, which runs in the background
//! once Keystone's same-second revocation window has passed.
use super::*;

impl Fixture {
    /// Waits for the login the password step left running for this link.
    async fn login_done(&self, token: &OneTimeToken) {
        self.deps.logins.wait(&token.hash()).await;
    }

    /// The user token the record keeps for the TOTP step, opened.
    async fn kept_token(&self, token: &OneTimeToken) -> Option<String> {
        let flow = self.deps.store.flow_by_token(&token.hash()).await.unwrap()?;
        let sealed = flow.user_token_ct?;
        let opened = self.deps.sealer.open_for(Purpose::UserToken, self.user.as_str(), &sealed).unwrap();
        Some(String::from_utf8(opened.to_vec()).unwrap())
    }
}

#[tokio::test]
async fn the_password_step_answers_before_keystone_is_asked_for_the_login() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let slow = fx.keystone.hold("password login");

    let view = submit_password(&fx.deps, &token, PasswordInput { pin: "1234", password: NEW, confirm: None })
        .await
        .unwrap();

    assert_eq!(fx.keystone.calls("password login"), 0, "answered without waiting for the login");
    match view {
        View::Totp(view) => assert!(!view.needs_password, "the token is on its way"),
        other => panic!("{other:?}"),
    }
    drop(slow);
    fx.login_done(&token).await;
    assert_eq!(fx.keystone.calls("password login"), 1, "logged in after the answer");
    assert!(!fx.totp_view(&token).await.needs_password, "the token is kept");
}

#[tokio::test]
async fn the_kept_token_is_taken_after_the_second_keystone_revoked_tokens_in() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    fx.login_done(&token).await;
    let kept = fx.kept_token(&token).await.expect("a token is kept");
    assert!(fx.keystone.token_is_valid(&kept), "a token of the password change's second would be revoked");
}

#[tokio::test]
async fn the_totp_step_right_after_the_password_step_waits_for_the_token_and_uses_it() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let secret = fx.totp_view(&token).await.secret.expose().to_owned();

    let done = submit_totp(&fx.deps, &token, TotpInput { code: &fx.code_now(&secret), password: None })
        .await
        .unwrap();

    assert!(matches!(done, View::Complete { .. }), "{done:?}");
    assert_eq!(fx.keystone.calls("password login"), 1, "the kept token, no second login");
    assert_eq!(fx.keystone.totp_credentials(&fx.user).len(), 1);
}

#[tokio::test]
async fn when_the_login_after_the_answer_fails_the_totp_page_asks_for_the_password() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone.fail_operation("password login");
    fx.password(&token, "1234", NEW, NEW).await.unwrap();

    fx.login_done(&token).await;

    assert!(fx.totp_view(&token).await.needs_password);
    let secret = fx.totp_view(&token).await.secret.expose().to_owned();
    assert_eq!(refused(fx.code(&token, &fx.code_now(&secret), None).await), Refusal::PasswordNeeded);
}

#[tokio::test]
async fn a_renewal_while_the_login_after_the_answer_runs_keeps_its_token_out_of_the_new_link() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let slow = fx.keystone.hold("password login");
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let secret = fx.totp_view(&token).await.secret.expose().to_owned();

    let fresh = fx.write_link(None, None).await;
    drop(slow);
    fx.login_done(&token).await;

    assert!(fx.totp_view(&fresh).await.needs_password);
    assert_eq!(refused(fx.code(&fresh, &fx.code_now(&secret), None).await), Refusal::PasswordNeeded);
}
