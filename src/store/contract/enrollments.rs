//! The contract of `Enrollments`: one open enrollment per user, expiry by `now`, the code counter
//! (also under concurrency), the lease, one winner of the finish and its event, the purge.
use super::{at, user, HOUR};
use crate::domain::{Event, Locale};
use crate::store::{EnrollKind, NewEnrollment, Store};
use futures_util::future::join_all;

const MAX: u32 = 5;

/// An id of the right shape, distinct per `n`.
fn id(n: u32) -> String {
    format!("{n:032x}")
}

/// A self-enrollment of `user_id` started at `now`, open for an hour.
fn started(n: u32, user_id: &str, now: chrono::DateTime<chrono::Utc>) -> NewEnrollment {
    NewEnrollment {
        id: id(n),
        user_id: user(user_id),
        user_name: format!("{user_id}@example.com"),
        kind: EnrollKind::SelfEnroll,
        secret_ct: format!("secret-of-{user_id}").into_bytes(),
        token_ct: None,
        token_expires_at: None,
        receipt_ct: None,
        locale: None,
        now,
        expires_at: now + chrono::Duration::hours(1),
    }
}

async fn an_id_of_any_shape_finds_nothing_rather_than_failing(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();

    for stranger in ["한국어", "x'; --", &"f".repeat(40), ""] {
        assert!(store.enrollment(stranger, at(10)).await.unwrap().is_none(), "{stranger}");
        assert_eq!(store.claim_enrollment_attempt(stranger, MAX, at(10)).await.unwrap(), None);
        store.refund_enrollment_attempt(stranger).await.unwrap();
        assert!(!store.lease_enrollment(stranger, at(10), at(40)).await.unwrap());
        store.release_enrollment(stranger, at(40)).await.unwrap();
        assert!(!store.finish_enrollment(stranger, Some(Event::Enrolled), at(10)).await.unwrap());
    }
    assert!(store.enrollment(&id(1), at(10)).await.unwrap().is_some());
}

async fn an_enrollment_reads_back_with_its_sealed_secrets_until_it_expires(store: &dyn Store) {
    let new = NewEnrollment {
        kind: EnrollKind::Recovery,
        token_ct: Some(b"token".to_vec()),
        token_expires_at: Some(at(600)),
        receipt_ct: Some(b"receipt".to_vec()),
        locale: Some(Locale::Ko),
        ..started(1, "u1", at(0))
    };
    store.start_enrollment(new).await.unwrap();

    let found = store.enrollment(&id(1), at(HOUR - 1)).await.unwrap().expect("open");

    assert_eq!((found.id.as_str(), found.user_id.as_str()), (id(1).as_str(), "u1"));
    assert_eq!((found.user_name.as_str(), found.kind), ("u1@example.com", EnrollKind::Recovery));
    assert_eq!(found.secret_ct, b"secret-of-u1");
    assert_eq!((found.token_ct.as_deref(), found.token_expires_at), (Some(&b"token"[..]), Some(at(600))));
    assert_eq!((found.receipt_ct.as_deref(), found.locale), (Some(&b"receipt"[..]), Some(Locale::Ko)));
    assert_eq!((found.code_failures, found.created_at, found.expires_at), (0, at(0), at(HOUR)));
    assert!(store.enrollment(&id(1), at(HOUR)).await.unwrap().is_none(), "expired");
    assert!(store.enrollment(&id(2), at(0)).await.unwrap().is_none(), "unknown");
    store.start_enrollment(started(2, "u2", at(0))).await.unwrap();
    let plain = store.enrollment(&id(2), at(0)).await.unwrap().expect("open");
    assert_eq!(
        (plain.token_ct, plain.token_expires_at, plain.receipt_ct, plain.locale),
        (None, None, None, None)
    );
}

