//! The user's flow in MariaDB's SQL: the attempt counter is a conditional update and a read of
//! the new count in one transaction (no `RETURNING`); every write names its issuance.
use super::records::{col, read_record};
use super::{in_transaction, MariaStore};
use crate::domain::{Event, Limits, Locale, Stage, TokenHash, UserId};
use crate::store::records::{timestamp, user_id};
use crate::store::{sql, Flow, FlowRecord, Issuance, PasswordDone, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::Queryable;
use mysql::Row;

fn read_flow(mut row: Row, hash: TokenHash) -> Result<FlowRecord, StoreError> {
    let row = &mut row;
    Ok(FlowRecord {
        record: read_record(row)?,
        token_hash: hash,
        user_name: col(row, 9)?,
        pin_hash: col(row, 10)?,
        password_ct: col(row, 11)?,
        totp_secret_ct: col(row, 12)?,
        user_token_ct: col(row, 13)?,
        user_token_expires_at: col::<Option<i64>>(row, 14)?.map(timestamp).transpose()?,
        mfa_receipt: col::<i64>(row, 15)? != 0,
        mfa_restore: col(row, 16)?,
        locale: col::<Option<String>>(row, 17)?.as_deref().and_then(Locale::parse),
        password_rules: col(row, 18)?,
    })
}

#[async_trait]
impl Flow for MariaStore {
    async fn flow_by_token(&self, hash: &TokenHash) -> Result<Option<FlowRecord>, StoreError> {
        let hash = hash.clone();
        self.run(move |conn| {
            conn.exec_first::<Row, _, _>(sql::FLOW_BY_TOKEN, (&hash.0[..],))?
                .map(|row| read_flow(row, hash.clone()))
                .transpose()
        })
        .await
    }

    async fn claim_attempt(
        &self,
        issuance: &Issuance,
        stage: Stage,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError> {
        let column = sql::attempts_column(stage);
        let issuance = issuance.clone();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(
                    sql::claim_attempt(stage),
                    (
                        issuance.user_id.as_str(),
                        stage.as_str(),
                        now.timestamp(),
                        limits.max_pin_attempts,
                        limits.max_totp_attempts,
                        &issuance.token_hash.0[..],
                    ),
                )?;
                if tx.affected_rows() != 1 {
                    return Ok(None);
                }
                // The row stays locked by the update until the commit: this is our count.
                let count: Option<u32> = tx.exec_first(
                    format!("SELECT {column} FROM onboarding WHERE user_id = ?"),
                    (issuance.user_id.as_str(),),
                )?;
                Ok(count)
            })
        })
        .await
    }

    async fn refund_attempt(&self, issuance: &Issuance, stage: Stage) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            let args = (issuance.user_id.as_str(), &issuance.token_hash.0[..]);
            conn.exec_drop(sql::refund_attempt(stage), args)?;
            Ok(())
        })
        .await
    }

    async fn acquire_lease(
        &self,
        id: &UserId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            conn.exec_drop(sql::ACQUIRE_LEASE, (until.timestamp(), id.as_str(), now.timestamp()))?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    async fn release_lease(&self, id: &UserId, until: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            conn.exec_drop(sql::RELEASE_LEASE, (id.as_str(), until.timestamp()))?;
            Ok(())
        })
        .await
    }

    async fn finish_password_step(
        &self,
        issuance: &Issuance,
        done: PasswordDone,
    ) -> Result<bool, StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.exec_drop(
                sql::FINISH_PASSWORD_STEP,
                (
                    done.next.as_str(),
                    done.totp_secret_ct.clone(),
                    done.user_token_ct.clone(),
                    done.user_token_expires_at.map(|t| t.timestamp()),
                    done.mfa_receipt,
                    done.now.timestamp(),
                    issuance.user_id.as_str(),
                    &issuance.token_hash.0[..],
                ),
            )?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    async fn save_mfa_owed(&self, id: &UserId, options_json: String) -> Result<bool, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            conn.exec_drop(sql::SAVE_MFA_OWED, (options_json.as_str(), id.as_str()))?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    async fn clear_mfa_owed(&self, id: &UserId) -> Result<(), StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            conn.exec_drop(sql::CLEAR_MFA_OWED, (id.as_str(),))?;
            Ok(())
        })
        .await
    }

    async fn mfa_owed(&self, id: &UserId) -> Result<Option<String>, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            let found: Option<Option<String>> = conn.exec_first(sql::MFA_OWED, (id.as_str(),))?;
            Ok(found.flatten())
        })
        .await
    }

    async fn users_owed_mfa(&self) -> Result<Vec<UserId>, StoreError> {
        self.run(|conn| {
            let ids: Vec<String> = conn.query(sql::USERS_OWED_MFA)?;
            ids.iter().map(|id| user_id(id)).collect()
        })
        .await
    }

    async fn store_user_token(
        &self,
        issuance: &Issuance,
        token_ct: Option<Vec<u8>>,
        expires_at: Option<DateTime<Utc>>,
        mfa_receipt: bool,
    ) -> Result<bool, StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.exec_drop(
                sql::STORE_USER_TOKEN,
                (
                    token_ct.clone(),
                    expires_at.map(|t| t.timestamp()),
                    mfa_receipt,
                    issuance.user_id.as_str(),
                    &issuance.token_hash.0[..],
                ),
            )?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    async fn complete(
        &self,
        issuance: &Issuance,
        now: DateTime<Utc>,
        announce: bool,
    ) -> Result<bool, StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                let args = (now.timestamp(), issuance.user_id.as_str(), &issuance.token_hash.0[..]);
                tx.exec_drop(sql::COMPLETE, args)?;
                let done = tx.affected_rows() == 1;
                if done && announce {
                    super::records::insert_outgoing(tx, Event::Completed, &issuance.user_id, now, now)?;
                }
                Ok(done)
            })
        })
        .await
    }
}
