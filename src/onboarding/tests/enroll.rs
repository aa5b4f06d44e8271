//! Self-enrollment of a user setpass has no link for: each way Keystone answers the sign-in, and
//! the code that finishes it.
use super::*;
use crate::onboarding::{finish_enrollment, start_enrollment, EnrollInput, Started};

const SEED_RULES: &str = r#"[["password","totp"],["application_credential"]]"#;

impl Fixture {
    async fn sign_in(&self, user_name: &str, domain: Option<&str>, password: &str) -> Result<Started, Error> {
        let input = EnrollInput { user_name, domain, password, locale: None };
        start_enrollment(&self.deps, input).await
    }

    /// Signs the fixture's user in and types the right code.
    async fn self_enroll(&self) -> Result<String, Error> {
        let started = self.sign_in("ada", None, RANDOM).await?;
        let secret = started.totp.secret.expose().to_owned();
        finish_enrollment(&self.deps, &started.enrollment, &self.code_now(&secret)).await?;
        Ok(secret)
    }

    fn seed_rules(&self) -> MfaOptions {
        let rules = MfaOptions { enabled: true, rules: serde_json::from_str(SEED_RULES).unwrap() };
        self.keystone.set_user_mfa(&self.user, rules.clone());
        rules
    }
}

#[tokio::test]
async fn a_user_without_mfa_rules_enrolls_with_their_own_token() {
    let fx = fixture(|_| {}).await;
    let secret = fx.self_enroll().await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [secret]);
    assert_eq!(fx.keystone.calls("TOTP login"), 1, "Keystone confirmed the code");
    assert_eq!(fx.deps.metrics.self_enrolled.get(), 1);
}

/// Keystone 30 refuses application-credential tokens on its credentials API, as the fake does.
#[tokio::test]
async fn seed_style_rules_with_the_service_credential_meet_keystones_refusal_and_leave_nothing() {
    let fx = fixture(|s| s.service = true).await;
    let rules = fx.seed_rules();
    let started = fx.sign_in("ada", None, RANDOM).await.unwrap();
    let code = fx.code_now(started.totp.secret.expose());
    let refusal = refused(finish_enrollment(&fx.deps, &started.enrollment, &code).await);
    assert_eq!(refusal, Refusal::SelfEnrollNeedsOperator);
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty());
    assert_eq!(fx.keystone.mfa(&fx.user), Some(rules), "the rules were never touched");
}

/// A service user's token is not delegated: it creates the credential, and completing the
/// receipt with the code is Keystone's word that it works. The rules stay as they were.
#[tokio::test]
async fn seed_style_rules_with_a_service_user_enroll_confirmed_through_the_receipt() {
    let fx = fixture(|s| s.service_user = true).await;
    let rules = fx.seed_rules();
    let secret = fx.self_enroll().await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [secret]);
    assert_eq!(fx.keystone.calls("receipt completion"), 1, "confirmed through the receipt");
    assert_eq!(fx.keystone.mfa(&fx.user), Some(rules), "the rules were never switched off");
}

#[tokio::test]
async fn rules_that_want_totp_without_a_service_credential_need_the_administrator() {
    let fx = fixture(|_| {}).await;
    fx.seed_rules();
    assert_eq!(refused(fx.sign_in("ada", None, RANDOM).await), Refusal::SelfEnrollNeedsOperator);
    assert_eq!(fx.keystone.calls("credential creation"), 0);
}