async fn starting_again_replaces_the_users_open_enrollment_and_its_old_id_finds_nothing(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();
    store.start_enrollment(started(2, "u2", at(0))).await.unwrap();
    assert_eq!(store.claim_enrollment_attempt(&id(1), MAX, at(5)).await.unwrap(), Some(1));

    store
        .start_enrollment(NewEnrollment { kind: EnrollKind::Recovery, ..started(3, "u1", at(10)) })
        .await
        .unwrap();

    assert!(store.enrollment(&id(1), at(20)).await.unwrap().is_none());
    assert_eq!(store.claim_enrollment_attempt(&id(1), MAX, at(20)).await.unwrap(), None);
    assert!(!store.lease_enrollment(&id(1), at(20), at(50)).await.unwrap());
    assert!(!store.finish_enrollment(&id(1), Some(Event::Enrolled), at(20)).await.unwrap());
    let current = store.enrollment(&id(3), at(20)).await.unwrap().expect("the new one");
    assert_eq!((current.kind, current.code_failures, current.created_at), (EnrollKind::Recovery, 0, at(10)));
    assert!(store.enrollment(&id(2), at(20)).await.unwrap().is_some(), "another user's stays");
    assert!(store.claim_outgoing(at(30), at(60), 10).await.unwrap().is_empty(), "nothing announced");
}

async fn code_attempts_count_up_to_the_limit_and_only_while_open(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();

    for count in 1..=MAX {
        assert_eq!(store.claim_enrollment_attempt(&id(1), MAX, at(10)).await.unwrap(), Some(count));
    }

    assert_eq!(store.claim_enrollment_attempt(&id(1), MAX, at(10)).await.unwrap(), None, "at the limit");
    assert_eq!(store.enrollment(&id(1), at(10)).await.unwrap().unwrap().code_failures, MAX);
    store.start_enrollment(started(2, "u2", at(0))).await.unwrap();
    assert_eq!(store.claim_enrollment_attempt(&id(2), MAX, at(HOUR)).await.unwrap(), None, "expired");
    assert_eq!(store.claim_enrollment_attempt(&id(2), MAX, at(HOUR - 1)).await.unwrap(), Some(1));
    assert_eq!(store.claim_enrollment_attempt(&id(9), MAX, at(10)).await.unwrap(), None, "unknown");
}

async fn concurrent_code_attempts_count_exactly_the_limit_and_no_more(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();

    let one = id(1);
    let claims = (0..200).map(|_| store.claim_enrollment_attempt(&one, MAX, at(10)));
    let answers: Vec<Option<u32>> = join_all(claims).await.into_iter().map(Result::unwrap).collect();

    let mut counted: Vec<u32> = answers.iter().flatten().copied().collect();
    counted.sort_unstable();
    assert_eq!(counted, (1..=MAX).collect::<Vec<_>>(), "exactly the limit is checked");
    assert_eq!(store.enrollment(&id(1), at(10)).await.unwrap().unwrap().code_failures, MAX);
}

async fn a_refund_gives_back_one_code_attempt_and_never_goes_below_zero(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();
    store.claim_enrollment_attempt(&id(1), MAX, at(10)).await.unwrap().unwrap();
    store.claim_enrollment_attempt(&id(1), MAX, at(10)).await.unwrap().unwrap();

    store.refund_enrollment_attempt(&id(1)).await.unwrap();
    assert_eq!(store.enrollment(&id(1), at(10)).await.unwrap().unwrap().code_failures, 1);
    for _ in 0..3 {
        store.refund_enrollment_attempt(&id(1)).await.unwrap();
    }

    assert_eq!(store.enrollment(&id(1), at(10)).await.unwrap().unwrap().code_failures, 0);
    assert_eq!(store.claim_enrollment_attempt(&id(1), MAX, at(20)).await.unwrap(), Some(1));
    store.refund_enrollment_attempt(&id(9)).await.unwrap();
}

async fn an_enrollment_lease_is_held_by_one_taker_until_it_is_released_or_lapses(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();

    assert!(store.lease_enrollment(&id(1), at(0), at(30)).await.unwrap());
    assert!(!store.lease_enrollment(&id(1), at(29), at(40)).await.unwrap(), "busy");
    assert!(store.lease_enrollment(&id(1), at(30), at(60)).await.unwrap(), "lapsed: another takes it");
    store.release_enrollment(&id(1), at(30)).await.unwrap();
    assert!(
        !store.lease_enrollment(&id(1), at(40), at(70)).await.unwrap(),
        "a lapsed lease cannot free the new one"
    );
    store.release_enrollment(&id(1), at(60)).await.unwrap();
    assert!(store.lease_enrollment(&id(1), at(40), at(70)).await.unwrap(), "free again");

    let one = id(1);
    let takers = (0..8).map(|_| store.lease_enrollment(&one, at(70), at(100)));
    let won = join_all(takers).await.into_iter().filter(|taken| *taken.as_ref().unwrap()).count();
    assert_eq!(won, 1, "concurrent takers get it once");
    assert!(!store.lease_enrollment(&id(1), at(HOUR), at(HOUR + 30)).await.unwrap(), "expired");
    assert!(!store.lease_enrollment(&id(9), at(0), at(30)).await.unwrap(), "gone");
}

