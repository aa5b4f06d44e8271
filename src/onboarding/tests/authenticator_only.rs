//! An authenticator-only link: the admin's PUT, step 1 with the current password (nothing changes
//! in Keystone), the wrong ones counted with the PINs, MFA rules, and the replacement of the old
//! app only once the new one is confirmed.
use super::admin::admin_refusal;
use super::*;
use crate::domain::admin::AdminRefusal;
use crate::domain::onboarding::IssueError;
use crate::domain::{IssueKind, TotpSecret};
use crate::onboarding::admin;

fn seed_rules() -> MfaOptions {
    MfaOptions { enabled: true, rules: json!([["password", "totp"], ["application_credential"]]) }
}

impl Fixture {
    /// Step 1 of an authenticator-only link, as the JSON API sends it (no confirmation).
    async fn confirm(&self, token: &OneTimeToken, pin: &str, password: &str) -> Result<View, Error> {
        submit_password(&self.deps, token, PasswordInput { pin, password, confirm: None }).await
    }

    /// An authenticator app the user set up before (the lost phone's).
    fn old_app(&self) -> String {
        self.keystone.add_totp_credential(&self.user, TotpSecret::generate().expose());
        self.keystone.totp_credentials(&self.user)[0].clone()
    }

    async fn pin_attempts_left(&self) -> u32 {
        admin::status(&self.deps, &self.user).await.unwrap().attempts_left
    }
}

fn totp(view: View) -> crate::onboarding::TotpView {
    match view {
        View::Totp(totp) => totp,
        other => panic!("expected the TOTP step, got {other:?}"),
    }
}

#[tokio::test]
async fn the_current_password_leads_to_the_totp_step_and_nothing_changes_in_keystone() {
    let fx = fixture(|_| {}).await;
    let old = fx.old_app();
    let token = fx.authenticator_only_link().await;
    let shown = current(&fx.deps, &token).await.unwrap();
    assert!(matches!(shown, View::Confirm { attempts_left: 3, .. }), "{shown:?}");

    let step = totp(fx.confirm(&token, "1234", RANDOM).await.unwrap());

    assert!(step.authenticator_only && !step.needs_password, "the login's token is kept: {step:?}");
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
    assert_eq!(fx.keystone.calls("password change"), 0);
    assert_eq!(fx.keystone.calls("MFA rules update"), 0);
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![old], "the old app stays until a new one works");
    assert_eq!(fx.pin_attempts_left().await, 3, "a right PIN and password use nothing up");
}

#[tokio::test]
async fn the_old_app_is_replaced_only_once_keystone_confirmed_the_new_one() {
    let fx = fixture(|_| {}).await;
    let old = fx.old_app();
    let token = fx.authenticator_only_link().await;
    let secret = totp(fx.confirm(&token, "1234", RANDOM).await.unwrap()).secret.expose().to_owned();

    assert!(matches!(
        refused(fx.code(&token, &wrong_code(&fx, &secret), None).await),
        Refusal::WrongCode { .. }
    ));
    fx.keystone.fail_operation("TOTP login");
    assert!(fx.code(&token, &fx.code_now(&secret), None).await.is_err(), "Keystone could not confirm");
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![old.clone()], "unconfirmed: the old app stays");

    fx.keystone.heal_operation("TOTP login");
    let code = fx.code_now(&secret);
    match submit_totp(&fx.deps, &token, TotpInput { code: &code, password: None }).await.unwrap() {
        View::Complete { recovery_codes, authenticator_only: true } => assert_eq!(recovery_codes.len(), 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![secret], "only the new app remains");
    assert!(fx.keystone.password_is(&fx.user, RANDOM), "the password is as before");
}

#[tokio::test]
async fn wrong_current_passwords_count_with_the_pins_and_lock_the_link() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.authenticator_only_link().await;

    let first = fx.confirm(&token, "1234", "not-my-password-1").await;
    assert_eq!(refused(first), Refusal::WrongCurrentPassword { left: 2 });
    assert_eq!(refused(fx.confirm(&token, "0000", RANDOM).await), Refusal::WrongPin { left: 1 });
    let last = fx.confirm(&token, "1234", "not-my-password-2").await;
    assert_eq!(refused(last), Refusal::LockedAfterPassword);

    assert_eq!(refused(fx.confirm(&token, "1234", RANDOM).await), Refusal::LinkLocked);
    assert_eq!(fx.keystone.failed_logins(&fx.user), 2, "Keystone's lockout counts them too");
    assert_eq!(fx.deps.metrics.lockouts.get(), 1);
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
}

#[tokio::test]
async fn without_a_service_credential_a_refused_password_may_be_the_account_and_stays_counted() {
    let fx = fixture(|_| {}).await;
    let token = fx.authenticator_only_link().await;
    let wrong = fx.confirm(&token, "1234", "not-my-password-1").await;
    assert_eq!(refused(wrong), Refusal::WrongCurrentPasswordOrAccount { left: 2 });

    totp(fx.confirm(&token, "1234", RANDOM).await.unwrap());
    assert_eq!(fx.pin_attempts_left().await, 2, "only the right attempt was given back");
}

