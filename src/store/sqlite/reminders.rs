//! Link reminders in SQLite: scheduled by the PUT that mailed the link, claimed by the job.
use super::SqliteStore;
use crate::domain::{Limits, Locale, TokenHash};
use crate::store::records::{timestamp, user_id};
use crate::store::{sql, DueReminder, Issuance, ReminderPlan, Reminders, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{named_params, TransactionBehavior};

#[async_trait]
impl Reminders for SqliteStore {
    async fn schedule_reminder(&self, issuance: &Issuance, plan: ReminderPlan) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.execute(
                sql::SCHEDULE_REMINDER,
                named_params! {
                    ":to": plan.to,
                    ":at": plan.due_at.timestamp(),
                    ":ct": plan.token_ct,
                    ":id": issuance.user_id.as_str(),
                    ":hash": &issuance.token_hash.0[..],
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
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(sql::DROP_STALE_REMINDERS, named_params! { ":now": now.timestamp() })?;
            let mut due = Vec::new();
            {
                let mut statement = tx.prepare(sql::DUE_REMINDERS)?;
                let mut rows = statement.query(named_params! {
                    ":now": now.timestamp(),
                    ":maxpin": limits.max_pin_attempts,
                    ":maxtotp": limits.max_totp_attempts,
                    ":limit": limit,
                })?;
                while let Some(row) = rows.next()? {
                    let hash: Vec<u8> = row.get(1)?;
                    let token_hash = TokenHash(
                        hash.try_into()
                            .map_err(|_| StoreError::Corrupt("a token hash is not 32 bytes".into()))?,
                    );
                    let locale: Option<String> = row.get(5)?;
                    due.push(DueReminder {
                        issuance: Issuance { user_id: user_id(&row.get::<_, String>(0)?)?, token_hash },
                        user_name: row.get(2)?,
                        to: row.get(3)?,
                        token_ct: row.get(4)?,
                        locale: locale.as_deref().and_then(Locale::parse),
                        expires_at: timestamp(row.get(6)?)?,
                        authenticator_only: row.get::<_, i64>(7)? != 0,
                    });
                }
            }
            for reminder in &due {
                tx.execute(
                    sql::CLAIM_REMINDER,
                    named_params! {
                        ":until": until.timestamp(),
                        ":id": reminder.issuance.user_id.as_str(),
                        ":hash": &reminder.issuance.token_hash.0[..],
                        ":now": now.timestamp(),
                    },
                )?;
            }
            tx.commit()?;
            Ok(due)
        })
        .await
    }

    async fn reminder_sent(&self, issuance: &Issuance) -> Result<(), StoreError> {
        let issuance = issuance.clone();
        self.run(move |conn| {
            conn.execute(
                sql::REMINDER_SENT,
                named_params! { ":id": issuance.user_id.as_str(), ":hash": &issuance.token_hash.0[..] },
            )?;
            Ok(())
        })
        .await
    }
}
