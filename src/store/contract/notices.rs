//! The contract of `Notices`: each expiry is claimed once (also by processes marking at once),
//! and records are found by user name.
use super::{at, issue, new_record, renewal, user, DAY, HOUR};
use crate::domain::{Event, UserId};
use crate::store::{IssueWrite, Store};
use chrono::{DateTime, Utc};

/// Every event waiting in the outbox, as (event, user, at).
async fn outbox(store: &dyn Store, now: DateTime<Utc>) -> Vec<(Event, String, DateTime<Utc>)> {
    let mut events: Vec<_> = store
        .claim_outgoing(now, now + chrono::Duration::seconds(30), 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.event, e.user_id.as_str().to_owned(), e.at))
        .collect();
    events.sort_by(|a, b| a.1.cmp(&b.1));
    events
}

async fn an_expiry_is_announced_once_and_again_after_a_renewal(store: &dyn Store) {
    issue(store, new_record("u1", at(0))).await;
    assert!(store.mark_expired(at(DAY - 1), true).await.unwrap().is_empty(), "not expired yet");

    assert_eq!(store.mark_expired(at(DAY), true).await.unwrap(), vec![(user("u1"), at(DAY))]);
    assert!(store.mark_expired(at(DAY + HOUR), true).await.unwrap().is_empty(), "only once");
    assert_eq!(outbox(store, at(DAY + HOUR)).await, vec![(Event::Expired, "u1".into(), at(DAY))]);

    issue(store, renewal("u1", at(2 * DAY))).await;
    let expired = store.mark_expired(at(3 * DAY), true).await.unwrap();
    assert_eq!(expired, vec![(user("u1"), at(3 * DAY))], "renewed, expired again");
}

async fn processes_marking_expiries_at_once_claim_each_once(store: &dyn Store) {
    for id in ["u1", "u2", "u3", "u4"] {
        issue(store, new_record(id, at(0))).await;
    }

    let marks = (0..6).map(|_| store.mark_expired(at(2 * DAY), true));
    let mut claimed: Vec<UserId> = futures_util::future::join_all(marks)
        .await
        .into_iter()
        .flat_map(|marked| marked.unwrap().into_iter().map(|(id, _)| id))
        .collect();
    claimed.sort_by(|a, b| a.as_str().cmp(b.as_str()));

    assert_eq!(claimed, ["u1", "u2", "u3", "u4"].map(user).to_vec());
    let events = outbox(store, at(2 * DAY)).await;
    assert_eq!(events.len(), 4, "one event per expiry: {events:?}");
}

async fn an_expiry_marked_without_announcing_puts_nothing_in_the_outbox(store: &dyn Store) {
    issue(store, new_record("u1", at(0))).await;

    assert_eq!(store.mark_expired(at(DAY), false).await.unwrap().len(), 1);

    assert!(outbox(store, at(DAY)).await.is_empty());
    assert!(store.mark_expired(at(DAY + 1), true).await.unwrap().is_empty(), "it was marked all the same");
}

async fn a_completed_record_never_expires_into_an_event(store: &dyn Store) {
    let issued = issue(store, new_record("u1", at(0))).await;
    assert!(store.complete(&issued, at(10), false).await.unwrap());

    assert!(store.mark_expired(at(2 * DAY), true).await.unwrap().is_empty());
    assert!(outbox(store, at(2 * DAY)).await.is_empty());
}

async fn records_are_found_by_user_name_in_any_case_newest_first_five_at_most(store: &dyn Store) {
    for n in 0..7 {
        let write = IssueWrite { user_name: "Ada@Example.com".into(), ..new_record(&format!("u{n}"), at(n)) };
        issue(store, write).await;
    }
    issue(store, new_record("bob", at(0))).await;

    let found = store.records_named("ada@example.COM").await.unwrap();

    let expected: Vec<(UserId, String)> =
        (2..7).rev().map(|n| (user(&format!("u{n}")), format!("$pin-of-u{n}"))).collect();
    assert_eq!(found, expected);
    assert!(store.records_named("carol@example.com").await.unwrap().is_empty());
}

contract!(
    an_expiry_is_announced_once_and_again_after_a_renewal,
    processes_marking_expiries_at_once_claim_each_once,
    an_expiry_marked_without_announcing_puts_nothing_in_the_outbox,
    a_completed_record_never_expires_into_an_event,
    records_are_found_by_user_name_in_any_case_newest_first_five_at_most,
);
