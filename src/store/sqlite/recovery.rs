//! Recovery codes and the count of wrong ones in SQLite: each unit of work is one immediate
//! transaction, so concurrent claims take turns.
use super::SqliteStore;
use crate::domain::UserId;
use crate::store::{sql, RecoveryCodes, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, TransactionBehavior};

#[async_trait]
impl RecoveryCodes for SqliteStore {
    async fn replace_recovery_codes(
        &self,
        user_id: &UserId,
        hashes: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(sql::DELETE_RECOVERY_CODES, [user_id.as_str()])?;
            let mut insert = tx.prepare(sql::INSERT_RECOVERY_CODE)?;
            for (slot, hash) in hashes.iter().enumerate() {
                insert.execute(params![user_id.as_str(), slot, hash, now.timestamp()])?;
            }
            drop(insert);
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn recovery_codes(&self, user_id: &UserId) -> Result<Vec<(i64, String)>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            let mut statement = conn.prepare(sql::RECOVERY_CODES)?;
            let rows = statement.query_map([user_id.as_str()], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn use_recovery_code(
        &self,
        user_id: &UserId,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            let args = params![now.timestamp(), code_id, user_id.as_str()];
            Ok(conn.execute(sql::USE_RECOVERY_CODE, args)? == 1)
        })
        .await
    }

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
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let id = user_id.as_str();
            tx.execute(sql::RECOVERY_LOCK_LAPSED, params![id, now])?;
            tx.execute(sql::RECOVERY_LOCK_AT_LIMIT, params![until, id, max])?;
            let counted = if tx.execute(sql::COUNT_RECOVERY_ATTEMPT, params![max, until, id, max])? == 1 {
                tx.query_row(sql::RECOVERY_FAILURES, [id], |row| row.get(0)).optional()?
            } else if tx.query_row(sql::RECOVERY_FAILURES, [id], |_| Ok(())).optional()?.is_some() {
                None
            } else {
                tx.execute(sql::FIRST_RECOVERY_ATTEMPT, params![id, max, until])?;
                Some(1)
            };
            tx.commit()?;
            Ok(counted)
        })
        .await
    }

    async fn clear_recovery_attempts(&self, user_id: &UserId) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn.execute(sql::CLEAR_RECOVERY_ATTEMPTS, [user_id.as_str()]).map(|_| ())?)
        })
        .await
    }
}
