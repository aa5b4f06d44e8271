//! The admin's records and the notices, in MariaDB's SQL: no `RETURNING`, so a change and the
//! rows it touched are read in one transaction.
use super::{in_transaction, MariaStore};
use crate::domain::onboarding::{plan_issue, IssueError};
use crate::domain::{Event, IssueKind, Locale, Onboarding, Stage, TokenHash, UserId};
use crate::store::records::{outgoing, parse_stage, timestamp, user_id};
use crate::store::{IssueWrite, Notices, Outbox, Outgoing, Records, Revoke, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::{FromValue, Queryable};
use mysql::{params, Row};

pub(super) const COLUMNS: &str =
    "user_id, stage, pin_failures, totp_failures, created_at, issued_at, updated_at, expires_at";

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
    })
}

#[async_trait]
impl Records for MariaStore {
    async fn find(&self, id: &UserId) -> Result<Option<Onboarding>, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM onboarding WHERE user_id = ?");
            conn.exec_first::<Row, _, _>(sql, (id.as_str(),))?
                .map(|mut row| read_record(&mut row))
                .transpose()
        })
        .await
    }

    async fn find_by_token(&self, token_hash: &TokenHash) -> Result<Option<Onboarding>, StoreError> {
        let hash = token_hash.0;
        self.run(move |conn| {
            let sql = format!("SELECT {COLUMNS} FROM onboarding WHERE token_hash = ?");
            conn.exec_first::<Row, _, _>(sql, (&hash[..],))?.map(|mut row| read_record(&mut row)).transpose()
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
                let (kind, stage) =
                    match plan_issue(existing, write.pin_hash.is_some(), write.password_ct.is_some()) {
                        Ok(plan) => plan,
                        Err(rule) => return Ok(Err(rule)),
                    };
                let now = write.now.timestamp();
                let args = (
                    write.user_id.as_str(),
                    &write.token_hash.0[..],
                    write.pin_hash.clone(),
                    write.password_ct.clone(),
                    stage.as_str(),
                    now,
                    write.expires_at.timestamp(),
                    write.user_name.as_str(),
                    write.locale.map(Locale::tag),
                    write.password_rules.clone(),
                );
                match kind {
                    IssueKind::Created => tx.exec_drop(
                        "INSERT INTO onboarding (user_id, token_hash, pin_hash, password_ct, stage,
                             pin_failures, created_at, issued_at, updated_at, expires_at, user_name,
                             locale, password_rules)
                         VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            args.0, args.1, args.2, args.3, args.4, args.5, args.5, args.5, args.6, args.7,
                            args.8, args.9,
                        ),
                    )?,
                    // As in SQLite: a new password restarts the flow; the lease stays (see there).
                    IssueKind::Renewed => tx.exec_drop(
                        "UPDATE onboarding SET token_hash = :hash, pin_hash = coalesce(:pin, pin_hash),
                             password_ct = coalesce(:pw, password_ct), stage = :stage, pin_failures = 0,
                             totp_failures = 0, issued_at = :now, updated_at = :now, expires_at = :exp,
                             user_name = :name, locale = coalesce(:locale, locale),
                             password_rules = coalesce(:rules, password_rules),
                             totp_secret_ct = CASE WHEN :pw IS NULL THEN totp_secret_ct END,
                             user_token_ct = CASE WHEN :pw IS NULL THEN user_token_ct END,
                             user_token_expires_at = CASE WHEN :pw IS NULL THEN user_token_expires_at END,
                             mfa_receipt = CASE WHEN :pw IS NULL THEN mfa_receipt ELSE 0 END
                         WHERE user_id = :id",
                        params! {
                            "id" => args.0, "hash" => args.1, "pin" => args.2, "pw" => args.3,
                            "stage" => args.4, "now" => args.5, "exp" => args.6, "name" => args.7,
                            "locale" => args.8, "rules" => args.9,
                        },
                    )?,
                };
                Ok(Ok(kind))
            })
        })
        .await
    }

    async fn open_records_by_stage(&self, now: DateTime<Utc>) -> Result<Vec<(Stage, i64)>, StoreError> {
        self.run(move |conn| {
            let rows: Vec<(String, i64)> = conn.exec(
                "SELECT stage, count(*) FROM onboarding WHERE expires_at > ? GROUP BY stage",
                (now.timestamp(),),
            )?;
            rows.into_iter().map(|(stage, count)| Ok((parse_stage(&stage)?, count))).collect()
        })
        .await
    }

    async fn revoke(&self, id: &UserId) -> Result<Revoke, StoreError> {
        let id = id.clone();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(
                    "DELETE FROM onboarding WHERE user_id = ? AND mfa_restore IS NULL",
                    (id.as_str(),),
                )?;
                if tx.affected_rows() > 0 {
                    return Ok(Revoke::Done);
                }
                let left: Option<i64> =
                    tx.exec_first("SELECT 1 FROM onboarding WHERE user_id = ?", (id.as_str(),))?;
                Ok(if left.is_some() { Revoke::MfaOwed } else { Revoke::NoRecord })
            })
        })
        .await
    }

    async fn purge_expired(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(move |conn| {
            conn.exec_drop(
                "DELETE FROM onboarding WHERE expires_at < ? AND mfa_restore IS NULL",
                (cutoff.timestamp(),),
            )?;
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
        "INSERT INTO outbox (event, user_id, at, next_at) VALUES (?, ?, ?, ?)",
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
        self.run(move |conn| Ok(conn.exec_drop("DELETE FROM outbox WHERE id = ?", (id,))?)).await
    }

    async fn retry_outgoing(&self, id: i64, attempts: u32, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.exec_drop(
                "UPDATE outbox SET attempts = ?, next_at = ?, claimed_until = NULL WHERE id = ?",
                (attempts, next_at.timestamp_millis(), id),
            )?;
            Ok(())
        })
        .await
    }
}
