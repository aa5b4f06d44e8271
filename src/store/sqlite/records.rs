//! Queries on the `onboarding` table.
use super::SqliteStore;
use crate::domain::onboarding::{plan_issue, IssueError};
use crate::domain::{IssueKind, Locale, Onboarding, Stage, TokenHash, UserId};
pub(super) use crate::store::records::{parse_stage, timestamp};
use crate::store::{IssueWrite, Records, Revoke, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

pub(super) const COLUMNS: &str =
    "user_id, stage, pin_failures, totp_failures, created_at, issued_at, updated_at, expires_at";

#[async_trait]
impl Records for SqliteStore {
    async fn find(&self, user_id: &UserId) -> Result<Option<Onboarding>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM onboarding WHERE user_id = ?1"))?
                .query_row([user_id.as_str()], |row| Ok(read_record(row)))
                .optional()?
                .transpose()
        })
        .await
    }

    async fn find_by_token(&self, token_hash: &TokenHash) -> Result<Option<Onboarding>, StoreError> {
        let hash = token_hash.0;
        self.run(move |conn| {
            conn.prepare_cached(&format!("SELECT {COLUMNS} FROM onboarding WHERE token_hash = ?1"))?
                .query_row([&hash[..]], |row| Ok(read_record(row)))
                .optional()?
                .transpose()
        })
        .await
    }

    async fn issue(&self, write: IssueWrite) -> Result<Result<IssueKind, IssueError>, StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let existing: Option<String> = tx
                .query_row(
                    "SELECT stage FROM onboarding WHERE user_id = ?1",
                    [write.user_id.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let existing = existing.map(|text| parse_stage(&text)).transpose()?;
            let (kind, stage) =
                match plan_issue(existing, write.pin_hash.is_some(), write.password_ct.is_some()) {
                    Ok(plan) => plan,
                    Err(rule) => return Ok(Err(rule)),
                };
            let now = write.now.timestamp();
            let sql = match kind {
                IssueKind::Created => {
                    "INSERT INTO onboarding (user_id, token_hash, pin_hash, password_ct, stage,
                         pin_failures, created_at, issued_at, updated_at, expires_at, user_name,
                         locale, password_rules)
                     VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?6, ?7, ?8, ?9, ?10)"
                }
                // A new password restarts the flow: what the old one led to is dropped. The
                // lease stays: a step in flight for the old link keeps Keystone to itself
                // until it ends (its writes no longer apply), so the new link waits for it.
                IssueKind::Renewed => {
                    "UPDATE onboarding SET token_hash = ?2, pin_hash = coalesce(?3, pin_hash),
                         password_ct = coalesce(?4, password_ct), stage = ?5, pin_failures = 0,
                         totp_failures = 0, issued_at = ?6, updated_at = ?6, expires_at = ?7,
                         user_name = ?8, locale = coalesce(?9, locale),
                         password_rules = coalesce(?10, password_rules),
                         totp_secret_ct = CASE WHEN ?4 IS NULL THEN totp_secret_ct END,
                         user_token_ct = CASE WHEN ?4 IS NULL THEN user_token_ct END,
                         user_token_expires_at = CASE WHEN ?4 IS NULL THEN user_token_expires_at END,
                         mfa_receipt = CASE WHEN ?4 IS NULL THEN mfa_receipt ELSE 0 END
                     WHERE user_id = ?1"
                }
            };
            tx.execute(
                sql,
                params![
                    write.user_id.as_str(),
                    &write.token_hash.0[..],
                    write.pin_hash,
                    write.password_ct,
                    stage.as_str(),
                    now,
                    write.expires_at.timestamp(),
                    write.user_name,
                    write.locale.map(Locale::tag),
                    write.password_rules
                ],
            )?;
            tx.commit()?;
            Ok(Ok(kind))
        })
        .await
    }

    async fn open_records_by_stage(&self, now: DateTime<Utc>) -> Result<Vec<(Stage, i64)>, StoreError> {
        self.run(move |conn| {
            let mut statement =
                conn.prepare("SELECT stage, count(*) FROM onboarding WHERE expires_at > ?1 GROUP BY stage")?;
            let rows =
                statement.query_map([now.timestamp()], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))?;
            rows.map(|row| {
                let (stage, count) = row?;
                Ok((parse_stage(&stage)?, count))
            })
            .collect()
        })
        .await
    }

    async fn revoke(&self, user_id: &UserId) -> Result<Revoke, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let deleted = tx.execute(
                "DELETE FROM onboarding WHERE user_id = ?1 AND mfa_restore IS NULL",
                [user_id.as_str()],
            )?;
            let outcome = if deleted > 0 {
                Revoke::Done
            } else if tx
                .query_row("SELECT 1 FROM onboarding WHERE user_id = ?1", [user_id.as_str()], |_| Ok(()))
                .optional()?
                .is_some()
            {
                Revoke::MfaOwed
            } else {
                Revoke::NoRecord
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn purge_expired(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(move |conn| {
            // A record still owing MFA rules stays until they are back on.
            Ok(conn.execute(
                "DELETE FROM onboarding WHERE expires_at < ?1 AND mfa_restore IS NULL",
                [cutoff.timestamp()],
            )?)
        })
        .await
    }
}

