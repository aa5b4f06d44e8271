//! The contract of `RecoveryCodes`: one set per user, codes used once (also when raced), and the
//! count of wrong codes that locks recovery until the lockout lapses (by `now`).
use super::{at, user, HOUR};
use crate::store::Store;
use chrono::Duration;
use futures_util::future::join_all;

const MAX: u32 = 5;

fn lockout() -> Duration {
    Duration::minutes(15)
}

fn hashes(set: &str, count: usize) -> Vec<String> {
    (0..count).map(|n| format!("$argon2id$v=19${set}-{n}")).collect()
}

async fn a_set_of_codes_reads_back_unused_and_a_used_code_is_gone_from_it(store: &dyn Store) {
    let u1 = user("u1");
    store.replace_recovery_codes(&u1, hashes("a", 3), at(0)).await.unwrap();
    store.replace_recovery_codes(&user("u2"), hashes("b", 2), at(0)).await.unwrap();

    let codes = store.recovery_codes(&u1).await.unwrap();
    assert_eq!(codes.iter().map(|(_, hash)| hash.clone()).collect::<Vec<_>>(), hashes("a", 3));

    assert!(store.use_recovery_code(&u1, codes[1].0, at(10)).await.unwrap());
    assert!(!store.use_recovery_code(&u1, codes[1].0, at(20)).await.unwrap(), "used up");

    let left = store.recovery_codes(&u1).await.unwrap();
    assert_eq!(left, vec![codes[0].clone(), codes[2].clone()]);
    assert_eq!(store.recovery_codes(&user("u2")).await.unwrap().len(), 2, "another user's set stays");
    assert!(store.recovery_codes(&user("nobody")).await.unwrap().is_empty());
}

async fn a_code_is_used_only_by_the_user_it_belongs_to(store: &dyn Store) {
    store.replace_recovery_codes(&user("u1"), hashes("a", 1), at(0)).await.unwrap();
    let (code, _) = store.recovery_codes(&user("u1")).await.unwrap()[0].clone();

    assert!(!store.use_recovery_code(&user("u2"), code, at(10)).await.unwrap());

    assert!(store.use_recovery_code(&user("u1"), code, at(10)).await.unwrap());
}

async fn a_new_set_kills_every_code_of_the_old_one(store: &dyn Store) {
    let u1 = user("u1");
    store.replace_recovery_codes(&u1, hashes("old", 4), at(0)).await.unwrap();
    let old = store.recovery_codes(&u1).await.unwrap();
    assert!(store.use_recovery_code(&u1, old[0].0, at(5)).await.unwrap());

    store.replace_recovery_codes(&u1, hashes("new", 2), at(10)).await.unwrap();

    let new = store.recovery_codes(&u1).await.unwrap();
    assert_eq!(new.iter().map(|(_, hash)| hash.clone()).collect::<Vec<_>>(), hashes("new", 2));
    for (id, _) in &old {
        assert!(!new.iter().any(|(new_id, _)| new_id == id), "id {id} given again");
        assert!(!store.use_recovery_code(&u1, *id, at(20)).await.unwrap(), "old code {id} still works");
    }
    store.replace_recovery_codes(&u1, Vec::new(), at(30)).await.unwrap();
    assert!(store.recovery_codes(&u1).await.unwrap().is_empty(), "an empty set kills them all");
}

async fn sets_written_at_once_leave_the_user_exactly_one(store: &dyn Store) {
    let u1 = user("u1");
    let sets: Vec<String> = (0..8).map(|n| format!("set{n}")).collect();

    let writes = sets.iter().map(|set| store.replace_recovery_codes(&u1, hashes(set, 5), at(0)));
    join_all(writes).await.into_iter().for_each(|written| written.unwrap());

    let kept: Vec<String> = store.recovery_codes(&u1).await.unwrap().into_iter().map(|(_, h)| h).collect();
    assert!(sets.iter().any(|set| kept == hashes(set, 5)), "not one whole set: {kept:?}");
}

