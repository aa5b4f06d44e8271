//! The contract of `Outbox`: one claimant per event, claims that lapse, retries that wait, and
//! delivered events that never come back.
use super::{at, user};
use crate::domain::Event;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashSet;

fn ms(at: DateTime<Utc>, millis: i64) -> DateTime<Utc> {
    at + Duration::milliseconds(millis)
}

async fn an_event_is_claimed_by_one_taker_until_its_claim_lapses(store: &dyn Store) {
    store.enqueue(Event::Locked, &user("u1"), at(-5), at(0)).await.unwrap();

    let claimed = store.claim_outgoing(at(0), at(30), 10).await.unwrap();
    let first: Vec<_> = claimed.iter().map(|e| (e.event, e.user_id.as_str(), e.at, e.attempts)).collect();
    assert_eq!(first, vec![(Event::Locked, "u1", at(-5), 0)]);

    assert!(store.claim_outgoing(at(10), at(40), 10).await.unwrap().is_empty(), "taken");
    assert!(store.claim_outgoing(ms(at(30), -1), at(60), 10).await.unwrap().is_empty(), "still taken");
    let again = store.claim_outgoing(at(30), at(60), 10).await.unwrap();
    assert_eq!(
        again.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![claimed[0].id],
        "lapsed: another takes it"
    );
}

async fn concurrent_claimants_never_take_the_same_event(store: &dyn Store) {
    for n in 0..12 {
        store.enqueue(Event::Completed, &user(&format!("u{n}")), at(0), at(0)).await.unwrap();
    }

    let claims = (0..6).map(|_| store.claim_outgoing(at(1), at(60), 3));
    let mut ids: Vec<i64> = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .flat_map(|claimed| claimed.unwrap().into_iter().map(|e| e.id))
        .collect();
    // Whatever the racing claimants left (a claimant may skip rows another holds) goes now.
    ids.extend(store.claim_outgoing(at(2), at(60), 100).await.unwrap().into_iter().map(|e| e.id));

    let distinct: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "an event was claimed twice: {ids:?}");
    assert_eq!(distinct.len(), 12);
}

async fn claims_take_the_oldest_due_events_up_to_the_limit(store: &dyn Store) {
    for id in ["u1", "u2", "u3"] {
        store.enqueue(Event::Expired, &user(id), at(0), at(0)).await.unwrap();
    }
    store.enqueue(Event::Expired, &user("later"), at(0), at(100)).await.unwrap();

    let first = store.claim_outgoing(at(1), at(1000), 2).await.unwrap();
    let rest = store.claim_outgoing(at(1), at(1000), 10).await.unwrap();

    let users = |claimed: &[crate::store::Outgoing]| {
        claimed.iter().map(|e| e.user_id.as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(users(&first), ["u1", "u2"]);
    assert_eq!(users(&rest), ["u3"], "the one enqueued due later is not due yet");
    assert_eq!(users(&store.claim_outgoing(at(100), at(160), 10).await.unwrap()), ["later"]);
}

async fn a_failed_event_is_due_again_at_its_retry_time_with_its_attempts(store: &dyn Store) {
    store.enqueue(Event::Locked, &user("u1"), at(0), at(0)).await.unwrap();
    let claimed = store.claim_outgoing(at(0), at(30), 10).await.unwrap();

    store.retry_outgoing(claimed[0].id, 1, ms(at(2), 500)).await.unwrap();

    assert!(store.claim_outgoing(ms(at(2), 499), at(40), 10).await.unwrap().is_empty(), "not due yet");
    let again = store.claim_outgoing(ms(at(2), 500), at(40), 10).await.unwrap();
    assert_eq!(again.iter().map(|e| (e.id, e.attempts)).collect::<Vec<_>>(), vec![(claimed[0].id, 1)]);
}

async fn a_delivered_event_is_never_delivered_again(store: &dyn Store) {
    store.enqueue(Event::Completed, &user("u1"), at(0), at(0)).await.unwrap();
    store.enqueue(Event::Completed, &user("u2"), at(0), at(0)).await.unwrap();
    let claimed = store.claim_outgoing(at(0), at(30), 10).await.unwrap();
    let delivered = claimed.iter().find(|e| e.user_id == user("u1")).unwrap().id;

    store.forget_outgoing(delivered).await.unwrap();

    let later = store.claim_outgoing(at(3600), at(3630), 10).await.unwrap();
    assert_eq!(later.iter().map(|e| e.user_id.as_str()).collect::<Vec<_>>(), ["u2"]);
}

contract!(
    an_event_is_claimed_by_one_taker_until_its_claim_lapses,
    concurrent_claimants_never_take_the_same_event,
    claims_take_the_oldest_due_events_up_to_the_limit,
    a_failed_event_is_due_again_at_its_retry_time_with_its_attempts,
    a_delivered_event_is_never_delivered_again,
);
