//! The webhook outbox in SQLite.
use super::SqliteStore;
use crate::domain::{Event, UserId};
use crate::store::records::outgoing;
use crate::store::{sql, Outbox, Outgoing, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::params;

/// Inside the transaction of the change it announces.
pub(super) fn insert(
    conn: &rusqlite::Connection,
    event: Event,
    user_id: &UserId,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    conn.execute(
        sql::INSERT_OUTGOING,
        params![event.as_str(), user_id.as_str(), at.timestamp(), now.timestamp_millis()],
    )?;
    Ok(())
}

#[async_trait]
impl Outbox for SqliteStore {
    async fn enqueue(
        &self,
        event: Event,
        user_id: &UserId,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let user_id = user_id.clone();
        self.run(move |conn| insert(conn, event, &user_id, at, now)).await
    }

    async fn claim_outgoing(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Outgoing>, StoreError> {
        // Most looks find nothing due: ask on the fast read path first, so polling takes no write
        // lock and leaves the record cache alone.
        let due = move |conn: &mut rusqlite::Connection| -> Result<bool, StoreError> {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM outbox
                                WHERE next_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1))",
                [now.timestamp_millis()],
                |row| row.get(0),
            )?)
        };
        if !self.read(move |conn| due(conn)).await? {
            return Ok(Vec::new());
        }
        self.run(move |conn| {
            let mut statement = conn.prepare(
                "UPDATE outbox SET claimed_until = ?2
                 WHERE id IN (SELECT id FROM outbox
                              WHERE next_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1)
                              ORDER BY id LIMIT ?3)
                 RETURNING id, event, user_id, at, attempts",
            )?;
            let rows = statement.query_map(
                params![now.timestamp_millis(), until.timestamp_millis(), limit],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )?;
            let mut claimed = Vec::new();
            for row in rows {
                let (id, event, user, at, attempts) = row?;
                claimed.extend(outgoing(id, &event, &user, at, attempts));
            }
            Ok(claimed)
        })
        .await
    }

    async fn forget_outgoing(&self, id: i64) -> Result<(), StoreError> {
        self.run(move |conn| Ok(conn.execute(sql::FORGET_OUTGOING, [id]).map(|_| ())?)).await
    }

    async fn retry_outgoing(&self, id: i64, attempts: u32, next_at: DateTime<Utc>) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.execute(sql::RETRY_OUTGOING, params![attempts, next_at.timestamp_millis(), id])?;
            Ok(())
        })
        .await
    }
}