async fn of_concurrent_uses_of_one_code_exactly_one_wins(store: &dyn Store) {
    let u1 = user("u1");
    store.replace_recovery_codes(&u1, hashes("a", 2), at(0)).await.unwrap();
    let (code, _) = store.recovery_codes(&u1).await.unwrap()[0].clone();

    let uses = (0..32).map(|_| store.use_recovery_code(&u1, code, at(10)));
    let won = join_all(uses).await.into_iter().filter(|used| *used.as_ref().unwrap()).count();

    assert_eq!(won, 1);
    assert_eq!(store.recovery_codes(&u1).await.unwrap().len(), 1);
}

async fn recovery_locks_at_the_limit_and_counting_starts_over_once_the_lockout_lapses(store: &dyn Store) {
    let u1 = user("u1");
    for count in 1..=MAX {
        assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), at(10)).await.unwrap(), Some(count));
    }

    let until = at(10) + lockout();
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), at(11)).await.unwrap(), None, "locked");
    let just_before = until - Duration::seconds(1);
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), just_before).await.unwrap(), None);
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), until).await.unwrap(), Some(1), "lapsed");
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), until).await.unwrap(), Some(2));
    assert_eq!(store.claim_recovery_attempt(&user("u2"), MAX, lockout(), at(11)).await.unwrap(), Some(1));
}

async fn concurrent_recovery_attempts_count_exactly_the_limit_and_no_more(store: &dyn Store) {
    let u1 = user("u1");

    let claims = (0..200).map(|_| store.claim_recovery_attempt(&u1, MAX, lockout(), at(10)));
    let answers: Vec<Option<u32>> = join_all(claims).await.into_iter().map(Result::unwrap).collect();

    let mut counted: Vec<u32> = answers.iter().flatten().copied().collect();
    counted.sort_unstable();
    assert_eq!(counted, (1..=MAX).collect::<Vec<_>>(), "exactly the limit is checked");
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), at(20)).await.unwrap(), None, "locked");
}

async fn a_right_code_sets_the_count_back_to_zero(store: &dyn Store) {
    let u1 = user("u1");
    for _ in 0..MAX - 1 {
        store.claim_recovery_attempt(&u1, MAX, lockout(), at(10)).await.unwrap().unwrap();
    }
    store.clear_recovery_attempts(&u1).await.unwrap();
    assert_eq!(store.claim_recovery_attempt(&u1, MAX, lockout(), at(20)).await.unwrap(), Some(1));

    for _ in 1..MAX {
        store.claim_recovery_attempt(&u1, MAX, lockout(), at(30)).await.unwrap().unwrap();
    }
    store.clear_recovery_attempts(&u1).await.unwrap();

    let answer = store.claim_recovery_attempt(&u1, MAX, lockout(), at(31)).await.unwrap();
    assert_eq!(answer, Some(1), "the last attempt allowed was right: its lock goes too");
    store.clear_recovery_attempts(&user("nobody")).await.unwrap();
}

async fn a_count_past_a_lowered_limit_locks_rather_than_refusing_for_ever(store: &dyn Store) {
    let u1 = user("u1");
    for _ in 0..4 {
        store.claim_recovery_attempt(&u1, 10, lockout(), at(0)).await.unwrap().unwrap();
    }

    assert_eq!(store.claim_recovery_attempt(&u1, 3, lockout(), at(10)).await.unwrap(), None);

    assert_eq!(store.claim_recovery_attempt(&u1, 3, lockout(), at(10) + lockout()).await.unwrap(), Some(1));
    assert_eq!(
        store.claim_recovery_attempt(&u1, 0, lockout(), at(HOUR)).await.unwrap(),
        None,
        "no attempts at all"
    );
}

contract!(
    a_set_of_codes_reads_back_unused_and_a_used_code_is_gone_from_it,
    a_code_is_used_only_by_the_user_it_belongs_to,
    a_new_set_kills_every_code_of_the_old_one,
    sets_written_at_once_leave_the_user_exactly_one,
    of_concurrent_uses_of_one_code_exactly_one_wins,
    recovery_locks_at_the_limit_and_counting_starts_over_once_the_lockout_lapses,
    concurrent_recovery_attempts_count_exactly_the_limit_and_no_more,
    a_right_code_sets_the_count_back_to_zero,
    a_count_past_a_lowered_limit_locks_rather_than_refusing_for_ever,
);
