//! Queries of the user's flow: atomic attempt counters, the work lease, stage transitions.
use super::records::{read_record, timestamp};
use super::SqliteStore;
use crate::domain::{Event, Limits, Locale, Stage, TokenHash, UserId};
use crate::store::{sql, Flow, FlowRecord, Issuance, PasswordDone, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

#[async_trait]
impl Flow for SqliteStore {
    async fn flow_by_token(&self, hash: &TokenHash) -> Result<Option<FlowRecord>, StoreError> {
        let hash = hash.0;
        if let Some(hit) = self.cache.get(&hash) {
            return Ok(Some(hit));
        }
        let generation = self.cache.generation();
        let found = self.read_flow(hash).await?;
        if let Some(record) = &found {
            self.cache.insert_if_current(hash, generation, record.clone());
        }
        Ok(found)
    }

    async fn claim_attempt(
        &self,
        issuance: &Issuance,
        stage: Stage,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError> {
        let sql = format!("{} RETURNING {}", sql::claim_attempt(stage), sql::attempts_column(stage));
        let issuance = issuance.clone();
        self.run(move |conn| {
            let args = params![
                issuance.user_id.as_str(),
                stage.as_str(),
                now.timestamp(),
                limits.max_pin_attempts,
                limits.max_totp_attempts,
                &issuance.token_hash.0[..]
            ];
            Ok(conn.prepare_cached(&sql)?.query_row(args, |row| row.get(0)).optional()?)
        })
        .await
    }

    async fn refund_attempt(&self, issuance: &Issuance, stage: Stage) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            let args = params![issuance.user_id.as_str(), &issuance.token_hash.0[..]];
            Ok(conn.execute(sql::refund_attempt(stage), args).map(|_| ())?)
        })
        .await
    }

    async fn acquire_lease(
        &self,
        user_id: &UserId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            let args = params![until.timestamp(), user_id.as_str(), now.timestamp()];
            Ok(conn.execute(sql::ACQUIRE_LEASE, args)? == 1)
        })
        .await
    }

    async fn release_lease(&self, user_id: &UserId, until: DateTime<Utc>) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn.execute(sql::RELEASE_LEASE, params![user_id.as_str(), until.timestamp()]).map(|_| ())?)
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
            Ok(conn.execute(
                sql::FINISH_PASSWORD_STEP,
                params![
                    done.next.as_str(),
                    done.totp_secret_ct,
                    done.user_token_ct,
                    done.user_token_expires_at.map(|t| t.timestamp()),
                    done.mfa_receipt,
                    done.now.timestamp(),
                    issuance.user_id.as_str(),
                    &issuance.token_hash.0[..]
                ],
            )? == 1)
        })
        .await
    }

    async fn save_mfa_owed(&self, user_id: &UserId, options_json: String) -> Result<bool, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn.execute(sql::SAVE_MFA_OWED, params![options_json, user_id.as_str()])? == 1)
        })
        .await
    }

    async fn clear_mfa_owed(&self, user_id: &UserId) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            conn.execute(sql::CLEAR_MFA_OWED, [user_id.as_str()])?;
            Ok(())
        })
        .await
    }

    async fn mfa_owed(&self, user_id: &UserId) -> Result<Option<String>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn
                .query_row(sql::MFA_OWED, [user_id.as_str()], |row| row.get::<_, Option<String>>(0))
                .optional()?
                .flatten())
        })
        .await
    }

    async fn users_owed_mfa(&self) -> Result<Vec<UserId>, StoreError> {
        self.run(|conn| {
            let mut statement = conn.prepare(sql::USERS_OWED_MFA)?;
            let ids = statement.query_map([], |row| row.get::<_, String>(0))?;
            ids.map(|id| UserId::parse(&id?).map_err(|err| StoreError::Corrupt(err.0)))
                .collect::<Result<Vec<_>, _>>()
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
            let changed = conn.execute(
                sql::STORE_USER_TOKEN,
                params![
                    token_ct,
                    expires_at.map(|t| t.timestamp()),
                    mfa_receipt,
                    issuance.user_id.as_str(),
                    &issuance.token_hash.0[..]
                ],
            )?;
            Ok(changed == 1)
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
            let tx = conn.transaction()?;
            let args = params![now.timestamp(), issuance.user_id.as_str(), &issuance.token_hash.0[..]];
            let done = tx.execute(sql::COMPLETE, args)? == 1;
            if done && announce {
                super::outbox::insert(&tx, Event::Completed, &issuance.user_id, now, now)?;
            }
            tx.commit()?;
            Ok(done)
        })
        .await
    }
}

impl SqliteStore {
    async fn read_flow(&self, hash: [u8; 32]) -> Result<Option<FlowRecord>, StoreError> {
        self.read(move |conn| {
            // Cached: this runs for every page view, and parsing the SQL cost more than the query.
            conn.prepare_cached(sql::FLOW_BY_TOKEN)?
                .query_row([&hash[..]], |row| {
                    Ok((|| {
                        Ok(FlowRecord {
                            record: read_record(row)?,
                            token_hash: TokenHash(hash),
                            user_name: row.get(9)?,
                            pin_hash: row.get(10)?,
                            password_ct: row.get(11)?,
                            totp_secret_ct: row.get(12)?,
                            user_token_ct: row.get(13)?,
                            user_token_expires_at: row
                                .get::<_, Option<i64>>(14)?
                                .map(timestamp)
                                .transpose()?,
                            mfa_receipt: row.get::<_, i64>(15)? != 0,
                            mfa_restore: row.get(16)?,
                            locale: row.get::<_, Option<String>>(17)?.as_deref().and_then(Locale::parse),
                            password_rules: row.get(18)?,
                        })
                    })())
                })
                .optional()?
                .transpose()
        })
        .await
    }
}
