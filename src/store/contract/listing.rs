//! The contract of the admin's list and of the link reminders: filters and pages in user id
//! order, and one reminder per mailed issuance, claimed once, dropped when it cannot be sent.
use super::{at, issue, new_record, renewal, user, DAY, HOUR, LIMITS};
use crate::domain::Stage;
use crate::store::{ListQuery, ReminderPlan, Store};

fn everything() -> ListQuery {
    ListQuery {
        stage: None,
        expired: None,
        locked: None,
        domain_id: None,
        after: None,
        limit: 100,
        now: at(10),
        limits: LIMITS,
    }
}

async fn ids(store: &dyn Store, query: ListQuery) -> Vec<String> {
    store
        .list(query)
        .await
        .unwrap()
        .into_iter()
        .map(|listed| listed.record.user_id.as_str().to_owned())
        .collect()
}

async fn the_list_filters_by_stage_expiry_lock_and_domain_in_user_id_order(store: &dyn Store) {
    issue(store, new_record("u3", at(0))).await;
    let locked = issue(store, new_record("u1", at(0))).await;
    for _ in 0..LIMITS.max_pin_attempts {
        store.claim_attempt(&locked, Stage::Password, LIMITS, at(1)).await.unwrap();
    }
    issue(store, crate::store::IssueWrite { domain_id: Some("d2".into()), ..new_record("u2", at(0)) }).await;
    issue(store, crate::store::IssueWrite { expires_at: at(5), ..new_record("u4", at(0)) }).await;
    let done = issue(store, new_record("u5", at(0))).await;
    assert!(store.complete(&done, at(2), false).await.unwrap());

    assert_eq!(ids(store, everything()).await, ["u1", "u2", "u3", "u4", "u5"]);
    let stage = ListQuery { stage: Some(Stage::Complete), ..everything() };
    assert_eq!(ids(store, stage).await, ["u5"]);
    assert_eq!(ids(store, ListQuery { expired: Some(true), ..everything() }).await, ["u4"]);
    assert_eq!(
        ids(store, ListQuery { expired: Some(false), ..everything() }).await,
        ["u1", "u2", "u3", "u5"]
    );
    assert_eq!(ids(store, ListQuery { locked: Some(true), ..everything() }).await, ["u1"]);
    assert_eq!(ids(store, ListQuery { locked: Some(false), ..everything() }).await, ["u2", "u3", "u4", "u5"]);
    assert_eq!(ids(store, ListQuery { domain_id: Some("d2".into()), ..everything() }).await, ["u2"]);

    let listed = store.list(ListQuery { domain_id: Some("d2".into()), ..everything() }).await.unwrap();
    assert_eq!(listed[0].user_name, "u2@example.com");
    assert_eq!(listed[0].domain_id.as_deref(), Some("d2"));
}

async fn pages_follow_the_marker_and_a_renewal_keeps_the_domain(store: &dyn Store) {
    for n in 0..7 {
        issue(store, new_record(&format!("p{n}"), at(0))).await;
    }
    let first = ids(store, ListQuery { limit: 3, ..everything() }).await;
    assert_eq!(first, ["p0", "p1", "p2"]);
    let second = ids(store, ListQuery { limit: 3, after: Some(user("p2")), ..everything() }).await;
    assert_eq!(second, ["p3", "p4", "p5"]);
    let last = ids(store, ListQuery { limit: 3, after: Some(user("p5")), ..everything() }).await;
    assert_eq!(last, ["p6"]);

    issue(store, crate::store::IssueWrite { domain_id: None, ..renewal("p0", at(HOUR)) }).await;
    let kept = ids(store, ListQuery { domain_id: Some("default".into()), limit: 1, ..everything() }).await;
    assert_eq!(kept, ["p0"], "a renewal that names no domain keeps the record's");
}

fn plan(due_at: chrono::DateTime<chrono::Utc>) -> ReminderPlan {
    ReminderPlan { to: "ada@example.com".into(), due_at, token_ct: b"sealed-token".to_vec() }
}

