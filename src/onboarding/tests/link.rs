//! Opening a link and step 1: unknown, expired and used links, the PIN count, the password's
//! shape and Keystone's word on it, the lease.
use super::*;

#[tokio::test]
async fn an_unknown_link_is_refused() {
    let fx = fixture(|_| {}).await;
    assert_eq!(refused(fx.password(&OneTimeToken::generate(), "1234", NEW, NEW).await), Refusal::LinkUnknown);
}

#[tokio::test]
async fn an_expired_link_is_refused_by_the_clock() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.clock.advance(Duration::hours(25));
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkExpired);
}

#[tokio::test]
async fn pins_codes_and_passwords_of_the_wrong_shape_are_refused_before_keystone() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "12", NEW, NEW).await), Refusal::PinMalformed { min: 4, max: 4 });
    assert_eq!(refused(fx.password(&token, "1234", NEW, "other-password-1").await), Refusal::PasswordsDiffer);
    assert_eq!(
        refused(fx.password(&token, "1234", "short", "short").await),
        Refusal::PasswordTooShort { min: 8 }
    );
    let long = "x".repeat(73);
    assert_eq!(
        refused(fx.password(&token, "1234", &long, &long).await),
        Refusal::PasswordTooLong { max_bytes: 72 }
    );
    assert_eq!(
        refused(fx.password(&token, "1234", "tab\there-12", "tab\there-12").await),
        Refusal::PasswordUnusable
    );
    assert_eq!(fx.keystone_calls(), 0, "Keystone was not asked");
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
}

#[tokio::test]
async fn wrong_pins_count_down_then_lock_the_link() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "0000", NEW, NEW).await), Refusal::WrongPin { left: 2 });
    assert_eq!(refused(fx.password(&token, "0001", NEW, NEW).await), Refusal::WrongPin { left: 1 });
    assert_eq!(refused(fx.password(&token, "0002", NEW, NEW).await), Refusal::LockedAfterPin);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkLocked);
    assert!(fx.keystone.password_is(&fx.user, RANDOM), "the password was never changed");
}

#[tokio::test]
async fn keystones_password_rule_and_a_disabled_account_are_relayed_and_change_nothing() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone.set_password_rule("Needs a digit.", |password| password.chars().any(|c| c.is_ascii_digit()));
    let no_digit = "no-digits-at-all";
    match refused(fx.password(&token, "1234", no_digit, no_digit).await) {
        Refusal::KeystoneRefusedPassword(message) => assert!(message.contains("Needs a digit."), "{message}"),
        other => panic!("{other:?}"),
    }
    fx.keystone.set_enabled(&fx.user, false);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::AccountDisabled);
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
    assert!(matches!(current(&fx.deps, &token).await.unwrap(), View::Password { .. }), "still at step 1");
}

#[tokio::test]
async fn a_password_changed_elsewhere_is_told_apart() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone.set_password(&fx.user, "someone-elses-choice-1");
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::ChangedElsewhere);
}

#[tokio::test]
async fn a_deleted_account_is_told_so_with_a_service_credential() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.link().await;
    fx.keystone.delete_user(&fx.user);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::AccountGone);
}

#[tokio::test]
async fn a_held_lease_is_busy_and_a_renewed_link_is_replaced() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let user = fx.user.clone();
    let flow = fx.deps.store.flow_by_token(&token.hash()).await.unwrap().unwrap();
    let now = fx.deps.clock.now();
    let until = now + Duration::minutes(10);
    assert!(fx.deps.store.acquire_lease(&user, now, until).await.unwrap());
    let busy = crate::onboarding::with_lease_raw(&fx.deps, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(busy), Refusal::Busy);
    fx.link_after_renewal().await;
    let still = crate::onboarding::with_lease_raw(&fx.deps, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(still), Refusal::Busy, "a renewal does not free the lease of a step in flight");
    fx.deps.store.release_lease(&user, until).await.unwrap();

    let late = crate::onboarding::password::finish_for_test(&fx.deps, &flow).await;
    assert_eq!(refused(late), Refusal::Replaced);
}

#[tokio::test]
async fn a_used_link_says_so() {
    let fx = fixture(|s| s.policy.totp.enabled = false).await;
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    assert!(fx.keystone.password_is(&fx.user, NEW));
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUsed);
}
