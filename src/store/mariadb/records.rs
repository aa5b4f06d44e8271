//! The admin's records and the notices, in MariaDB's SQL: no `RETURNING`, so a change and the
//! rows it touched are read in one transaction.
use super::{in_transaction, MariaStore};
use crate::domain::onboarding::{plan_issue, IssueError};
use crate::domain::{Event, IssueKind, Locale, Onboarding, Stage, UserId};
use crate::store::records::{outgoing, parse_stage, timestamp, user_id};
use crate::store::{
    sql, IssueWrite, ListQuery, Listed, Notices, Outbox, Outgoing, Records, Revoke, StoreError,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::{FromValue, Queryable};
use mysql::{params, Row};

/// At most this many records are checked for one reset request (user names repeat across domains).
const MAX_NAMED: i64 = 5;

/// Column `index` of `row` as a `T`; a NULL or a value of another type is `Corrupt`.
pub(super) fn col<T: FromValue>(row: &mut Row, index: usize) -> Result<T, StoreError> {
    match row.take_opt::<T, usize>(index) {
        Some(Ok(value)) => Ok(value),
        Some(Err(err)) => Err(StoreError::Corrupt(format!("column {index}: {err}"))),
        None => Err(StoreError::Corrupt(format!("column {index} missing"))),
    }
}

pub(super) fn read_record(row: &mut Row) -> Result<Onboarding, StoreError> {
    Ok(Onboarding {
        user_id: user_id(&col::<String>(row, 0)?)?,
        stage: parse_stage(&col::<String>(row, 1)?)?,
        pin_failures: col(row, 2)?,
        totp_failures: col(row, 3)?,
        created_at: timestamp(col(row, 4)?)?,
        issued_at: timestamp(col(row, 5)?)?,
        updated_at: timestamp(col(row, 6)?)?,
        expires_at: timestamp(col(row, 7)?)?,
        authenticator_only: col::<i64>(row, 8)? != 0,
    })
}

#[async_trait]
impl Records for MariaStore {
    async fn find(&self, id: &UserId) -> Result<Option<Onboarding>, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            conn.exec_first::<Row, _, _>(sql::FIND, (id.as_str(),))?
                .map(|mut row| read_record(&mut row))
                .transpose()
        })
        .await
    }

    async fn issue(&self, write: IssueWrite) -> Result<Result<IssueKind, IssueError>, StoreError> {
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                let existing: Option<String> = tx.exec_first(
                    "SELECT stage FROM onboarding WHERE user_id = ? FOR UPDATE",
                    (write.user_id.as_str(),),
                )?;
                let existing = existing.map(|text| parse_stage(&text)).transpose()?;
                let (kind, stage) = match plan_issue(existing, write.plan()) {
                    Ok(plan) => plan,
                    Err(rule) => return Ok(Err(rule)),
                };
                let statement = match kind {
                    IssueKind::Created => sql::ISSUE_CREATE,
                    IssueKind::Renewed => sql::ISSUE_RENEW,
                };
                // One parameter list for both statements (they name the same twelve).
                tx.exec_drop(
                    statement,
                    params! {
                        "id" => write.user_id.as_str(),
                        "hash" => &write.token_hash.0[..],
                        "pin" => write.pin_hash.as_deref(),
                        "pw" => write.password_ct.as_deref(),
                        "authonly" => write.authenticator_only,
                        "stage" => stage.as_str(),
                        "now" => write.now.timestamp(),
                        "exp" => write.expires_at.timestamp(),
                        "name" => write.user_name.as_str(),
                        "locale" => write.locale.map(Locale::tag),
                        "rules" => write.password_rules.as_deref(),
                        "domain" => write.domain_id.as_deref(),
                    },
                )?;
                Ok(Ok(kind))
            })
        })
        .await
    }

    async fn list(&self, query: ListQuery) -> Result<Vec<Listed>, StoreError> {
        self.run(move |conn| {
            let rows: Vec<Row> = conn.exec(
                sql::LIST,
                params! {
                    "stage" => query.stage.map(Stage::as_str),
                    "expired" => query.expired,
                    "locked" => query.locked,
                    "domain" => query.domain_id.as_deref(),
                    "after" => query.after.as_ref().map(UserId::as_str),
                    "now" => query.now.timestamp(),
                    "maxpin" => query.limits.max_pin_attempts,
                    "maxtotp" => query.limits.max_totp_attempts,
                    "limit" => query.limit,
                },
            )?;
            rows.into_iter()
                .map(|mut row| {
                    Ok(Listed {
                        record: read_record(&mut row)?,
                        user_name: col(&mut row, 9)?,
                        domain_id: col(&mut row, 10)?,
                        mfa_restore_pending: col::<i64>(&mut row, 11)? != 0,
                    })
                })
                .collect()
        })
        .await
    }

    async fn open_records_by_stage(&self, now: DateTime<Utc>) -> Result<Vec<(Stage, i64)>, StoreError> {
        self.run(move |conn| {
            let rows: Vec<(String, i64)> = conn.exec(sql::OPEN_BY_STAGE, (now.timestamp(),))?;
            rows.into_iter().map(|(stage, count)| Ok((parse_stage(&stage)?, count))).collect()
        })
        .await
    }

    async fn revoke(&self, id: &UserId) -> Result<Revoke, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(sql::REVOKE, (id.as_str(),))?;
                if tx.affected_rows() > 0 {
                    return Ok(Revoke::Done);
                }
                let left: Option<i64> = tx.exec_first(sql::RECORD_EXISTS, (id.as_str(),))?;
                Ok(if left.is_some() { Revoke::MfaOwed } else { Revoke::NoRecord })
            })
        })
        .await
    }

    async fn purge_expired(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(move |conn| {
            conn.exec_drop(sql::PURGE_EXPIRED, (cutoff.timestamp(),))?;
            Ok(conn.affected_rows() as usize)
        })
        .await
    }
}

