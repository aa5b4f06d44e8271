//! Queries behind the notices: links that expired unfinished, and records by user name.
use super::records::timestamp;
use super::SqliteStore;
use crate::domain::{Event, UserId};
use crate::store::{Notices, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// At most this many records are checked for one reset request (user names repeat across domains).
const MAX_NAMED: i64 = 5;

#[async_trait]
impl Notices for SqliteStore {
    async fn mark_expired(
        &self,
        now: DateTime<Utc>,
        announce: bool,
    ) -> Result<Vec<(UserId, DateTime<Utc>)>, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction()?;
            let mut statement = tx.prepare(
                "UPDATE onboarding SET expiry_notified_at = ?1
                 WHERE stage != 'complete' AND expires_at <= ?1
                   AND (expiry_notified_at IS NULL OR expiry_notified_at < expires_at)
                 RETURNING user_id, expires_at",
            )?;
            let rows = statement.query_map(params![now.timestamp()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            let expired = rows
                .map(|row| {
                    let (user_id, expires_at) = row?;
                    let user_id = UserId::parse(&user_id).map_err(|err| StoreError::Corrupt(err.0))?;
                    Ok((user_id, timestamp(expires_at)?))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            drop(statement);
            if announce {
                for (user_id, expires_at) in &expired {
                    super::outbox::insert(&tx, Event::Expired, user_id, *expires_at, now)?;
                }
            }
            tx.commit()?;
            Ok(expired)
        })
        .await
    }

    async fn records_named(&self, user_name: &str) -> Result<Vec<(UserId, String)>, StoreError> {
        let user_name = user_name.to_owned();
        self.run(move |conn| {
            let mut statement = conn.prepare(
                "SELECT user_id, pin_hash FROM onboarding WHERE user_name = ?1 COLLATE NOCASE
                 ORDER BY updated_at DESC LIMIT ?2",
            )?;
            let rows = statement.query_map(params![user_name, MAX_NAMED], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?;
            rows.map(|row| {
                let (user_id, pin_hash) = row?;
                Ok((UserId::parse(&user_id).map_err(|err| StoreError::Corrupt(err.0))?, pin_hash))
            })
            .collect()
        })
        .await
    }
}