#[tokio::test]
async fn a_user_who_has_an_authenticator_already_is_refused_either_way() {
    let fx = fixture(|s| s.service = true).await;
    fx.keystone.add_totp_credential(&fx.user, "JBSWY3DPEHPK3PXP");
    assert_eq!(refused(fx.sign_in("ada", None, RANDOM).await), Refusal::AlreadyEnrolled);
    fx.seed_rules();
    assert_eq!(refused(fx.sign_in("ada", None, RANDOM).await), Refusal::AlreadyEnrolled);
    assert_eq!(fx.keystone.totp_credentials(&fx.user), ["JBSWY3DPEHPK3PXP"]);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_answer() {
    let fx = fixture(|_| {}).await;
    assert_eq!(refused(fx.sign_in("ada", None, "not-her-password").await), Refusal::SignInRefused);
    assert_eq!(refused(fx.sign_in("nobody", None, RANDOM).await), Refusal::SignInRefused);
    assert_eq!(
        refused(fx.sign_in("ada", Some("d2"), RANDOM).await),
        Refusal::SignInRefused,
        "not in that domain"
    );
    assert_eq!(fx.deps.metrics.self_enroll_refused.get(), 3);
}

#[tokio::test]
async fn keystones_lockout_is_told_as_such() {
    let fx = fixture(|_| {}).await;
    fx.keystone.lock_out_after(2);
    for _ in 0..2 {
        assert_eq!(refused(fx.sign_in("ada", None, "guess-123456").await), Refusal::SignInRefused);
    }
    assert_eq!(refused(fx.sign_in("ada", None, RANDOM).await), Refusal::AccountLockedByKeystone);
}

#[tokio::test]
async fn the_form_is_checked_before_keystone_is_asked() {
    let fx = fixture(|_| {}).await;
    assert_eq!(refused(fx.sign_in("  ", None, RANDOM).await), Refusal::UserNameMissing);
    assert_eq!(refused(fx.sign_in("ada", Some("elsewhere"), RANDOM).await), Refusal::DomainNotOffered);
    assert_eq!(refused(fx.sign_in("ada", None, "").await), Refusal::PasswordNeeded);
    assert_eq!(fx.keystone.calls("password login by name"), 0);
}

#[tokio::test]
async fn with_require_mfa_rules_only_opted_in_users_may_enroll() {
    let fx = fixture(|s| {
        s.service = true;
        s.policy.self_enroll.require_mfa_rules = true;
    })
    .await;
    assert_eq!(refused(fx.sign_in("ada", None, RANDOM).await), Refusal::NotOptedIn);
    fx.seed_rules();
    fx.sign_in("ada", None, RANDOM).await.expect("an opted-in user may start");
}

#[tokio::test]
async fn wrong_codes_count_down_then_end_the_enrollment() {
    let fx = fixture(|s| s.policy.limits.max_totp_attempts = 2).await;
    let started = fx.sign_in("ada", None, RANDOM).await.unwrap();
    let secret = started.totp.secret.expose().to_owned();
    let wrong = wrong_code(&fx, &secret);
    let first = finish_enrollment(&fx.deps, &started.enrollment, &wrong).await;
    assert_eq!(refused(first), Refusal::WrongCode { left: 1, skew_secs: None });
    let second = finish_enrollment(&fx.deps, &started.enrollment, &wrong).await;
    assert_eq!(refused(second), Refusal::EnrollmentLocked);
    let right = finish_enrollment(&fx.deps, &started.enrollment, &fx.code_now(&secret)).await;
    assert_eq!(refused(right), Refusal::EnrollmentUnknown, "over: start again");
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty());
}

#[tokio::test]
async fn an_enrollment_expires_by_the_clock_and_finishes_only_once() {
    let fx = fixture(|_| {}).await;
    let started = fx.sign_in("ada", None, RANDOM).await.unwrap();
    fx.clock.advance(Duration::minutes(11));
    let code = fx.code_now(started.totp.secret.expose());
    assert_eq!(
        refused(finish_enrollment(&fx.deps, &started.enrollment, &code).await),
        Refusal::EnrollmentUnknown
    );

    let again = fx.sign_in("ada", None, RANDOM).await.unwrap();
    let code = fx.code_now(again.totp.secret.expose());
    finish_enrollment(&fx.deps, &again.enrollment, &code).await.unwrap();
    assert_eq!(
        refused(finish_enrollment(&fx.deps, &again.enrollment, &code).await),
        Refusal::EnrollmentUnknown
    );
    assert_eq!(fx.keystone.totp_credentials(&fx.user).len(), 1);
}

#[tokio::test]
async fn a_code_keystone_refuses_leaves_no_credential_behind() {
    let fx = fixture(|s| s.policy.totp.previous_windows = 2).await;
    let started = fx.sign_in("ada", None, RANDOM).await.unwrap();
    let old = code_for(started.totp.secret.expose(), fx.deps.clock.now().timestamp() - 60);
    let refusal = refused(finish_enrollment(&fx.deps, &started.enrollment, &old).await);
    assert!(matches!(refusal, Refusal::CodeNotAccepted { .. }), "{refusal:?}");
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty());
}

#[tokio::test]
async fn enforcing_mfa_switches_the_rules_on_after_self_enrollment() {
    let fx = fixture(|s| {
        s.service = true;
        s.policy.mfa.enforce = true;
    })
    .await;
    fx.self_enroll().await.unwrap();
    assert_eq!(
        fx.keystone.mfa(&fx.user),
        Some(MfaOptions { enabled: true, rules: json!([["password", "totp"]]) })
    );
}
