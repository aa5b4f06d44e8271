//! Logins: passwords and their changes, MFA receipts, TOTP windows, the service credential.
use super::*;
use crate::keystone::{Identity, PasswordChange, TotpLogin};

fn receipt_of(login: Login) -> crate::keystone::Receipt {
    match login {
        Login::Receipt(receipt) => receipt,
        other => panic!("expected a receipt, got {other:?}"),
    }
}

#[tokio::test]
async fn a_wrong_unknown_or_disabled_password_login_is_rejected_and_wrong_ones_are_counted() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    let stranger = keystone.add_user("gone", "default", "pw");
    keystone.delete_user(&stranger);

    assert!(matches!(keystone.password_login(&user, "nope").await.unwrap(), Login::Rejected));
    assert!(matches!(keystone.password_login(&user, "nope").await.unwrap(), Login::Rejected));
    assert_eq!(keystone.failed_logins(&user), 2);
    assert!(matches!(keystone.password_login(&stranger, "pw").await.unwrap(), Login::Rejected));
    keystone.set_enabled(&user, false);
    assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Rejected));
    keystone.set_enabled(&user, true);
    assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Token(_)));
    assert_eq!(keystone.failed_logins(&user), 0);
}

#[tokio::test]
async fn a_password_change_checks_the_original_then_the_account_then_the_rule() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "first");
    let gone = keystone.add_user("gone", "default", "first");
    keystone.delete_user(&gone);
    keystone.require_min_password_length(12);

    assert_eq!(
        keystone.change_password(&user, "wrong", "long enough pw").await.unwrap(),
        PasswordChange::OriginalRejected
    );
    assert_eq!(
        keystone.change_password(&gone, "first", "long enough pw").await.unwrap(),
        PasswordChange::OriginalRejected
    );
    let refused = keystone.change_password(&user, "first", "short").await.unwrap();
    let message =
        "The password does not match the requirements: Passwords must be at least 12 characters long.";
    assert_eq!(refused, PasswordChange::Refused(message.into()));
    keystone.set_enabled(&user, false);
    assert_eq!(
        keystone.change_password(&user, "wrong", "x").await.unwrap(),
        PasswordChange::OriginalRejected
    );
    assert_eq!(keystone.change_password(&user, "first", "x").await.unwrap(), PasswordChange::AccountDisabled);
    keystone.set_enabled(&user, true);
    assert!(keystone.password_is(&user, "first"));

    assert_eq!(
        keystone.change_password(&user, "first", "long enough pw").await.unwrap(),
        PasswordChange::Changed
    );
    assert!(keystone.password_is(&user, "long enough pw"));
    assert_eq!(
        keystone.change_password(&user, "first", "again, long pw").await.unwrap(),
        PasswordChange::OriginalRejected
    );
}

#[tokio::test]
async fn under_password_and_totp_rules_a_password_login_answers_a_receipt_that_a_right_code_completes() {
    let (keystone, clock) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.add_totp_credential(&user, SECRET);
    keystone.set_user_mfa(&user, password_and_totp());

    let receipt = receipt_of(keystone.password_login(&user, "pw").await.unwrap());
    let wrong = keystone.complete_receipt(&receipt, &user, "000000").await.unwrap();
    assert!(matches!(wrong, Login::Rejected));
    let token = token_of(keystone.complete_receipt(&receipt, &user, &code_now(&clock)).await.unwrap());

    assert!(keystone.validate_token(&token).await.is_ok());
}

#[tokio::test]
async fn mfa_rules_that_are_off_empty_or_met_by_the_password_answer_a_token() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    let rules = [
        MfaOptions { enabled: false, rules: serde_json::json!([["password", "totp"]]) },
        MfaOptions { enabled: true, rules: serde_json::json!([]) },
        MfaOptions { enabled: true, rules: serde_json::json!([["password", "totp"], ["password"]]) },
        MfaOptions { enabled: true, rules: serde_json::json!([[], [1, "totp"], "totp"]) },
    ];
    for mfa in rules {
        keystone.set_user_mfa(&user, mfa.clone());
        assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Token(_)), "{mfa:?}");
    }
}

#[tokio::test]
async fn with_totp_not_among_keystone_s_methods_a_rule_counts_only_its_loaded_methods() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.set_user_mfa(&user, password_and_totp());
    assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Receipt(_)));

    keystone.set_totp_method_enabled(false);

    assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Token(_)));
    assert!(!keystone.totp_method_enabled().await.unwrap());
    let methods = ["external", "password", "token", "oauth1", "mapped", "application_credential"];
    let answer = keystone.totp_login(&user, "123456").await.unwrap();
    assert_eq!(answer, TotpLogin::MethodDisabled(methods.map(String::from).to_vec()));
}

