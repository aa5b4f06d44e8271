//! The contract of `Flow`: compare-and-set on the issuance, the attempt counters (also under
//! concurrency), the work lease, the stage transitions and the MFA rules owed.
use super::{at, flow_of, issue, new_record, renewal, user, DAY, LIMITS};
use crate::domain::{Limits, Locale, OneTimeToken, Stage};
use crate::store::{IssueWrite, PasswordDone, Store};
use chrono::Duration;
use futures_util::future::join_all;

fn to_totp(now: chrono::DateTime<chrono::Utc>) -> PasswordDone {
    PasswordDone {
        next: Stage::Totp,
        totp_secret_ct: Some(b"totp".to_vec()),
        user_token_ct: Some(b"token".to_vec()),
        user_token_expires_at: Some(now + Duration::hours(1)),
        mfa_receipt: false,
        now,
    }
}

async fn a_link_reads_its_record_with_the_sealed_secrets_and_an_unknown_link_reads_nothing(
    store: &dyn Store,
) {
    let write = IssueWrite {
        locale: Some(Locale::Ko),
        password_rules: Some("12 characters".into()),
        ..new_record("u1", at(0))
    };
    let issued = issue(store, write).await;

    let flow = flow_of(store, &issued).await;

    assert_eq!(flow.record.user_id, user("u1"));
    assert_eq!(flow.token_hash, issued.token_hash);
    assert_eq!((flow.user_name.as_str(), flow.pin_hash.as_str()), ("u1@example.com", "$pin-of-u1"));
    assert_eq!(flow.password_ct.as_deref(), Some(&b"password-of-u1"[..]));
    assert_eq!((flow.totp_secret_ct, flow.user_token_ct, flow.user_token_expires_at), (None, None, None));
    assert!(!flow.mfa_receipt && flow.mfa_restore.is_none());
    assert_eq!((flow.locale, flow.password_rules.as_deref()), (Some(Locale::Ko), Some("12 characters")));
    assert!(store.flow_by_token(&OneTimeToken::generate().hash()).await.unwrap().is_none());
}

async fn a_write_against_a_stale_issuance_changes_nothing(store: &dyn Store) {
    let stale = issue(store, new_record("u1", at(0))).await;
    let current = issue(store, renewal("u1", at(60))).await;
    assert_eq!(store.claim_attempt(&current, Stage::Password, LIMITS, at(70)).await.unwrap(), Some(1));

    assert_eq!(store.claim_attempt(&stale, Stage::Password, LIMITS, at(80)).await.unwrap(), None);
    store.refund_attempt(&stale, Stage::Password).await.unwrap();
    assert!(!store.finish_password_step(&stale, to_totp(at(80))).await.unwrap());
    assert!(!store.store_user_token(&stale, Some(b"old".to_vec()), Some(at(90)), true).await.unwrap());
    assert!(!store.complete(&stale, at(80), true).await.unwrap());

    let flow = flow_of(store, &current).await;
    assert_eq!((flow.record.stage, flow.record.pin_failures), (Stage::Password, 1));
    assert_eq!(flow.password_ct.as_deref(), Some(&b"password-of-u1"[..]));
    assert_eq!((flow.user_token_ct, flow.mfa_receipt), (None, false));
    assert!(store.claim_outgoing(at(90), at(120), 10).await.unwrap().is_empty(), "nothing announced");
    assert!(
        store.finish_password_step(&current, to_totp(at(80))).await.unwrap(),
        "the current one still can"
    );
}

async fn concurrent_wrong_pins_all_count_and_none_is_lost(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    let roomy = Limits { max_pin_attempts: 1000, max_totp_attempts: 1000 };

    let claims = (0..200).map(|_| store.claim_attempt(&issued, Stage::Password, roomy, at(10)));
    let mut counts: Vec<u32> = join_all(claims).await.into_iter().map(|c| c.unwrap().unwrap()).collect();
    counts.sort_unstable();

    assert_eq!(counts, (1..=200).collect::<Vec<_>>(), "each guess saw its own count");
    assert_eq!(flow_of(store, &issued).await.record.pin_failures, 200);
}