#[async_trait]
impl Notices for MariaStore {
    /// Each expiry is claimed by one conditional update per record, all in one transaction: of
    /// replicas running this at once, only the one whose update changed the row announces it,
    /// and a retried transaction claims again what its rolled-back try had claimed.
    async fn mark_expired(
        &self,
        now: DateTime<Utc>,
        announce: bool,
    ) -> Result<Vec<(UserId, DateTime<Utc>)>, StoreError> {
        self.run(move |conn| {
            in_transaction(conn, |conn| {
                let due: Vec<(String, i64)> = conn.exec(
                    "SELECT user_id, expires_at FROM onboarding
                     WHERE stage != 'complete' AND expires_at <= ?
                       AND (expiry_notified_at IS NULL OR expiry_notified_at < expires_at)",
                    (now.timestamp(),),
                )?;
                let mut claimed = Vec::new();
                for (id, expires_at) in due {
                    conn.exec_drop(
                        "UPDATE onboarding SET expiry_notified_at = ?
                         WHERE user_id = ? AND expires_at = ? AND stage != 'complete'
                           AND (expiry_notified_at IS NULL OR expiry_notified_at < expires_at)",
                        (now.timestamp(), id.as_str(), expires_at),
                    )?;
                    if conn.affected_rows() == 1 {
                        let (id, expires_at) = (user_id(&id)?, timestamp(expires_at)?);
                        if announce {
                            insert_outgoing(conn, Event::Expired, &id, expires_at, now)?;
                        }
                        claimed.push((id, expires_at));
                    }
                }
                Ok(claimed)
            })
        })
        .await
    }

    async fn records_named(&self, user_name: &str) -> Result<Vec<(UserId, String)>, StoreError> {
        let user_name = user_name.to_owned();
        self.run(move |conn| {
            let rows: Vec<(String, String)> = conn.exec(
                "SELECT user_id, pin_hash FROM onboarding WHERE user_name = ? ORDER BY updated_at DESC LIMIT ?",
                (user_name.as_str(), MAX_NAMED),
            )?;
            rows.into_iter().map(|(id, pin_hash)| Ok((user_id(&id)?, pin_hash))).collect()
        })
        .await
    }
}

/// Inside the transaction of the change it announces.
pub(super) fn insert_outgoing(
    conn: &mut impl Queryable,
    event: Event,
    id: &UserId,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.exec_drop(
        sql::INSERT_OUTGOING,
        (event.as_str(), id.as_str(), at.timestamp(), now.timestamp_millis()),
    )?;
    Ok(())
}

#[async_trait]
impl Outbox for MariaStore {
    async fn enqueue(
        &self,
        event: Event,
        id: &UserId,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let id = id.clone();
        self.run(move |conn| insert_outgoing(&mut **conn, event, &id, at, now)).await
    }

    /// `SKIP LOCKED`: replicas claiming at once each take other rows instead of waiting.
    async fn claim_outgoing(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Outgoing>, StoreError> {
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                let due: Vec<(i64, String, String, i64, u32)> = tx.exec(
                    "SELECT id, event, user_id, at, attempts FROM outbox
                     WHERE next_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)
                     ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED",
                    (now.timestamp_millis(), now.timestamp_millis(), limit),
                )?;
                let mut claimed = Vec::with_capacity(due.len());
                for (id, event, user, at, attempts) in due {
                    tx.exec_drop(
                        "UPDATE outbox SET claimed_until = ? WHERE id = ?",
                        (until.timestamp_millis(), id),
                    )?;
                    claimed.extend(outgoing(id, &event, &user, at, attempts));
                }
                Ok(claimed)
            })
        })
        .await
    }

    async fn forget_outgoing(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| Ok(conn.exec_drop(sql::FORGET_OUTGOING, (id,))?)).await
    }

    async fn retry_outgoing(&self, id: i64, attempts: u32, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.exec_drop(sql::RETRY_OUTGOING, (attempts, next_at.timestamp_millis(), id))?;
            Ok(())
        })
        .await
    }
}
