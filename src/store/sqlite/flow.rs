//! Queries of the user's flow: atomic attempt counters, the work lease, stage transitions.
use super::records::{read_record, timestamp, COLUMNS};
use super::SqliteStore;
use crate::domain::{Event, Limits, Locale, Stage, TokenHash, UserId};
use crate::store::{Flow, FlowRecord, Issuance, PasswordDone, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

fn attempts_column(stage: Stage) -> &'static str {
    if stage == Stage::Totp {
        "totp_failures"
    } else {
        "pin_failures"
    }
}

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
        let column = attempts_column(stage);
        let sql = format!(
            "UPDATE onboarding SET {column} = {column} + 1
             WHERE user_id = ?1 AND stage = ?2 AND expires_at > ?3
               AND pin_failures < ?4 AND totp_failures < ?5 AND token_hash = ?6
             RETURNING {column}"
        );
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
        let column = attempts_column(stage);
        let sql = format!(
            "UPDATE onboarding SET {column} = max({column} - 1, 0) WHERE user_id = ?1 AND token_hash = ?2"
        );
        let issuance = issuance.clone();
        self.run(move |conn| {
            Ok(conn
                .execute(&sql, params![issuance.user_id.as_str(), &issuance.token_hash.0[..]])
                .map(|_| ())?)
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
            Ok(conn.execute(
                "UPDATE onboarding SET busy_until = ?3
                 WHERE user_id = ?1 AND (busy_until IS NULL OR busy_until <= ?2)",
                params![user_id.as_str(), now.timestamp(), until.timestamp()],
            )? == 1)
        })
        .await
    }

    async fn release_lease(&self, user_id: &UserId, until: DateTime<Utc>) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn
                .execute(
                    "UPDATE onboarding SET busy_until = NULL WHERE user_id = ?1 AND busy_until = ?2",
                    params![user_id.as_str(), until.timestamp()],
                )
                .map(|_| ())?)
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
                "UPDATE onboarding SET stage = ?2, password_ct = NULL, totp_secret_ct = ?3,
                     user_token_ct = ?4, user_token_expires_at = ?5, mfa_receipt = ?6,
                     busy_until = NULL, updated_at = ?7
                 WHERE user_id = ?1 AND stage = 'password' AND token_hash = ?8",
                params![
                    issuance.user_id.as_str(),
                    done.next.as_str(),
                    done.totp_secret_ct,
                    done.user_token_ct,
                    done.user_token_expires_at.map(|t| t.timestamp()),
                    done.mfa_receipt,
                    done.now.timestamp(),
                    &issuance.token_hash.0[..]
                ],
            )? == 1)
        })
        .await
    }

    async fn save_mfa_owed(&self, user_id: &UserId, options_json: String) -> Result<bool, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn.execute(
                "UPDATE onboarding SET mfa_restore = ?2 WHERE user_id = ?1 AND mfa_restore IS NULL",
                params![user_id.as_str(), options_json],
            )? == 1)
        })
        .await
    }

    async fn clear_mfa_owed(&self, user_id: &UserId) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            conn.execute("UPDATE onboarding SET mfa_restore = NULL WHERE user_id = ?1", [user_id.as_str()])?;
            Ok(())
        })
        .await
    }

    async fn mfa_owed(&self, user_id: &UserId) -> Result<Option<String>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT mfa_restore FROM onboarding WHERE user_id = ?1",
                    [user_id.as_str()],
                    |row| row.get::<_, Option<String>>(0),
                )
                .optional()?
                .flatten())
        })
        .await
    }

    async fn users_owed_mfa(&self) -> Result<Vec<UserId>, StoreError> {
        self.run(|conn| {
            let mut statement =
                conn.prepare("SELECT user_id FROM onboarding WHERE mfa_restore IS NOT NULL")?;
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
                "UPDATE onboarding SET user_token_ct = ?2, user_token_expires_at = ?3, mfa_receipt = ?4
                 WHERE user_id = ?1 AND token_hash = ?5",
                params![
                    issuance.user_id.as_str(),
                    token_ct,
                    expires_at.map(|t| t.timestamp()),
                    mfa_receipt,
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
            let done = tx.execute(
                "UPDATE onboarding SET stage = 'complete', password_ct = NULL, totp_secret_ct = NULL,
                     user_token_ct = NULL, user_token_expires_at = NULL, busy_until = NULL, updated_at = ?2
                 WHERE user_id = ?1 AND mfa_restore IS NULL AND token_hash = ?3",
                params![issuance.user_id.as_str(), now.timestamp(), &issuance.token_hash.0[..]],
            )? == 1;
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
            let sql = format!(
                "SELECT {COLUMNS}, user_name, pin_hash, password_ct, totp_secret_ct, user_token_ct,
                        user_token_expires_at, mfa_receipt, mfa_restore, locale, password_rules
                 FROM onboarding WHERE token_hash = ?1"
            );
            // Cached: this runs for every page view, and parsing the SQL cost more than the query.
            conn.prepare_cached(&sql)?
                .query_row([&hash[..]], |row| {
                    Ok((|| {
                        Ok(FlowRecord {
                            record: read_record(row)?,
                            token_hash: TokenHash(hash),
                            user_name: row.get(8)?,
                            pin_hash: row.get(9)?,
                            password_ct: row.get(10)?,
                            totp_secret_ct: row.get(11)?,
                            user_token_ct: row.get(12)?,
                            user_token_expires_at: row
                                .get::<_, Option<i64>>(13)?
                                .map(timestamp)
                                .transpose()?,
                            mfa_receipt: row.get::<_, i64>(14)? != 0,
                            mfa_restore: row.get(15)?,
                            locale: row.get::<_, Option<String>>(16)?.as_deref().and_then(Locale::parse),
                            password_rules: row.get(17)?,
                        })
                    })())
                })
                .optional()?
                .transpose()
        })
        .await
    }
}