async fn concurrent_guesses_past_the_limit_are_counted_no_more_than_the_limit(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;

    let claims = (0..50).map(|_| store.claim_attempt(&issued, Stage::Password, LIMITS, at(10)));
    let answers: Vec<Option<u32>> = join_all(claims).await.into_iter().map(Result::unwrap).collect();

    let mut counted: Vec<u32> = answers.iter().flatten().copied().collect();
    counted.sort_unstable();
    assert_eq!(counted, vec![1, 2, 3, 4, 5], "exactly the limit is checked");
    assert_eq!(flow_of(store, &issued).await.record.pin_failures, LIMITS.max_pin_attempts);
    assert_eq!(store.claim_attempt(&issued, Stage::Password, LIMITS, at(20)).await.unwrap(), None, "locked");
}

async fn an_attempt_counts_only_at_the_records_stage_before_it_expires_and_until_it_locks(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;

    assert_eq!(store.claim_attempt(&issued, Stage::Totp, LIMITS, at(10)).await.unwrap(), None, "wrong stage");
    assert_eq!(
        store.claim_attempt(&issued, Stage::Password, LIMITS, at(DAY)).await.unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.claim_attempt(&issued, Stage::Password, LIMITS, at(DAY - 1)).await.unwrap(), Some(1));

    assert!(store.finish_password_step(&issued, to_totp(at(20))).await.unwrap());
    for count in 1..=LIMITS.max_totp_attempts {
        assert_eq!(store.claim_attempt(&issued, Stage::Totp, LIMITS, at(30)).await.unwrap(), Some(count));
    }
    assert_eq!(store.claim_attempt(&issued, Stage::Totp, LIMITS, at(40)).await.unwrap(), None, "locked");
    let flow = flow_of(store, &issued).await;
    assert_eq!((flow.record.pin_failures, flow.record.totp_failures), (1, LIMITS.max_totp_attempts));
}

async fn a_refund_gives_back_one_attempt_and_never_goes_below_zero(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    store.claim_attempt(&issued, Stage::Password, LIMITS, at(10)).await.unwrap().unwrap();
    store.claim_attempt(&issued, Stage::Password, LIMITS, at(10)).await.unwrap().unwrap();

    store.refund_attempt(&issued, Stage::Password).await.unwrap();
    assert_eq!(flow_of(store, &issued).await.record.pin_failures, 1);
    store.refund_attempt(&issued, Stage::Totp).await.unwrap();
    store.refund_attempt(&issued, Stage::Password).await.unwrap();
    store.refund_attempt(&issued, Stage::Password).await.unwrap();

    let record = flow_of(store, &issued).await.record;
    assert_eq!((record.pin_failures, record.totp_failures), (0, 0));
    assert_eq!(store.claim_attempt(&issued, Stage::Password, LIMITS, at(20)).await.unwrap(), Some(1));
}

async fn a_lease_is_held_by_one_taker_until_it_is_released_or_lapses(store: &dyn Store) {
    issue(store, new_record("u1", at(0))).await;
    let u1 = user("u1");

    assert!(store.acquire_lease(&u1, at(0), at(30)).await.unwrap());
    assert!(!store.acquire_lease(&u1, at(10), at(40)).await.unwrap(), "held");
    assert!(store.acquire_lease(&u1, at(30), at(60)).await.unwrap(), "lapsed: another takes it");

    store.release_lease(&u1, at(30)).await.unwrap();
    assert!(
        !store.acquire_lease(&u1, at(40), at(70)).await.unwrap(),
        "a lapsed lease cannot release the new one"
    );
    store.release_lease(&u1, at(60)).await.unwrap();
    assert!(store.acquire_lease(&u1, at(40), at(70)).await.unwrap(), "released");
    assert!(!store.acquire_lease(&user("nobody"), at(0), at(30)).await.unwrap());
}

async fn concurrent_takers_of_a_lease_get_it_once(store: &dyn Store) {
    issue(store, new_record("u1", at(0))).await;
    let u1 = user("u1");

    let takers = (0..8).map(|_| store.acquire_lease(&u1, at(0), at(30)));
    let won = join_all(takers).await.into_iter().filter(|taken| *taken.as_ref().unwrap()).count();

    assert_eq!(won, 1);
}

async fn the_password_step_moves_the_record_on_once_and_gives_the_lease_back(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.acquire_lease(&issued.user_id, at(10), at(40)).await.unwrap());

    assert!(store.finish_password_step(&issued, to_totp(at(20))).await.unwrap());

    let flow = flow_of(store, &issued).await;
    assert_eq!((flow.record.stage, flow.record.updated_at), (Stage::Totp, at(20)));
    assert_eq!(flow.password_ct, None, "the admin's password is gone");
    assert_eq!(flow.totp_secret_ct.as_deref(), Some(&b"totp"[..]));
    assert_eq!(
        (flow.user_token_ct.as_deref(), flow.user_token_expires_at),
        (Some(&b"token"[..]), Some(at(20 + 3600)))
    );
    assert!(store.acquire_lease(&issued.user_id, at(21), at(50)).await.unwrap(), "the lease was given back");
    assert!(!store.finish_password_step(&issued, to_totp(at(30))).await.unwrap(), "only once");
}

