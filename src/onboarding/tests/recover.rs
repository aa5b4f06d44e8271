//! Recovery codes and recovery after a lost phone: the old authenticator replaced only once the
//! new one is confirmed, codes used once, wrong codes counted and locked.
use super::*;
use crate::onboarding::{
    finish_enrollment, start_enrollment, start_recovery, EnrollInput, RecoverInput, Started,
};

impl Fixture {
    /// A first authenticator by self-enrollment; its secret and recovery codes.
    async fn enrolled(&self) -> (String, Vec<String>) {
        let input = EnrollInput { user_name: "ada", domain: None, password: RANDOM, locale: None };
        let started = start_enrollment(&self.deps, input).await.unwrap();
        self.finish(&started).await.unwrap()
    }

    async fn finish(&self, started: &Started) -> Result<(String, Vec<String>), Error> {
        let secret = started.totp.secret.expose().to_owned();
        let done = finish_enrollment(&self.deps, &started.enrollment, &self.code_now(&secret)).await?;
        Ok((secret, done.recovery_codes.iter().map(|c| c.to_string()).collect()))
    }

    async fn recover(&self, code: &str) -> Result<Started, Error> {
        let input = RecoverInput {
            user_name: "ada",
            domain: None,
            password: RANDOM,
            recovery_code: code,
            locale: None,
        };
        start_recovery(&self.deps, input).await
    }
}

#[tokio::test]
async fn recovery_replaces_the_lost_authenticator_and_the_codes() {
    let fx = fixture(|_| {}).await;
    let (lost, codes) = fx.enrolled().await;
    assert_eq!(codes.len(), 3);
    let started = fx.recover(&codes[0].to_uppercase()).await.unwrap();
    assert_eq!(
        fx.keystone.totp_credentials(&fx.user),
        [lost.as_str()],
        "kept until the new one is confirmed"
    );
    let (new, new_codes) = fx.finish(&started).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [new], "only the new authenticator is left");
    assert_eq!(
        refused(fx.recover(&codes[1]).await),
        Refusal::WrongRecoveryCode { left: 4 },
        "old codes are dead"
    );
    fx.recover(&new_codes[2]).await.unwrap();
}

#[tokio::test]
async fn a_used_recovery_code_is_refused() {
    let fx = fixture(|_| {}).await;
    let (_, codes) = fx.enrolled().await;
    fx.recover(&codes[0]).await.unwrap();
    assert_eq!(refused(fx.recover(&codes[0]).await), Refusal::WrongRecoveryCode { left: 4 });
}

#[tokio::test]
async fn wrong_codes_lock_recovery_for_the_lockout_then_it_opens_again() {
    let fx = fixture(|_| {}).await;
    let (_, codes) = fx.enrolled().await;
    for left in (1..=4).rev() {
        assert_eq!(refused(fx.recover("aaaaa-bbbbb").await), Refusal::WrongRecoveryCode { left });
    }
    assert_eq!(refused(fx.recover("aaaaa-bbbbb").await), Refusal::RecoveryLocked);
    assert_eq!(refused(fx.recover(&codes[0]).await), Refusal::RecoveryLocked, "even the right code");
    fx.clock.advance(Duration::minutes(61));
    fx.recover(&codes[0]).await.unwrap();
}

#[tokio::test]
async fn of_32_submissions_of_one_code_at_once_exactly_one_recovers() {
    let fx = fixture(|_| {}).await;
    let (_, codes) = fx.enrolled().await;
    let tries = (0..32).map(|_| fx.recover(&codes[0]));
    let results = futures_util::future::join_all(tries).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
}

#[tokio::test]
async fn a_wrong_password_recovers_nothing_and_uses_no_code() {
    let fx = fixture(|_| {}).await;
    let (_, codes) = fx.enrolled().await;
    let input = RecoverInput {
        user_name: "ada",
        domain: None,
        password: "wrong-123456",
        recovery_code: &codes[0],
        locale: None,
    };
    assert_eq!(refused(start_recovery(&fx.deps, input).await), Refusal::SignInRefused);
    fx.recover(&codes[0]).await.unwrap();
}

#[tokio::test]
async fn recovery_of_a_user_whose_rules_want_totp_needs_the_service_credential() {
    let fx = fixture(|_| {}).await;
    let (_, codes) = fx.enrolled().await;
    fx.keystone.set_user_mfa(&fx.user, MfaOptions { enabled: true, rules: json!([["password", "totp"]]) });
    assert_eq!(refused(fx.recover(&codes[0]).await), Refusal::SelfEnrollNeedsOperator);
}

#[tokio::test]
async fn with_a_service_user_a_user_whose_rules_want_totp_recovers() {
    let fx = fixture(|s| s.service_user = true).await;
    let (lost, codes) = fx.enrolled().await;
    let rules = MfaOptions { enabled: true, rules: json!([["password", "totp"]]) };
    fx.keystone.set_user_mfa(&fx.user, rules.clone());
    let started = fx.recover(&codes[0]).await.unwrap();
    let (new, _) = fx.finish(&started).await.unwrap();
    assert_ne!(new, lost);
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [new], "only the new authenticator is left");
    assert_eq!(fx.keystone.mfa(&fx.user), Some(rules), "the rules were never switched off");
}
