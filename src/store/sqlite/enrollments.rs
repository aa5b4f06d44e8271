//! Enrollments outside the link flow in SQLite: one per user, an atomic code counter, a lease,
//! and a finish that one caller wins.
use super::records::timestamp;
use super::SqliteStore;
use crate::domain::{Event, Locale};
use crate::store::enrollments::parse_kind;
use crate::store::records::user_id;
use crate::store::{sql, Enrollment, Enrollments, NewEnrollment, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};

fn read_enrollment(row: &Row<'_>) -> Result<Enrollment, StoreError> {
    Ok(Enrollment {
        id: row.get(0)?,
        user_id: user_id(&row.get::<_, String>(1)?)?,
        user_name: row.get(2)?,
        kind: parse_kind(&row.get::<_, String>(3)?)?,
        secret_ct: row.get(4)?,
        token_ct: row.get(5)?,
        token_expires_at: row.get::<_, Option<i64>>(6)?.map(timestamp).transpose()?,
        receipt_ct: row.get(7)?,
        locale: row.get::<_, Option<String>>(8)?.as_deref().and_then(Locale::parse),
        code_failures: row.get(9)?,
        created_at: timestamp(row.get(10)?)?,
        expires_at: timestamp(row.get(11)?)?,
    })
}

#[async_trait]
impl Enrollments for SqliteStore {
    async fn start_enrollment(&self, new: NewEnrollment) -> Result<(), StoreError> {
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(sql::DELETE_USERS_ENROLLMENT, [new.user_id.as_str()])?;
            tx.execute(
                sql::START_ENROLLMENT,
                params![
                    new.id,
                    new.user_id.as_str(),
                    new.user_name,
                    new.kind.as_str(),
                    new.secret_ct,
                    new.token_ct,
                    new.token_expires_at.map(|t| t.timestamp()),
                    new.receipt_ct,
                    new.locale.map(Locale::tag),
                    new.now.timestamp(),
                    new.expires_at.timestamp(),
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn enrollment(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Enrollment>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(sql::ENROLLMENT)?
                .query_row(params![id, now.timestamp()], |row| Ok(read_enrollment(row)))
                .optional()?
                .transpose()
        })
        .await
    }

    async fn claim_enrollment_attempt(
        &self,
        id: &str,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError> {
        let id = id.to_owned();
        let claim = format!("{} RETURNING code_failures", sql::CLAIM_ENROLLMENT_ATTEMPT);
        self.run(move |conn| {
            let args = params![id, now.timestamp(), max];
            Ok(conn.prepare_cached(&claim)?.query_row(args, |row| row.get(0)).optional()?)
        })
        .await
    }

    async fn refund_enrollment_attempt(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| Ok(conn.execute(sql::REFUND_ENROLLMENT_ATTEMPT, [id]).map(|_| ())?)).await
    }

    async fn lease_enrollment(
        &self,
        id: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            let args = params![until.timestamp(), id, now.timestamp(), now.timestamp()];
            Ok(conn.execute(sql::LEASE_ENROLLMENT, args)? == 1)
        })
        .await
    }

    async fn release_enrollment(&self, id: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            Ok(conn.execute(sql::RELEASE_ENROLLMENT, params![id, until.timestamp()]).map(|_| ())?)
        })
        .await
    }

    async fn finish_enrollment(
        &self,
        id: &str,
        event: Option<Event>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let finish = format!("{} RETURNING user_id", sql::DELETE_ENROLLMENT);
            let deleted: Option<String> = tx.query_row(&finish, [&id], |row| row.get(0)).optional()?;
            let Some(user) = deleted else {
                return Ok(false);
            };
            if let Some(event) = event {
                super::outbox::insert(&tx, event, &user_id(&user)?, now, now)?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    async fn purge_enrollments(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(move |conn| {
            Ok(conn.execute(sql::PURGE_ENROLLMENTS, params![now.timestamp(), now.timestamp()])?)
        })
        .await
    }
}
