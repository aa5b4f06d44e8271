//! The contract of `Records`: issuing and renewing links, counting, revoking, purging.
use super::{at, flow_of, issue, new_record, renewal, user, DAY, HOUR};
use crate::domain::onboarding::IssueError;
use crate::domain::{IssueKind, Locale, Stage};
use crate::store::{IssueWrite, PasswordDone, Revoke, Store};
use chrono::Duration;

async fn a_first_issue_creates_the_record_and_the_next_renews_it_under_a_new_link(store: &dyn Store) {
    let first = issue(store, new_record("u1", at(0))).await;
    let renewed = renewal("u1", at(HOUR));
    let second = crate::store::Issuance { user_id: user("u1"), token_hash: renewed.token_hash.clone() };

    assert_eq!(store.issue(renewed).await.unwrap(), Ok(IssueKind::Renewed));

    assert!(store.flow_by_token(&first.token_hash).await.unwrap().is_none(), "the old link died");
    let flow = flow_of(store, &second).await;
    assert_eq!(flow.record.stage, Stage::Password);
    assert_eq!(flow.pin_hash, "$pin-of-u1", "a renewal without a PIN keeps the PIN");
    assert_eq!(flow.password_ct.as_deref(), Some(&b"password-of-u1"[..]));
    let record = store.find(&user("u1")).await.unwrap().unwrap();
    assert_eq!((record.created_at, record.issued_at, record.updated_at), (at(0), at(HOUR), at(HOUR)));
    assert_eq!(record.expires_at, at(HOUR + DAY));
}

async fn a_new_record_without_a_pin_or_a_password_is_refused_and_nothing_is_written(store: &dyn Store) {
    let no_pin = IssueWrite { pin_hash: None, ..new_record("u1", at(0)) };
    let no_password = IssueWrite { password_ct: None, ..new_record("u1", at(0)) };

    assert_eq!(store.issue(no_pin).await.unwrap(), Err(IssueError::Missing("`pin`")));
    assert_eq!(
        store.issue(no_password).await.unwrap(),
        Err(IssueError::Missing("`password` (or `\"authenticator_only\": true`)"))
    );
    assert_eq!(
        store.issue(renewal("u1", at(0))).await.unwrap(),
        Err(IssueError::Missing("`pin` and `password` (or `\"authenticator_only\": true`)"))
    );
    let both = IssueWrite { authenticator_only: true, ..new_record("u1", at(0)) };
    assert_eq!(store.issue(both).await.unwrap(), Err(IssueError::PasswordWithAuthenticatorOnly));

    assert!(store.find(&user("u1")).await.unwrap().is_none());
}

async fn a_completed_record_is_renewed_only_with_a_new_password(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.complete(&issued, at(60), false).await.unwrap());

    assert_eq!(store.issue(renewal("u1", at(HOUR))).await.unwrap(), Err(IssueError::AlreadyComplete));
    assert_eq!(store.find(&user("u1")).await.unwrap().unwrap().stage, Stage::Complete);

    let again = IssueWrite { pin_hash: None, ..new_record("u1", at(2 * HOUR)) };
    assert_eq!(store.issue(again).await.unwrap(), Ok(IssueKind::Renewed));
    assert_eq!(store.find(&user("u1")).await.unwrap().unwrap().stage, Stage::Password);
}

/// The TOTP step's secrets, as the password step leaves them.
fn at_totp(now: chrono::DateTime<chrono::Utc>) -> PasswordDone {
    PasswordDone {
        next: Stage::Totp,
        totp_secret_ct: Some(b"totp".to_vec()),
        user_token_ct: Some(b"token".to_vec()),
        user_token_expires_at: Some(now + Duration::hours(1)),
        mfa_receipt: true,
        now,
    }
}

async fn a_renewal_with_a_new_password_restarts_the_flow_and_drops_what_the_old_one_led_to(
    store: &dyn Store,
) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.finish_password_step(&issued, at_totp(at(60))).await.unwrap());
    store.claim_attempt(&issued, Stage::Totp, super::LIMITS, at(70)).await.unwrap().unwrap();

    let fresh =
        IssueWrite { pin_hash: None, password_ct: Some(b"new".to_vec()), ..new_record("u1", at(HOUR)) };
    let renewed = issue(store, fresh).await;

    let flow = flow_of(store, &renewed).await;
    assert_eq!(flow.record.stage, Stage::Password);
    assert_eq!((flow.record.pin_failures, flow.record.totp_failures), (0, 0));
    assert_eq!(flow.password_ct.as_deref(), Some(&b"new"[..]));
    assert_eq!((flow.totp_secret_ct, flow.user_token_ct, flow.user_token_expires_at), (None, None, None));
    assert!(!flow.mfa_receipt);
}