pub(super) fn read_record(row: &Row<'_>) -> Result<Onboarding, StoreError> {
    let user_id: String = row.get(0)?;
    let stage: String = row.get(1)?;
    Ok(Onboarding {
        user_id: UserId::parse(&user_id).map_err(|err| StoreError::Corrupt(err.0))?,
        stage: parse_stage(&stage)?,
        pin_failures: row.get(2)?,
        totp_failures: row.get(3)?,
        created_at: timestamp(row.get(4)?)?,
        issued_at: timestamp(row.get(5)?)?,
        updated_at: timestamp(row.get(6)?)?,
        expires_at: timestamp(row.get(7)?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::OneTimeToken;
    use crate::store::{Flow, Records};
    use chrono::Duration;

    fn write(user: &str, pin: Option<&str>, password: Option<&[u8]>, now: DateTime<Utc>) -> IssueWrite {
        IssueWrite {
            user_id: UserId::parse(user).unwrap(),
            token_hash: OneTimeToken::generate().hash(),
            user_name: format!("{user}-name"),
            pin_hash: pin.map(str::to_owned),
            password_ct: password.map(<[u8]>::to_vec),
            now,
            expires_at: now + Duration::hours(24),
            locale: None,
            password_rules: None,
        }
    }

    #[tokio::test]
    async fn a_record_is_created_then_renewed() {
        let (_dir, store) = crate::store::open_temp();
        let now = Utc::now();
        assert_eq!(
            store.issue(write("u1", Some("$pin"), Some(b"ct"), now)).await.unwrap(),
            Ok(IssueKind::Created)
        );
        let later = now + Duration::hours(1);
        let renewal = write("u1", None, None, later);
        let new_hash = renewal.token_hash.clone();
        assert_eq!(store.issue(renewal).await.unwrap(), Ok(IssueKind::Renewed));
        assert!(store.find_by_token(&new_hash).await.unwrap().is_some());
        let record = store.find(&UserId::parse("u1").unwrap()).await.unwrap().unwrap();
        assert_eq!(record.stage, Stage::Password);
        assert_eq!(record.created_at.timestamp(), now.timestamp());
        assert_eq!(record.expires_at.timestamp(), (later + Duration::hours(24)).timestamp());
    }

    #[tokio::test]
    async fn a_new_record_without_a_pin_is_refused_and_nothing_is_written() {
        let (_dir, store) = crate::store::open_temp();
        let result = store.issue(write("u1", None, Some(b"ct"), Utc::now())).await.unwrap();
        assert_eq!(result, Err(IssueError::Missing("`pin`")));
        assert!(store.find(&UserId::parse("u1").unwrap()).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_record_owing_mfa_rules_is_neither_revoked_nor_purged_nor_completed() {
        let (_dir, store) = crate::store::open_temp();
        let user = UserId::parse("u1").unwrap();
        let past = Utc::now() - chrono::Duration::days(30);
        let record = write("u1", Some("$pin"), Some(b"ct"), past);
        let issuance =
            crate::store::Issuance { user_id: user.clone(), token_hash: record.token_hash.clone() };
        store.issue(record).await.unwrap().unwrap();
        assert!(store.save_mfa_owed(&user, "{}".into()).await.unwrap());
        assert!(!store.save_mfa_owed(&user, "{}".into()).await.unwrap(), "owed once");
        assert_eq!(store.revoke(&user).await.unwrap(), Revoke::MfaOwed);
        assert_eq!(store.purge_expired(Utc::now()).await.unwrap(), 0);
        assert!(!store.complete(&issuance, Utc::now(), false).await.unwrap());
        store.clear_mfa_owed(&user).await.unwrap();
        assert_eq!(store.revoke(&user).await.unwrap(), Revoke::Done);
    }

    #[tokio::test]
    async fn revoking_deletes_the_record_once() {
        let (_dir, store) = crate::store::open_temp();
        let user = UserId::parse("u1").unwrap();
        store.issue(write("u1", Some("$pin"), Some(b"ct"), Utc::now())).await.unwrap().unwrap();
        assert_eq!(store.revoke(&user).await.unwrap(), Revoke::Done);
        assert_eq!(store.revoke(&user).await.unwrap(), Revoke::NoRecord);
    }

    #[tokio::test]
    async fn purging_removes_only_records_expired_before_the_cutoff() {
        let (_dir, store) = crate::store::open_temp();
        let now = Utc::now();
        store.issue(write("old", Some("$p"), Some(b"c"), now - Duration::days(10))).await.unwrap().unwrap();
        store.issue(write("new", Some("$p"), Some(b"c"), now)).await.unwrap().unwrap();
        assert_eq!(store.purge_expired(now - Duration::days(7)).await.unwrap(), 1);
        assert!(store.find(&UserId::parse("old").unwrap()).await.unwrap().is_none());
        assert!(store.find(&UserId::parse("new").unwrap()).await.unwrap().is_some());
    }
}
