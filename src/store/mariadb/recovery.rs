//! Recovery codes and the count of wrong ones in MariaDB's SQL: each decision is one guarded
//! update (the row it locks serializes callers on one node; on several, Galera's certification
//! conflict sends all but one round again), never a lock held across nodes.
use super::{in_transaction, MariaStore};
use crate::domain::UserId;
use crate::store::{sql, RecoveryCodes, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::Queryable;

#[async_trait]
impl RecoveryCodes for MariaStore {
    async fn replace_recovery_codes(
        &self,
        user_id: &UserId,
        hashes: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(sql::DELETE_RECOVERY_CODES, (user_id.as_str(),))?;
                let rows = hashes
                    .iter()
                    .enumerate()
                    .map(|(slot, hash)| (user_id.as_str(), slot as u64, hash.as_str(), now.timestamp()));
                tx.exec_batch(sql::INSERT_RECOVERY_CODE, rows)?;
                Ok(())
            })
        })
        .await
    }

    async fn recovery_codes(&self, user_id: &UserId) -> Result<Vec<(i64, String)>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| Ok(conn.exec(sql::RECOVERY_CODES, (user_id.as_str(),))?)).await
    }

    async fn use_recovery_code(
        &self,
        user_id: &UserId,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            conn.exec_drop(sql::USE_RECOVERY_CODE, (now.timestamp(), code_id, user_id.as_str()))?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    /// The first attempt of a user inserts the row; two at once collide on its key (1062, retried
    /// by `run`), and the retry counts on the row the other wrote.
    async fn claim_recovery_attempt(
        &self,
        user_id: &UserId,
        max: u32,
        lockout: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError> {
        if max == 0 {
            return Ok(None);
        }
        let user_id = user_id.clone();
        let (now, until) = (now.timestamp(), (now + lockout).timestamp());
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                let id = user_id.as_str();
                tx.exec_drop(sql::RECOVERY_LOCK_LAPSED, (id, now))?;
                tx.exec_drop(sql::RECOVERY_LOCK_AT_LIMIT, (until, id, max))?;
                tx.exec_drop(sql::COUNT_RECOVERY_ATTEMPT, (max, until, id, max))?;
                if tx.affected_rows() == 1 {
                    // Locked by the update until the commit: this is our count.
                    return Ok(tx.exec_first(sql::RECOVERY_FAILURES, (id,))?);
                }
                if tx.exec_first::<u32, _, _>(sql::RECOVERY_FAILURES, (id,))?.is_some() {
                    return Ok(None);
                }
                tx.exec_drop(sql::FIRST_RECOVERY_ATTEMPT, (id, max, until))?;
                Ok(Some(1))
            })
        })
        .await
    }

    async fn clear_recovery_attempts(&self, user_id: &UserId) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| Ok(conn.exec_drop(sql::CLEAR_RECOVERY_ATTEMPTS, (user_id.as_str(),))?)).await
    }
}