async fn a_renewal_without_a_password_keeps_the_stage_and_what_the_flow_has_so_far(store: &dyn Store) {
    let first = IssueWrite {
        locale: Some(Locale::Ko),
        password_rules: Some("12 characters".into()),
        ..new_record("u1", at(0))
    };
    let issued = issue(store, first).await;
    assert!(store.finish_password_step(&issued, at_totp(at(60))).await.unwrap());
    store.claim_attempt(&issued, Stage::Totp, super::LIMITS, at(70)).await.unwrap().unwrap();

    let renewed = issue(store, renewal("u1", at(HOUR))).await;

    let flow = flow_of(store, &renewed).await;
    assert_eq!(flow.record.stage, Stage::Totp);
    assert_eq!(flow.record.totp_failures, 0, "a renewal resets the attempts");
    assert_eq!(flow.totp_secret_ct.as_deref(), Some(&b"totp"[..]));
    assert_eq!(flow.user_token_ct.as_deref(), Some(&b"token"[..]));
    assert!(flow.mfa_receipt);
    assert_eq!((flow.locale, flow.password_rules.as_deref()), (Some(Locale::Ko), Some("12 characters")));

    let english = IssueWrite { locale: Some(Locale::En), ..renewal("u1", at(2 * HOUR)) };
    let renewed = issue(store, english).await;
    let flow = flow_of(store, &renewed).await;
    assert_eq!((flow.locale, flow.password_rules.as_deref()), (Some(Locale::En), Some("12 characters")));
}

/// A first PUT for `id` that makes an authenticator-only link: a PIN, no password.
fn authenticator_only(id: &str, now: chrono::DateTime<chrono::Utc>) -> IssueWrite {
    IssueWrite { password_ct: None, authenticator_only: true, ..new_record(id, now) }
}

async fn an_authenticator_only_link_is_created_without_a_password_and_reads_back_as_such(store: &dyn Store) {
    let issued = issue(store, authenticator_only("u1", at(0))).await;

    let flow = flow_of(store, &issued).await;
    assert!(flow.record.authenticator_only);
    assert_eq!((flow.record.stage, flow.password_ct), (Stage::Password, None));
    assert!(store.find(&user("u1")).await.unwrap().unwrap().authenticator_only);
    let plain = issue(store, new_record("u2", at(0))).await;
    assert!(!flow_of(store, &plain).await.record.authenticator_only);
}

async fn a_renewal_switches_the_kind_per_its_body_and_no_sealed_password_stays_behind(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.finish_password_step(&issued, at_totp(at(60))).await.unwrap());
    let switched = issue(store, IssueWrite { pin_hash: None, ..authenticator_only("u1", at(HOUR)) }).await;
    let flow = flow_of(store, &switched).await;
    assert!(flow.record.authenticator_only);
    assert_eq!(flow.record.stage, Stage::Password, "switching the kind starts over");
    assert_eq!((flow.password_ct, flow.totp_secret_ct, flow.user_token_ct), (None, None, None));

    let at_step_1 = issue(store, new_record("u2", at(0))).await;
    assert!(flow_of(store, &at_step_1).await.password_ct.is_some());
    let switched = issue(store, IssueWrite { pin_hash: None, ..authenticator_only("u2", at(HOUR)) }).await;
    assert_eq!(flow_of(store, &switched).await.password_ct, None, "the admin's old password is dropped");

    let kept = issue(store, renewal("u1", at(2 * HOUR))).await;
    assert!(flow_of(store, &kept).await.record.authenticator_only, "an empty renewal keeps the kind");
    let back = IssueWrite { pin_hash: None, ..new_record("u1", at(3 * HOUR)) };
    let back = issue(store, back).await;
    let flow = flow_of(store, &back).await;
    assert!(!flow.record.authenticator_only, "a password makes it a password link again");
    assert_eq!(flow.password_ct.as_deref(), Some(&b"password-of-u1"[..]));
}

async fn a_completed_record_starts_over_as_an_authenticator_only_link(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.complete(&issued, at(60), false).await.unwrap());

    let again = IssueWrite { pin_hash: None, ..authenticator_only("u1", at(HOUR)) };
    assert_eq!(store.issue(again).await.unwrap(), Ok(IssueKind::Renewed));

    let record = store.find(&user("u1")).await.unwrap().unwrap();
    assert_eq!((record.stage, record.authenticator_only), (Stage::Password, true));
}

