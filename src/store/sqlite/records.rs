//! Queries on the `onboarding` table.
use super::SqliteStore;
use crate::domain::onboarding::{plan_issue, IssueError};
use crate::domain::{IssueKind, Locale, Onboarding, Stage, UserId};
pub(super) use crate::store::records::{parse_stage, timestamp};
use crate::store::{sql, IssueWrite, ListQuery, Listed, Records, Revoke, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row, TransactionBehavior};

#[async_trait]
impl Records for SqliteStore {
    async fn find(&self, user_id: &UserId) -> Result<Option<Onboarding>, StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| {
            conn.prepare_cached(sql::FIND)?
                .query_row([user_id.as_str()], |row| Ok(read_record(row)))
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
                    "SELECT stage FROM onboarding WHERE user_id = ?",
                    [write.user_id.as_str()],
                    |row| row.get(0),
                )
                .optional()?;
            let existing = existing.map(|text| parse_stage(&text)).transpose()?;
            let (kind, stage) = match plan_issue(existing, write.plan()) {
                Ok(plan) => plan,
                Err(rule) => return Ok(Err(rule)),
            };
            let now = write.now.timestamp();
            let statement = match kind {
                IssueKind::Created => sql::ISSUE_CREATE,
                IssueKind::Renewed => sql::ISSUE_RENEW,
            };
            // One parameter list for both statements (they name the same twelve).
            tx.execute(
                statement,
                named_params! {
                    ":id": write.user_id.as_str(),
                    ":hash": &write.token_hash.0[..],
                    ":pin": write.pin_hash,
                    ":pw": write.password_ct,
                    ":authonly": write.authenticator_only,
                    ":stage": stage.as_str(),
                    ":now": now,
                    ":exp": write.expires_at.timestamp(),
                    ":name": write.user_name,
                    ":locale": write.locale.map(Locale::tag),
                    ":rules": write.password_rules,
                    ":domain": write.domain_id,
                },
            )?;
            tx.commit()?;
            Ok(Ok(kind))
        })
        .await
    }

    async fn list(&self, query: ListQuery) -> Result<Vec<Listed>, StoreError> {
        self.run(move |conn| {
            let mut statement = conn.prepare_cached(sql::LIST)?;
            let mut rows = statement.query(named_params! {
                ":stage": query.stage.map(Stage::as_str),
                ":expired": query.expired,
                ":locked": query.locked,
                ":domain": query.domain_id,
                ":after": query.after.as_ref().map(UserId::as_str),
                ":now": query.now.timestamp(),
                ":maxpin": query.limits.max_pin_attempts,
                ":maxtotp": query.limits.max_totp_attempts,
                ":limit": query.limit,
            })?;
            let mut page = Vec::new();
            while let Some(row) = rows.next()? {
                page.push(Listed {
                    record: read_record(row)?,
                    user_name: row.get(9)?,
                    domain_id: row.get(10)?,
                    mfa_restore_pending: row.get::<_, i64>(11)? != 0,
                });
            }
            Ok(page)
        })
        .await
    }

    async fn open_records_by_stage(&self, now: DateTime<Utc>) -> Result<Vec<(Stage, i64)>, StoreError> {
        self.run(move |conn| {
            let mut statement = conn.prepare(sql::OPEN_BY_STAGE)?;
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
            let deleted = tx.execute(sql::REVOKE, [user_id.as_str()])?;
            let outcome = if deleted > 0 {
                Revoke::Done
            } else if tx.query_row(sql::RECORD_EXISTS, [user_id.as_str()], |_| Ok(())).optional()?.is_some() {
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
        self.run(move |conn| Ok(conn.execute(sql::PURGE_EXPIRED, [cutoff.timestamp()])?)).await
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
        authenticator_only: row.get::<_, i64>(8)? != 0,
    })
}