#[tokio::test]
async fn a_disabled_or_deleted_account_is_told_so_and_uses_no_attempt_up() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.authenticator_only_link().await;
    fx.keystone.set_enabled(&fx.user, false);
    assert_eq!(refused(fx.confirm(&token, "1234", RANDOM).await), Refusal::AccountDisabled);
    assert_eq!(fx.pin_attempts_left().await, 3);

    fx.keystone.delete_user(&fx.user);
    assert_eq!(refused(fx.confirm(&token, "1234", RANDOM).await), Refusal::AccountGone);
    assert_eq!(fx.pin_attempts_left().await, 3);
}

#[tokio::test]
async fn a_user_with_mfa_rules_gets_past_them_with_the_service_credential_and_keeps_them() {
    let fx = fixture(|s| s.service = true).await;
    fx.keystone.set_user_mfa(&fx.user, seed_rules());
    fx.old_app();
    let token = fx.authenticator_only_link().await;

    let step = totp(fx.confirm(&token, "1234", RANDOM).await.unwrap());

    assert!(!step.needs_password, "a token of the user's own, from past the rules");
    assert_eq!(fx.keystone.mfa(&fx.user), Some(seed_rules()), "on again before step 1 answered");
    assert!(fx.deps.store.mfa_owed(&fx.user).await.unwrap().is_none(), "nothing owed");
    fx.code(&token, &fx.code_now(step.secret.expose()), None).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![step.secret.expose().to_owned()]);
    assert_eq!(fx.keystone.mfa(&fx.user), Some(seed_rules()));
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
}

#[tokio::test]
async fn a_user_with_mfa_rules_and_no_service_credential_needs_the_operator_and_keeps_everything() {
    let fx = fixture(|_| {}).await;
    fx.keystone.set_user_mfa(&fx.user, seed_rules());
    let old = fx.old_app();
    let token = fx.authenticator_only_link().await;

    let answer = fx.confirm(&token, "1234", RANDOM).await.unwrap();

    assert!(matches!(answer, View::NeedsOperator { authenticator_only: true }), "{answer:?}");
    let again = resume(&fx.deps, &token, RANDOM).await.unwrap();
    assert!(matches!(again, View::NeedsOperator { authenticator_only: true }), "{again:?}");
    assert_eq!(fx.keystone.mfa(&fx.user), Some(seed_rules()));
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![old]);
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
    assert_eq!(fx.keystone.calls("MFA rules update"), 0);
}

#[tokio::test]
async fn the_totp_step_asks_for_the_current_password_once_the_kept_token_is_gone() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.authenticator_only_link().await;
    let secret = totp(fx.confirm(&token, "1234", RANDOM).await.unwrap()).secret.expose().to_owned();
    let fresh = fx.link_after_renewal().await;
    assert!(fx.totp_view(&fresh).await.needs_password && fx.totp_view(&fresh).await.authenticator_only);

    let code = fx.code_now(&secret);
    assert_eq!(refused(fx.code(&fresh, &code, None).await), Refusal::CurrentPasswordNeeded);
    let wrong = fx.code(&fresh, &code, Some("not-my-password-1")).await;
    assert_eq!(refused(wrong), Refusal::WrongCurrentPassword { left: 9 });
    fx.code(&fresh, &code, Some(RANDOM)).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), vec![secret]);
}

#[tokio::test]
async fn the_put_needs_a_pin_refuses_a_password_too_and_switches_the_kind_on_renewal() {
    let fx = fixture(|_| {}).await;
    let both = admin_refusal(fx.issue_as(Some("1234"), Some(RANDOM), true).await);
    assert_eq!(both, AdminRefusal::Issue(IssueError::PasswordWithAuthenticatorOnly));
    let no_pin = admin_refusal(fx.issue_as(None, None, true).await);
    assert_eq!(no_pin, AdminRefusal::Issue(IssueError::Missing("`pin`")));
    assert!(fx.deps.store.find(&fx.user).await.unwrap().is_none(), "nothing was written");

    assert_eq!(fx.issue_as(Some("1234"), None, true).await.unwrap(), IssueKind::Created);
    assert!(admin::status(&fx.deps, &fx.user).await.unwrap().record.authenticator_only);
    assert_eq!(fx.issue_as(None, None, false).await.unwrap(), IssueKind::Renewed);
    assert!(admin::status(&fx.deps, &fx.user).await.unwrap().record.authenticator_only, "kept");
    assert_eq!(fx.issue_as(None, Some(RANDOM), false).await.unwrap(), IssueKind::Renewed);
    assert!(!admin::status(&fx.deps, &fx.user).await.unwrap().record.authenticator_only);

    let off = fixture(|s| s.policy.totp.enabled = false).await;
    let refused = admin_refusal(off.issue_as(Some("1234"), None, true).await);
    assert_eq!(refused, AdminRefusal::Issue(IssueError::AuthenticatorOff));
}