async fn mfa_rules_owed_are_saved_once_listed_and_forgotten_when_cleared(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    issue(store, new_record("u2", at(0))).await;
    let u1 = user("u1");

    assert!(store.save_mfa_owed(&u1, r#"{"rules":[]}"#.into()).await.unwrap());
    assert!(!store.save_mfa_owed(&u1, "{}".into()).await.unwrap(), "the first must go back first");
    assert!(!store.save_mfa_owed(&user("nobody"), "{}".into()).await.unwrap());

    assert_eq!(store.mfa_owed(&u1).await.unwrap().as_deref(), Some(r#"{"rules":[]}"#));
    assert_eq!(flow_of(store, &issued).await.mfa_restore.as_deref(), Some(r#"{"rules":[]}"#));
    assert_eq!(store.users_owed_mfa().await.unwrap(), vec![u1.clone()]);
    assert_eq!(store.mfa_owed(&user("u2")).await.unwrap(), None);

    store.clear_mfa_owed(&u1).await.unwrap();
    assert_eq!(store.mfa_owed(&u1).await.unwrap(), None);
    assert!(store.users_owed_mfa().await.unwrap().is_empty());
}

async fn a_fresh_user_token_replaces_the_one_kept(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.finish_password_step(&issued, to_totp(at(10))).await.unwrap());

    assert!(store.store_user_token(&issued, Some(b"fresh".to_vec()), Some(at(99)), false).await.unwrap());
    let flow = flow_of(store, &issued).await;
    assert_eq!(
        (flow.user_token_ct.as_deref(), flow.user_token_expires_at),
        (Some(&b"fresh"[..]), Some(at(99)))
    );

    assert!(store.store_user_token(&issued, None, None, true).await.unwrap());
    let flow = flow_of(store, &issued).await;
    assert_eq!((flow.user_token_ct, flow.user_token_expires_at, flow.mfa_receipt), (None, None, true));
}

async fn completing_drops_every_secret_and_announces_only_when_asked(store: &dyn Store) {
    let quiet = issue(store, new_record("u1", at(0))).await;
    let loud = issue(store, new_record("u2", at(0))).await;
    assert!(store.finish_password_step(&quiet, to_totp(at(10))).await.unwrap());
    assert!(store.acquire_lease(&quiet.user_id, at(20), at(60)).await.unwrap());

    assert!(store.complete(&quiet, at(30), false).await.unwrap());
    assert!(store.complete(&loud, at(40), true).await.unwrap());

    let flow = flow_of(store, &quiet).await;
    assert_eq!((flow.record.stage, flow.record.updated_at), (Stage::Complete, at(30)));
    assert_eq!((flow.password_ct, flow.totp_secret_ct, flow.user_token_ct), (None, None, None));
    assert_eq!(flow.user_token_expires_at, None);
    assert!(store.acquire_lease(&quiet.user_id, at(31), at(60)).await.unwrap(), "the lease was given back");
    let events = store.claim_outgoing(at(40), at(100), 10).await.unwrap();
    let events: Vec<_> = events.iter().map(|e| (e.event, e.user_id.as_str(), e.at)).collect();
    assert_eq!(events, vec![(crate::domain::Event::Completed, "u2", at(40))]);
}

contract!(
    a_link_reads_its_record_with_the_sealed_secrets_and_an_unknown_link_reads_nothing,
    a_write_against_a_stale_issuance_changes_nothing,
    concurrent_wrong_pins_all_count_and_none_is_lost,
    concurrent_guesses_past_the_limit_are_counted_no_more_than_the_limit,
    an_attempt_counts_only_at_the_records_stage_before_it_expires_and_until_it_locks,
    a_refund_gives_back_one_attempt_and_never_goes_below_zero,
    a_lease_is_held_by_one_taker_until_it_is_released_or_lapses,
    concurrent_takers_of_a_lease_get_it_once,
    the_password_step_moves_the_record_on_once_and_gives_the_lease_back,
    mfa_rules_owed_are_saved_once_listed_and_forgotten_when_cleared,
    a_fresh_user_token_replaces_the_one_kept,
    completing_drops_every_secret_and_announces_only_when_asked,
);
