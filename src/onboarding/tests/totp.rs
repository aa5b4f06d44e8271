//! Step 2: codes counted and checked by setpass and by Keystone, the credential created and the
//! old ones removed, and the operator's part when MFA rules are on.
use super::*;

#[tokio::test]
async fn a_second_step_of_the_same_kind_is_told_where_the_link_stands() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.code(&token, "123456", None).await), Refusal::StageMoved(Stage::Password));
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::StageMoved(Stage::Totp));
    let fresh = fx.link_after_renewal().await;
    assert_eq!(refused(fx.code(&fresh, &fx.code_now(&secret), None).await), Refusal::PasswordNeeded);
}

#[tokio::test]
async fn wrong_and_malformed_codes_count_down_with_a_clock_hint_then_lock() {
    let fx = fixture(|s| s.policy.limits.max_totp_attempts = 2).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(refused(fx.code(&token, "12ab", None).await), Refusal::CodeMalformed);
    let ahead = code_for(&secret, fx.deps.clock.now().timestamp() + 300);
    match refused(fx.code(&token, &ahead, None).await) {
        Refusal::WrongCode { left: 1, skew_secs: Some(skew) } => {
            assert!((240..=330).contains(&skew), "{skew}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused(fx.code(&token, &wrong_code(&fx, &secret), None).await), Refusal::LockedAfterCode);
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty(), "no credential was created");
}

#[tokio::test]
async fn a_code_keystone_refuses_leaves_no_credential_behind() {
    // setpass accepts two earlier windows, Keystone (its default) one.
    let fx = fixture(|s| s.policy.totp.previous_windows = 2).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    let old = code_for(&secret, fx.deps.clock.now().timestamp() - 60);
    assert_eq!(refused(fx.code(&token, &old, None).await), Refusal::CodeNotAccepted { left: 9 });
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty(), "the unconfirmed credential was withdrawn");
}

#[tokio::test]
async fn a_missing_totp_method_and_a_wrong_password_are_refused() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.keystone.set_totp_method_enabled(false);
    assert_eq!(refused(fx.code(&token, &fx.code_now(&secret), None).await), Refusal::TotpUnavailable);
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty());

    fx.keystone.set_totp_method_enabled(true);
    let fresh = fx.link_after_renewal().await;
    let wrong = fx.code(&fresh, &fx.code_now(&secret), Some("wrong-password-1")).await;
    assert_eq!(refused(wrong), Refusal::WrongPasswordOrAccount, "no service credential to tell");
}

/// The wrong codes and passwords counted against the link so far.
async fn totp_failures(fx: &Fixture, token: &OneTimeToken) -> u32 {
    fx.deps.store.flow_by_token(&token.hash()).await.unwrap().unwrap().record.totp_failures
}

#[tokio::test]
async fn an_account_disabled_after_step_1_is_told_so_and_uses_no_attempt() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    let fresh = fx.link_after_renewal().await;
    fx.keystone.set_enabled(&fx.user, false);

    let disabled = fx.code(&fresh, &fx.code_now(&secret), Some(NEW)).await;

    assert_eq!(refused(disabled), Refusal::AccountDisabled);
    assert_eq!(totp_failures(&fx, &fresh).await, 0, "no attempt used up");
    fx.keystone.set_enabled(&fx.user, true);
    let wrong = fx.code(&fresh, &fx.code_now(&secret), Some("wrong-password-1")).await;
    assert_eq!(refused(wrong), Refusal::WrongPassword, "enabled: the password was wrong");
    assert_eq!(totp_failures(&fx, &fresh).await, 1, "a wrong password counts");
    fx.code(&fresh, &fx.code_now(&secret), Some(NEW)).await.unwrap();
}

#[tokio::test]
async fn an_account_deleted_after_step_1_is_told_so_and_uses_no_attempt() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    let fresh = fx.link_after_renewal().await;
    fx.keystone.delete_user(&fx.user);

    let gone = fx.code(&fresh, &fx.code_now(&secret), Some(NEW)).await;

    assert_eq!(refused(gone), Refusal::AccountGone);
    assert_eq!(totp_failures(&fx, &fresh).await, 0, "no attempt used up");
}

#[tokio::test]
async fn without_a_service_credential_a_disabled_account_is_told_both_and_counts() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    let fresh = fx.link_after_renewal().await;
    fx.keystone.set_enabled(&fx.user, false);

    let refusal = fx.code(&fresh, &fx.code_now(&secret), Some(NEW)).await;

    assert_eq!(refused(refusal), Refusal::WrongPasswordOrAccount);
    assert_eq!(totp_failures(&fx, &fresh).await, 1, "it may be a guess: counted");
}

#[tokio::test]
async fn a_right_code_enrolls_the_authenticator_in_keystone() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert!(fx.keystone.password_is(&fx.user, NEW));
    assert_eq!(fx.keystone.totp_credentials(&fx.user).len(), 1);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUsed);
}

#[tokio::test]
async fn an_older_authenticator_is_removed_once_the_new_one_is_confirmed() {
    let fx = fixture(|_| {}).await;
    let lost_phone = "JBSWY3DPEHPK3PXP";
    fx.keystone.add_totp_credential(&fx.user, lost_phone);
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(
        refused(fx.code(&token, &wrong_code(&fx, &secret), None).await),
        Refusal::WrongCode { left: 9, skew_secs: None }
    );
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [lost_phone], "kept while nothing is confirmed");
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [secret], "only the new authenticator is left");
}

#[tokio::test]
async fn mfa_rules_without_a_service_credential_need_the_operator_and_resume_tries_again() {
    let fx = fixture(|_| {}).await;
    let rules = MfaOptions { enabled: true, rules: json!([["password", "totp"]]) };
    fx.keystone.set_user_mfa(&fx.user, rules.clone());
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let code = submit_totp(&fx.deps, &token, TotpInput { code: "123456", password: None }).await;
    assert!(matches!(code.unwrap(), View::NeedsOperator { .. }), "the TOTP step waits for the login");
    assert!(matches!(current(&fx.deps, &token).await.unwrap(), View::NeedsOperator { .. }));
    assert!(matches!(resume(&fx.deps, &token, NEW).await.unwrap(), View::NeedsOperator { .. }));
    assert_eq!(fx.keystone.mfa(&fx.user), Some(rules), "the rules were not touched");

    fx.keystone.set_user_mfa(&fx.user, MfaOptions { enabled: false, rules: serde_json::Value::Null });
    assert!(
        matches!(resume(&fx.deps, &token, NEW).await.unwrap(), View::Totp(_)),
        "the operator cleared them"
    );
}