#[tokio::test]
async fn a_receipt_is_rejected_for_another_user_after_five_minutes_or_when_made_up() {
    let (keystone, clock) = fake();
    let ana = keystone.add_user("ana", "default", "pw");
    let bo = keystone.add_user("bo", "default", "pw");
    for user in [&ana, &bo] {
        keystone.add_totp_credential(user, SECRET);
        keystone.set_user_mfa(user, password_and_totp());
    }
    let receipt = receipt_of(keystone.password_login(&ana, "pw").await.unwrap());
    let made_up = crate::keystone::Receipt("fake-receipt-0".to_owned().into());

    assert!(matches!(
        keystone.complete_receipt(&receipt, &bo, &code_now(&clock)).await.unwrap(),
        Login::Rejected
    ));
    assert!(matches!(
        keystone.complete_receipt(&made_up, &ana, &code_now(&clock)).await.unwrap(),
        Login::Rejected
    ));
    clock.advance(Duration::seconds(301));
    assert!(matches!(
        keystone.complete_receipt(&receipt, &ana, &code_now(&clock)).await.unwrap(),
        Login::Rejected
    ));
}

#[tokio::test]
async fn a_receipt_completed_short_of_every_method_of_the_rule_answers_another_receipt() {
    let (keystone, clock) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.add_totp_credential(&user, SECRET);
    let three = serde_json::json!([["password", "totp", "external"]]);
    keystone.set_user_mfa(&user, MfaOptions { enabled: true, rules: three });

    let receipt = receipt_of(keystone.password_login(&user, "pw").await.unwrap());

    assert!(matches!(
        keystone.complete_receipt(&receipt, &user, &code_now(&clock)).await.unwrap(),
        Login::Receipt(_)
    ));
}

#[tokio::test]
async fn a_totp_code_of_this_window_or_the_one_before_is_accepted_and_no_other() {
    let (keystone, clock) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.add_totp_credential(&user, SECRET);
    // One second into a window, so the calls below cannot straddle the next one.
    let into_window = clock.now().timestamp_millis().rem_euclid(30_000);
    clock.advance(Duration::milliseconds(30_000 - into_window + 1_000));
    let now = clock.now();
    let (current, previous) = (code_at(now), code_at(now - Duration::seconds(30)));
    let (older, next) = (code_at(now - Duration::seconds(60)), code_at(now + Duration::seconds(30)));

    assert_eq!(keystone.totp_login(&user, &current).await.unwrap(), TotpLogin::Accepted);
    assert_eq!(keystone.totp_login(&user, &previous).await.unwrap(), TotpLogin::Accepted);
    if ![&current, &previous].contains(&&older) {
        assert_eq!(keystone.totp_login(&user, &older).await.unwrap(), TotpLogin::Rejected);
    }
    if ![&current, &previous].contains(&&next) {
        assert_eq!(keystone.totp_login(&user, &next).await.unwrap(), TotpLogin::Rejected);
    }
    clock.advance(Duration::seconds(30));
    assert_eq!(keystone.totp_login(&user, &next).await.unwrap(), TotpLogin::Accepted);
    clock.advance(Duration::seconds(60));
    if code_at(clock.now()) != current && code_at(clock.now() - Duration::seconds(30)) != current {
        assert_eq!(keystone.totp_login(&user, &current).await.unwrap(), TotpLogin::Rejected);
    }
}

#[tokio::test]
async fn a_totp_login_is_rejected_without_a_credential_for_a_disabled_user_or_a_lower_case_secret() {
    let (keystone, clock) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    assert_eq!(keystone.totp_login(&user, &code_now(&clock)).await.unwrap(), TotpLogin::Rejected);

    keystone.add_totp_credential(&user, &SECRET.to_lowercase());
    assert_eq!(keystone.totp_login(&user, &code_now(&clock)).await.unwrap(), TotpLogin::Rejected);

    keystone.add_totp_credential(&user, SECRET);
    keystone.set_enabled(&user, false);
    assert_eq!(keystone.totp_login(&user, &code_now(&clock)).await.unwrap(), TotpLogin::Rejected);
    keystone.set_enabled(&user, true);
    assert_eq!(keystone.totp_login(&user, &code_now(&clock)).await.unwrap(), TotpLogin::Accepted);
}

#[tokio::test]
async fn a_totp_login_that_the_rules_answer_with_a_receipt_counts_as_accepted() {
    let (keystone, clock) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.add_totp_credential(&user, SECRET);
    keystone.set_user_mfa(&user, password_and_totp());

    assert_eq!(keystone.totp_login(&user, &code_now(&clock)).await.unwrap(), TotpLogin::Accepted);
}

#[tokio::test]
async fn an_application_credential_logs_in_only_with_its_secret() {
    let (keystone, _) = fake();
    keystone.add_application_credential("svc", "s3cret", cloud_admin());

    assert!(matches!(keystone.application_credential_login("svc", "wrong").await.unwrap(), Login::Rejected));
    assert!(matches!(
        keystone.application_credential_login("other", "s3cret").await.unwrap(),
        Login::Rejected
    ));
    let token = token_of(keystone.application_credential_login("svc", "s3cret").await.unwrap());
    assert_eq!(keystone.validate_token(&token).await.unwrap().scope.roles, vec!["admin".to_owned()]);
}