async fn concurrent_first_issues_for_one_user_create_one_record(store: &dyn Store) {
    let writes = (0..32).map(|_| store.issue(new_record("u1", at(0))));

    let kinds: Vec<IssueKind> =
        futures_util::future::join_all(writes).await.into_iter().map(|kind| kind.unwrap().unwrap()).collect();

    assert_eq!(kinds.iter().filter(|kind| **kind == IssueKind::Created).count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|kind| **kind == IssueKind::Renewed).count(), 31, "{kinds:?}");
}

async fn open_records_are_counted_by_stage_and_expired_ones_are_left_out(store: &dyn Store) {
    issue(store, new_record("p1", at(0))).await;
    issue(store, new_record("p2", at(0))).await;
    let t = issue(store, new_record("t1", at(0))).await;
    assert!(store.finish_password_step(&t, at_totp(at(10))).await.unwrap());
    let c = issue(store, new_record("c1", at(0))).await;
    assert!(store.complete(&c, at(10), false).await.unwrap());
    issue(store, new_record("old", at(-2 * DAY))).await;

    let mut counts = store.open_records_by_stage(at(HOUR)).await.unwrap();
    counts.sort_by_key(|(stage, _)| stage.as_str());

    assert_eq!(counts, vec![(Stage::Complete, 1), (Stage::Password, 2), (Stage::Totp, 1)]);
    assert!(store.open_records_by_stage(at(DAY)).await.unwrap().is_empty(), "all expired at the expiry");
}

async fn revoking_deletes_the_record_once(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;

    assert_eq!(store.revoke(&user("u1")).await.unwrap(), Revoke::Done);

    assert!(store.find(&user("u1")).await.unwrap().is_none());
    assert!(store.flow_by_token(&issued.token_hash).await.unwrap().is_none());
    assert_eq!(store.revoke(&user("u1")).await.unwrap(), Revoke::NoRecord);
}

async fn a_record_owing_mfa_rules_is_neither_revoked_nor_purged_nor_completed(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(-30 * DAY))).await;
    assert!(store.save_mfa_owed(&user("u1"), "{}".into()).await.unwrap());

    assert_eq!(store.revoke(&user("u1")).await.unwrap(), Revoke::MfaOwed);
    assert_eq!(store.purge_expired(at(0)).await.unwrap(), 0);
    assert!(!store.complete(&issued, at(0), false).await.unwrap());
    assert!(store.find(&user("u1")).await.unwrap().is_some());

    store.clear_mfa_owed(&user("u1")).await.unwrap();
    assert_eq!(store.revoke(&user("u1")).await.unwrap(), Revoke::Done);
}

async fn purging_removes_only_records_expired_before_the_cutoff(store: &dyn Store) {
    issue(store, new_record("old", at(-10 * DAY))).await;
    issue(store, new_record("edge", at(-8 * DAY))).await;
    issue(store, new_record("new", at(0))).await;

    assert_eq!(store.purge_expired(at(-7 * DAY)).await.unwrap(), 1);

    assert!(store.find(&user("old")).await.unwrap().is_none());
    assert!(store.find(&user("edge")).await.unwrap().is_some(), "expired at the cutoff, not before");
    assert!(store.find(&user("new")).await.unwrap().is_some());
}

contract!(
    a_first_issue_creates_the_record_and_the_next_renews_it_under_a_new_link,
    a_new_record_without_a_pin_or_a_password_is_refused_and_nothing_is_written,
    a_completed_record_is_renewed_only_with_a_new_password,
    a_renewal_with_a_new_password_restarts_the_flow_and_drops_what_the_old_one_led_to,
    a_renewal_without_a_password_keeps_the_stage_and_what_the_flow_has_so_far,
    an_authenticator_only_link_is_created_without_a_password_and_reads_back_as_such,
    a_renewal_switches_the_kind_per_its_body_and_no_sealed_password_stays_behind,
    a_completed_record_starts_over_as_an_authenticator_only_link,
    concurrent_first_issues_for_one_user_create_one_record,
    open_records_are_counted_by_stage_and_expired_ones_are_left_out,
    revoking_deletes_the_record_once,
    a_record_owing_mfa_rules_is_neither_revoked_nor_purged_nor_completed,
    purging_removes_only_records_expired_before_the_cutoff,
);
