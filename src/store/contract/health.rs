//! The contract of `Health`: the ping, and the key check that keeps a process with another
//! encryption key from starting.
use crate::store::{KeyCheck, Store};

async fn the_database_answers_a_ping(store: &dyn Store) {
    store.ping().await.unwrap();
}

async fn the_first_key_check_is_stored_and_later_ones_are_compared_with_it(store: &dyn Store) {
    assert_eq!(store.check_key(b"key-a".to_vec()).await.unwrap(), KeyCheck::Stored);

    assert_eq!(store.check_key(b"key-a".to_vec()).await.unwrap(), KeyCheck::Matches);
    assert_eq!(store.check_key(b"key-b".to_vec()).await.unwrap(), KeyCheck::Differs);
    assert_eq!(store.check_key(b"key-a".to_vec()).await.unwrap(), KeyCheck::Matches, "b did not replace a");
}

async fn processes_starting_together_store_one_key_check(store: &dyn Store) {
    let checks = (0..6u8).map(|n| store.check_key(vec![b'k', n]));

    let answers: Vec<KeyCheck> =
        futures_util::future::join_all(checks).await.into_iter().map(Result::unwrap).collect();

    let stored = answers.iter().position(|a| *a == KeyCheck::Stored).expect("one was stored");
    assert_eq!(answers.iter().filter(|a| **a == KeyCheck::Stored).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| **a == KeyCheck::Differs).count(), 5, "{answers:?}");
    assert_eq!(store.check_key(vec![b'k', stored as u8]).await.unwrap(), KeyCheck::Matches);
}

contract!(
    the_database_answers_a_ping,
    the_first_key_check_is_stored_and_later_ones_are_compared_with_it,
    processes_starting_together_store_one_key_check,
);
