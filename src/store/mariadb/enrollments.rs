//! Enrollments outside the link flow in MariaDB's SQL: every write is one guarded statement (a
//! conflict between replicas is Galera's to detect and ours to retry), read back in the same
//! transaction where SQLite would use `RETURNING`.
use super::records::{col, insert_outgoing};
use super::{in_transaction, MariaStore};
use crate::domain::{Event, Locale};
use crate::store::enrollments::parse_kind;
use crate::store::records::{timestamp, user_id};
use crate::store::{sql, Enrollment, Enrollments, NewEnrollment, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mysql::prelude::Queryable;
use mysql::Row;

fn read_enrollment(mut row: Row) -> Result<Enrollment, StoreError> {
    let row = &mut row;
    Ok(Enrollment {
        id: col(row, 0)?,
        user_id: user_id(&col::<String>(row, 1)?)?,
        user_name: col(row, 2)?,
        kind: parse_kind(&col::<String>(row, 3)?)?,
        secret_ct: col(row, 4)?,
        token_ct: col(row, 5)?,
        token_expires_at: col::<Option<i64>>(row, 6)?.map(timestamp).transpose()?,
        receipt_ct: col(row, 7)?,
        locale: col::<Option<String>>(row, 8)?.as_deref().and_then(Locale::parse),
        code_failures: col(row, 9)?,
        created_at: timestamp(col(row, 10)?)?,
        expires_at: timestamp(col(row, 11)?)?,
    })
}

#[async_trait]
impl Enrollments for MariaStore {
    /// Two starts for one user at once: the second's insert meets the first's unique user_id (a
    /// duplicate key, or a Galera conflict) and is run again, replacing the first.
    async fn start_enrollment(&self, new: NewEnrollment) -> Result<(), StoreError> {
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(sql::DELETE_USERS_ENROLLMENT, (new.user_id.as_str(),))?;
                tx.exec_drop(
                    sql::START_ENROLLMENT,
                    (
                        new.id.as_str(),
                        new.user_id.as_str(),
                        new.user_name.as_str(),
                        new.kind.as_str(),
                        &new.secret_ct[..],
                        new.token_ct.as_deref(),
                        new.token_expires_at.map(|t| t.timestamp()),
                        new.receipt_ct.as_deref(),
                        new.locale.map(Locale::tag),
                        new.now.timestamp(),
                        new.expires_at.timestamp(),
                    ),
                )?;
                Ok(())
            })
        })
        .await
    }

    async fn enrollment(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Enrollment>, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            conn.exec_first::<Row, _, _>(sql::ENROLLMENT, (id.as_str(), now.timestamp()))?
                .map(read_enrollment)
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
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                tx.exec_drop(sql::CLAIM_ENROLLMENT_ATTEMPT, (id.as_str(), now.timestamp(), max))?;
                if tx.affected_rows() != 1 {
                    return Ok(None);
                }
                // The row stays locked by the update until the commit: this is our count.
                let count: Option<u32> =
                    tx.exec_first("SELECT code_failures FROM enrollments WHERE id = ?", (id.as_str(),))?;
                Ok(count)
            })
        })
        .await
    }

    async fn refund_enrollment_attempt(&self, id: &str) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| Ok(conn.exec_drop(sql::REFUND_ENROLLMENT_ATTEMPT, (id.as_str(),))?)).await
    }

    async fn lease_enrollment(
        &self,
        id: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            let args = (until.timestamp(), id.as_str(), now.timestamp(), now.timestamp());
            conn.exec_drop(sql::LEASE_ENROLLMENT, args)?;
            Ok(conn.affected_rows() == 1)
        })
        .await
    }

    async fn release_enrollment(&self, id: &str, until: DateTime<Utc>) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.run(move |conn| Ok(conn.exec_drop(sql::RELEASE_ENROLLMENT, (id.as_str(), until.timestamp()))?))
            .await
    }

    /// The read names the user for the event; the delete decides: of callers racing (on one
    /// node or several), only one deletes the row, and the others' retries find nothing.
    async fn finish_enrollment(
        &self,
        id: &str,
        event: Option<Event>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |conn| {
            in_transaction(conn, |tx| {
                let user: Option<String> =
                    tx.exec_first("SELECT user_id FROM enrollments WHERE id = ? FOR UPDATE", (id.as_str(),))?;
                let Some(user) = user else {
                    return Ok(false);
                };
                tx.exec_drop(sql::DELETE_ENROLLMENT, (id.as_str(),))?;
                if tx.affected_rows() != 1 {
                    return Ok(false);
                }
                if let Some(event) = event {
                    insert_outgoing(tx, event, &user_id(&user)?, now, now)?;
                }
                Ok(true)
            })
        })
        .await
    }

    async fn purge_enrollments(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.run(move |conn| {
            conn.exec_drop(sql::PURGE_ENROLLMENTS, (now.timestamp(), now.timestamp()))?;
            Ok(conn.affected_rows() as usize)
        })
        .await
    }
}