async fn concurrent_claimants_never_take_the_same_reminder(store: &dyn Store) {
    for n in 0..10 {
        let issued = issue(store, new_record(&format!("c{n}"), at(0))).await;
        store.schedule_reminder(&issued, plan(at(HOUR))).await.unwrap();
    }
    let claims = (0..8).map(|_| store.claim_reminders(at(HOUR), at(2 * HOUR), LIMITS, 10));
    let mut claimed: Vec<String> = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .flat_map(|claimed| claimed.unwrap().into_iter().map(|due| due.issuance.user_id.as_str().to_owned()))
        .collect();
    claimed.sort();
    let expected: Vec<String> = (0..10).map(|n| format!("c{n}")).collect();
    assert_eq!(claimed, expected, "each reminder claimed exactly once");
}

async fn a_reminder_is_claimed_once_when_due_and_never_after_it_was_sent(store: &dyn Store) {
    let issued = issue(store, new_record("r1", at(0))).await;
    store.schedule_reminder(&issued, plan(at(DAY - HOUR))).await.unwrap();

    assert!(
        store.claim_reminders(at(DAY - HOUR - 1), at(DAY), LIMITS, 10).await.unwrap().is_empty(),
        "not due"
    );
    let claims = (0..4).map(|_| store.claim_reminders(at(DAY - HOUR), at(DAY - HOUR + 60), LIMITS, 10));
    let claimed: Vec<_> = futures_util::future::join_all(claims)
        .await
        .into_iter()
        .flat_map(|claimed| claimed.unwrap())
        .collect();
    assert_eq!(claimed.len(), 1, "four claimants at once, one reminder");
    let due = &claimed[0];
    assert_eq!(
        (due.to.as_str(), &due.token_ct[..], due.expires_at),
        ("ada@example.com", &b"sealed-token"[..], at(DAY))
    );
    assert_eq!(due.issuance.token_hash, issued.token_hash);

    let lapsed = store.claim_reminders(at(DAY - HOUR + 60), at(DAY - HOUR + 120), LIMITS, 10).await.unwrap();
    assert_eq!(lapsed.len(), 1, "a claim that lapsed unsent is taken again");
    store.reminder_sent(&issued).await.unwrap();
    assert!(store.claim_reminders(at(DAY - 60), at(DAY), LIMITS, 10).await.unwrap().is_empty(), "sent once");
}

async fn no_reminder_for_a_finished_renewed_or_locked_link(store: &dyn Store) {
    let finished = issue(store, new_record("f1", at(0))).await;
    store.schedule_reminder(&finished, plan(at(HOUR))).await.unwrap();
    assert!(store.complete(&finished, at(10), false).await.unwrap());

    let renewed = issue(store, new_record("f2", at(0))).await;
    store.schedule_reminder(&renewed, plan(at(HOUR))).await.unwrap();
    issue(store, renewal("f2", at(20))).await;
    store.schedule_reminder(&renewed, plan(at(HOUR))).await.unwrap();

    let locked = issue(store, new_record("f3", at(0))).await;
    store.schedule_reminder(&locked, plan(at(HOUR))).await.unwrap();
    for _ in 0..LIMITS.max_pin_attempts {
        store.claim_attempt(&locked, Stage::Password, LIMITS, at(30)).await.unwrap();
    }

    assert!(store.claim_reminders(at(2 * HOUR), at(3 * HOUR), LIMITS, 10).await.unwrap().is_empty());
}

contract!(
    concurrent_claimants_never_take_the_same_reminder,
    the_list_filters_by_stage_expiry_lock_and_domain_in_user_id_order,
    pages_follow_the_marker_and_a_renewal_keeps_the_domain,
    a_reminder_is_claimed_once_when_due_and_never_after_it_was_sent,
    no_reminder_for_a_finished_renewed_or_locked_link,
);
