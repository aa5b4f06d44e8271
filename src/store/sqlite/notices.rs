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

#[cfg(test)]
mod tests {
    use crate::domain::{OneTimeToken, UserId};
    use crate::store::IssueWrite;
    use crate::store::{Flow, Notices, Records};
    use chrono::{Duration, Utc};

    fn write(user: &str, name: &str, now: chrono::DateTime<Utc>) -> IssueWrite {
        IssueWrite {
            user_id: UserId::parse(user).unwrap(),
            token_hash: OneTimeToken::generate().hash(),
            user_name: name.into(),
            pin_hash: Some(format!("$hash-of-{user}")),
            password_ct: Some(b"ct".to_vec()),
            now,
            expires_at: now + Duration::hours(24),
            locale: None,
            password_rules: None,
        }
    }

    #[tokio::test]
    async fn an_expiry_is_announced_once_and_again_after_a_renewal() {
        let (_dir, store) = crate::store::open_temp();
        let now = Utc::now();
        store.issue(write("u1", "ada", now)).await.unwrap().unwrap();
        assert!(store.mark_expired(now, true).await.unwrap().is_empty(), "not expired yet");

        let later = now + Duration::hours(25);
        let expired = store.mark_expired(later, true).await.unwrap();
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].0.as_str(), "u1");
        assert!(store.mark_expired(later + Duration::hours(1), true).await.unwrap().is_empty(), "only once");

        store.issue(write("u1", "ada", later + Duration::hours(2))).await.unwrap().unwrap();
        assert_eq!(
            store.mark_expired(later + Duration::hours(30), true).await.unwrap().len(),
            1,
            "renewed, expired again"
        );
    }

    #[tokio::test]
    async fn a_completed_record_never_expires_into_an_event() {
        let (_dir, store) = crate::store::open_temp();
        let now = Utc::now();
        let record = write("u1", "ada", now);
        let issuance =
            crate::store::Issuance { user_id: record.user_id.clone(), token_hash: record.token_hash.clone() };
        store.issue(record).await.unwrap().unwrap();
        assert!(store.complete(&issuance, now, false).await.unwrap());
        assert!(store.mark_expired(now + Duration::days(2), true).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn records_are_found_by_user_name_in_any_case() {
        let (_dir, store) = crate::store::open_temp();
        store.issue(write("u1", "Ada@Example.com", Utc::now())).await.unwrap().unwrap();
        let found = store.records_named("ada@example.COM").await.unwrap();
        assert_eq!(found, vec![(UserId::parse("u1").unwrap(), "$hash-of-u1".to_owned())]);
        assert!(store.records_named("bob@example.com").await.unwrap().is_empty());
    }
}
