//! Records read by link token, kept in memory in front of SQLite: a page view then costs a hash
//! lookup instead of a read transaction (whose file locking was most of the link page's time).
//! Safe because one process owns the database and every write goes through `Store::run`, which
//! empties the cache after it; a read that raced a write is not kept (the generation moved).
use super::FlowRecord;
use std::collections::HashMap;
use std::sync::Mutex;

/// Bounds memory: past this many records the cache starts over.
const MAX_RECORDS: usize = 10_000;

#[derive(Default)]
pub(super) struct RecordCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    records: HashMap<[u8; 32], FlowRecord>,
}

impl RecordCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn get(&self, token_hash: &[u8; 32]) -> Option<FlowRecord> {
        self.lock().records.get(token_hash).cloned()
    }

    /// Taken before a read; the read's result is kept only if no write happened meanwhile.
    pub(super) fn generation(&self) -> u64 {
        self.lock().generation
    }

    pub(super) fn insert_if_current(&self, token_hash: [u8; 32], generation: u64, record: FlowRecord) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.records.len() >= MAX_RECORDS {
            inner.records.clear();
        }
        inner.records.insert(token_hash, record);
    }

    /// After every write.
    pub(super) fn invalidate(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.records.clear();
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::{IssueKind, OneTimeToken, Stage, UserId};
    use crate::store::IssueWrite;
    use crate::store::{Flow, Records};
    use chrono::{Duration, Utc};

    #[tokio::test]
    async fn every_write_is_seen_by_the_next_read_by_token() {
        let (_dir, store) = crate::store::open_temp();
        let token = OneTimeToken::generate();
        let user = UserId::parse("u1").unwrap();
        let now = Utc::now();
        let write = IssueWrite {
            user_id: user.clone(),
            token_hash: token.hash(),
            user_name: "u".into(),
            pin_hash: Some("$pin".into()),
            password_ct: Some(b"ct".to_vec()),
            authenticator_only: false,
            now,
            expires_at: now + Duration::hours(1),
            locale: None,
            password_rules: None,
            domain_id: None,
        };
        assert_eq!(store.issue(write).await.unwrap(), Ok(IssueKind::Created));
        let first = store.flow_by_token(&token.hash()).await.unwrap().unwrap();
        assert_eq!((first.record.stage, first.record.pin_failures), (Stage::Password, 0));

        let limits = crate::domain::Limits { max_pin_attempts: 3, max_totp_attempts: 10 };
        let issuance = crate::store::Issuance { user_id: user.clone(), token_hash: token.hash() };
        store.claim_attempt(&issuance, Stage::Password, limits, now).await.unwrap();
        assert_eq!(store.flow_by_token(&token.hash()).await.unwrap().unwrap().record.pin_failures, 1);

        store.revoke(&user).await.unwrap();
        assert!(store.flow_by_token(&token.hash()).await.unwrap().is_none());
    }

    #[test]
    fn a_read_that_raced_a_write_is_not_kept() {
        let cache = super::RecordCache::default();
        let generation = cache.generation();
        cache.invalidate();
        let record = sample();
        cache.insert_if_current([1; 32], generation, record);
        assert!(cache.get(&[1; 32]).is_none());
        cache.insert_if_current([1; 32], cache.generation(), sample());
        assert!(cache.get(&[1; 32]).is_some());
    }

    fn sample() -> super::FlowRecord {
        let now = Utc::now();
        super::FlowRecord {
            record: crate::domain::Onboarding {
                user_id: UserId::parse("u").unwrap(),
                stage: Stage::Password,
                pin_failures: 0,
                totp_failures: 0,
                created_at: now,
                issued_at: now,
                updated_at: now,
                expires_at: now,
                authenticator_only: false,
            },
            token_hash: crate::domain::TokenHash([0; 32]),
            user_name: String::new(),
            pin_hash: String::new(),
            password_ct: None,
            totp_secret_ct: None,
            user_token_ct: None,
            user_token_expires_at: None,
            mfa_receipt: false,
            mfa_restore: None,
            locale: None,
            password_rules: None,
        }
    }
}
