//! Link reminders in MariaDB: each due one is claimed by a conditional update, so of several
//! replicas looking at once (on one server or on Galera nodes) exactly one changes the row.
use super::records::col;
use super::{in_transaction, MariaStore};
use crate::domain::{Limits, Locale, TokenHash};
use crate::store::records::{timestamp, user_id};
use crate::store::{sql, DueReminder, Issuance, ReminderPlan, Reminders, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::Queryable;
use mysql::{params, Row};

#[async_trait]
impl Reminders for MariaStore {
    async fn schedule_reminder(&self, issuance: &Issuance, plan: ReminderPlan) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.exec_drop(
                sql::SCHEDULE_REMINDER,
                params! {
                    "to" => plan.to.as_str(),
                    "at" => plan.due_at.timestamp(),
                    "ct" => &plan.token_ct[..],
                    "id" => issuance.user_id.as_str(),
                    "hash" => &issuance.token_hash.0[..],
                },
            )?;
            Ok(())
        })
        .await
    }

    async fn claim_reminders(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: Limits,
        limit: u32,
    ) -> Result<Vec<DueReminder>, StoreError> {
        self.run(move |conn| {
            conn.exec_drop(sql::DROP_STALE_REMINDERS, params! { "now" => now.timestamp() })?;
            let rows: Vec<Row> = conn.exec(
                sql::DUE_REMINDERS,
                params! {
                    "now" => now.timestamp(),
                    "maxpin" => limits.max_pin_attempts,
                    "maxtotp" => limits.max_totp_attempts,
                    "limit" => limit,
                },
            )?;
            let mut claimed = Vec::new();
            for mut row in rows {
                let reminder = due(&mut row)?;
                // Each claim commits on its own: a conflict with another replica's claim of the
                // same row is retried by `run`, and then finds the row taken.
                let won = in_transaction(conn, |tx| {
                    tx.exec_drop(
                        sql::CLAIM_REMINDER,
                        params! {
                            "until" => until.timestamp(),
                            "id" => reminder.issuance.user_id.as_str(),
                            "hash" => &reminder.issuance.token_hash.0[..],
                            "now" => now.timestamp(),
                        },
                    )?;
                    Ok(tx.affected_rows() == 1)
                })?;
                if won {
                    claimed.push(reminder);
                }
            }
            Ok(claimed)
        })
        .await
    }

    async fn reminder_sent(&self, issuance: &Issuance) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.exec_drop(
                sql::REMINDER_SENT,
                params! { "id" => issuance.user_id.as_str(), "hash" => &issuance.token_hash.0[..] },
            )?;
            Ok(())
        })
        .await
    }
}

fn due(row: &mut Row) -> Result<DueReminder, StoreError> {
    let hash: Vec<u8> = col(row, 1)?;
    let token_hash =
        TokenHash(hash.try_into().map_err(|_| StoreError::Corrupt("a token hash is not 32 bytes".into()))?);
    let locale: Option<String> = col(row, 5)?;
    Ok(DueReminder {
        issuance: Issuance { user_id: user_id(&col::<String>(row, 0)?)?, token_hash },
        user_name: col(row, 2)?,
        to: col(row, 3)?,
        token_ct: col(row, 4)?,
        locale: locale.as_deref().and_then(Locale::parse),
        expires_at: timestamp(col(row, 6)?)?,
        authenticator_only: col::<i64>(row, 7)? != 0,
    })
}