async fn of_concurrent_finishes_exactly_one_wins_and_announces_once(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();

    let one = id(1);
    let finishes = (0..32).map(|_| store.finish_enrollment(&one, Some(Event::Recovered), at(50)));
    let won = join_all(finishes).await.into_iter().filter(|done| *done.as_ref().unwrap()).count();

    assert_eq!(won, 1);
    assert!(store.enrollment(&id(1), at(50)).await.unwrap().is_none(), "gone");
    let events = store.claim_outgoing(at(60), at(100), 100).await.unwrap();
    let events: Vec<_> = events.iter().map(|e| (e.event, e.user_id.as_str(), e.at)).collect();
    assert_eq!(events, vec![(Event::Recovered, "u1", at(50))]);
    assert!(!store.finish_enrollment(&id(1), Some(Event::Recovered), at(70)).await.unwrap());
}

async fn a_finish_without_an_event_announces_nothing_and_one_under_lease_finishes_after_expiry(
    store: &dyn Store,
) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();
    store.start_enrollment(started(2, "u2", at(0))).await.unwrap();
    assert!(store.lease_enrollment(&id(2), at(HOUR - 10), at(HOUR + 20)).await.unwrap());

    assert!(store.finish_enrollment(&id(1), None, at(10)).await.unwrap());
    assert_eq!(store.purge_enrollments(at(HOUR + 10)).await.unwrap(), 0, "the leased one stays");
    assert!(store.finish_enrollment(&id(2), Some(Event::Enrolled), at(HOUR + 10)).await.unwrap());

    let events = store.claim_outgoing(at(HOUR + 10), at(HOUR + 60), 10).await.unwrap();
    let events: Vec<_> = events.iter().map(|e| (e.event, e.user_id.as_str())).collect();
    assert_eq!(events, vec![(Event::Enrolled, "u2")]);
}

async fn the_purge_deletes_expired_enrollments_unless_leased_and_counts_them(store: &dyn Store) {
    store.start_enrollment(started(1, "u1", at(0))).await.unwrap();
    store.start_enrollment(started(2, "u2", at(0))).await.unwrap();
    store.start_enrollment(started(3, "u3", at(HOUR))).await.unwrap();
    assert!(store.lease_enrollment(&id(2), at(HOUR - 1), at(HOUR + 30)).await.unwrap());

    assert_eq!(store.purge_enrollments(at(HOUR)).await.unwrap(), 0, "expired at, not before");
    assert_eq!(store.purge_enrollments(at(HOUR + 1)).await.unwrap(), 1);
    assert_eq!(store.purge_enrollments(at(HOUR + 30)).await.unwrap(), 1, "its lease lapsed");

    assert!(!store.finish_enrollment(&id(1), None, at(HOUR + 40)).await.unwrap(), "purged");
    assert!(!store.finish_enrollment(&id(2), None, at(HOUR + 40)).await.unwrap(), "purged");
    assert!(store.enrollment(&id(3), at(HOUR + 40)).await.unwrap().is_some(), "still open");
}

contract!(
    an_id_of_any_shape_finds_nothing_rather_than_failing,
    an_enrollment_reads_back_with_its_sealed_secrets_until_it_expires,
    starting_again_replaces_the_users_open_enrollment_and_its_old_id_finds_nothing,
    code_attempts_count_up_to_the_limit_and_only_while_open,
    concurrent_code_attempts_count_exactly_the_limit_and_no_more,
    a_refund_gives_back_one_code_attempt_and_never_goes_below_zero,
    an_enrollment_lease_is_held_by_one_taker_until_it_is_released_or_lapses,
    of_concurrent_finishes_exactly_one_wins_and_announces_once,
    a_finish_without_an_event_announces_nothing_and_one_under_lease_finishes_after_expiry,
    the_purge_deletes_expired_enrollments_unless_leased_and_counts_them,
);
