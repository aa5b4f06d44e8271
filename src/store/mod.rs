//! The store interface, in domain types: what the use cases may ask of the database, with one
//! implementation per database (`sqlite/`, and `mariadb/` for replicas sharing one).
//!
//! The interface comes in eight parts by topic (records, the user's flow, notices, reminders, the outbox,
//! enrollments outside the link flow, recovery codes, health) so that each backend keeps its SQL
//! in one file per topic; `Store` is all eight, and use cases hold an `Arc<dyn Store>`. The SQL
//! both dialects accept is written once (`sql`); `contract` is the one suite every backend must
//! pass.
#[cfg(test)]
mod contract;
mod enrollments;
mod listing;
mod mariadb;
mod records;
mod sql;
mod sqlite;

pub use enrollments::{EnrollKind, Enrollment, NewEnrollment};
pub use listing::{DueReminder, ListQuery, Listed, ReminderPlan};
pub use mariadb::{inspect as inspect_shared, MariaStore, SharedInspection};
pub use records::{FlowRecord, Issuance, IssueWrite, KeyCheck, Outgoing, PasswordDone, Revoke};
pub use sqlite::{inspect, Inspection, SqliteStore};

#[cfg(test)]
pub(crate) use sqlite::open_temp;

use crate::domain::onboarding::IssueError;
use crate::domain::{Event, IssueKind, Limits, Onboarding, Stage, TokenHash, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Mysql(#[from] mysql::Error),
    #[error("database pool error: {0}")]
    Pool(#[from] r2d2::Error),
    /// Deadlocks or cluster (Galera) certification conflicts, every time it was tried.
    #[error("the database refused the transaction {tries} times (deadlock or cluster conflict)")]
    Contended { tries: u32 },
    /// The database cannot serve now: unreachable, or a Galera node outside the Primary
    /// component. Try again shortly.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Box<StoreError>),
    #[error("database task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("the database is at schema version {found}, newer than this setpass knows ({known}); run a newer setpass or restore a backup")]
    TooNew { found: i64, known: i64 },
    #[error("the database holds a value this setpass does not understand: {0}")]
    Corrupt(String),
    #[error("another replica held the migration lease for over two minutes, or took it over: is a replica stuck migrating?")]
    MigrationLock,
    #[error("cannot create the database file: {0}")]
    Io(#[from] std::io::Error),
}

/// Everything the service asks of its database.
pub trait Store:
    Records + Flow + Notices + Reminders + Outbox + Enrollments + RecoveryCodes + Health
{
}
impl<T: Records + Flow + Notices + Reminders + Outbox + Enrollments + RecoveryCodes + Health + ?Sized> Store
    for T
{
}

/// The admin's side: one record per Keystone user.
#[async_trait]
pub trait Records: Send + Sync {
    async fn find(&self, user_id: &UserId) -> Result<Option<Onboarding>, StoreError>;

    /// Creates or renews the record in one transaction, so concurrent PUTs for the same user
    /// cannot both create it. The old token hash is overwritten: the old link dies at once.
    async fn issue(&self, write: IssueWrite) -> Result<Result<IssueKind, IssueError>, StoreError>;

    /// One page of the admin's list, in user id order.
    async fn list(&self, query: ListQuery) -> Result<Vec<Listed>, StoreError>;

    /// Unexpired records, counted by stage.
    async fn open_records_by_stage(&self, now: DateTime<Utc>) -> Result<Vec<(Stage, i64)>, StoreError>;

    /// Deletes the record, unless the user is still owed their MFA rules (deleting it would lose
    /// them); see `Revoke`.
    async fn revoke(&self, user_id: &UserId) -> Result<Revoke, StoreError>;

    /// Deletes records that expired before `cutoff` (never one that owes MFA rules); returns
    /// how many.
    async fn purge_expired(&self, cutoff: DateTime<Utc>) -> Result<usize, StoreError>;
}

/// The user's flow. Every write names the `Issuance` it started from and does nothing (answers
/// false) when the admin renewed or revoked meanwhile.
#[async_trait]
pub trait Flow: Send + Sync {
    /// The record and its sealed secrets, by the link's token hash.
    async fn flow_by_token(&self, hash: &TokenHash) -> Result<Option<FlowRecord>, StoreError>;

    /// Counts an attempt (a PIN at the password stage, a code at the TOTP stage) before it is
    /// checked, atomically: however many guesses arrive at once, no more than the limit are
    /// ever checked. The failures counted at `stage`, this one included; `None`: the record is
    /// not at `stage` or not of this issuance, expired, or locked.
    async fn claim_attempt(
        &self,
        issuance: &Issuance,
        stage: Stage,
        limits: Limits,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError>;

    /// Gives back an attempt that turned out right.
    async fn refund_attempt(&self, issuance: &Issuance, stage: Stage) -> Result<(), StoreError>;

    /// Takes the record for Keystone work until `until`; false while another request holds it.
    async fn acquire_lease(
        &self,
        user_id: &UserId,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease back, if it is still the one taken until `until` (a lease that lapsed and
    /// was taken by another request is theirs).
    async fn release_lease(&self, user_id: &UserId, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Password set: drop the admin's password, keep what the TOTP step needs. False if the
    /// record had already left the password stage or was renewed.
    async fn finish_password_step(&self, issuance: &Issuance, done: PasswordDone)
        -> Result<bool, StoreError>;

    /// Saves the MFA options owed back to the user, before they are switched off in Keystone.
    /// False if the record is gone, or already owes options (those must go back first).
    async fn save_mfa_owed(&self, user_id: &UserId, options_json: String) -> Result<bool, StoreError>;

    /// The options are back on in Keystone: forget them.
    async fn clear_mfa_owed(&self, user_id: &UserId) -> Result<(), StoreError>;

    /// The MFA options owed back to the user (saved before setpass switched them off), if any.
    async fn mfa_owed(&self, user_id: &UserId) -> Result<Option<String>, StoreError>;

    /// Every user owed their MFA options back.
    async fn users_owed_mfa(&self) -> Result<Vec<UserId>, StoreError>;

    /// A fresh user token (after the user typed their password again on the TOTP page).
    async fn store_user_token(
        &self,
        issuance: &Issuance,
        token_ct: Option<Vec<u8>>,
        expires_at: Option<DateTime<Utc>>,
        mfa_receipt: bool,
    ) -> Result<bool, StoreError>;

    /// Done: no secret is left in the record, and the link only shows "already complete".
    /// Never while MFA options are owed: false then (and if the record is gone or renewed).
    /// `announce`: the `completed` event goes to the outbox in the same transaction.
    async fn complete(
        &self,
        issuance: &Issuance,
        now: DateTime<Utc>,
        announce: bool,
    ) -> Result<bool, StoreError>;
}

/// What the notices read: expiries to announce, records by user name.
#[async_trait]
pub trait Notices: Send + Sync {
    /// Marks, and returns with their expiry, the unfinished records whose link has expired and
    /// was not announced yet. A renewal moves `expires_at` past the mark, so each expiry of a
    /// record is returned once, across processes sharing the database. `announce`: each goes
    /// to the outbox as an `expired` event in the same transaction.
    async fn mark_expired(
        &self,
        now: DateTime<Utc>,
        announce: bool,
    ) -> Result<Vec<(UserId, DateTime<Utc>)>, StoreError>;

    /// The user ids and PIN hashes of the records of Keystone users with this name (any case).
    async fn records_named(&self, user_name: &str) -> Result<Vec<(UserId, String)>, StoreError>;
}

/// One reminder per mailed issuance, before the link expires, sent by whichever process claims it.
#[async_trait]
pub trait Reminders: Send + Sync {
    /// Schedules the reminder of this issuance (nothing if it was renewed or revoked meanwhile).
    async fn schedule_reminder(&self, issuance: &Issuance, plan: ReminderPlan) -> Result<(), StoreError>;

    /// Drops the reminders that can no longer be sent, then claims up to `limit` due ones until
    /// `until` (another process may take one whose claim lapsed: its mail was not sent).
    async fn claim_reminders(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: Limits,
        limit: u32,
    ) -> Result<Vec<DueReminder>, StoreError>;

    /// The reminder of this issuance was mailed: it is never sent again, and its sealed token goes.
    async fn reminder_sent(&self, issuance: &Issuance) -> Result<(), StoreError>;
}

/// Webhook events waiting for delivery: durable, delivered by any process, with backoff.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Puts an event in the outbox, due now.
    async fn enqueue(
        &self,
        event: Event,
        user_id: &UserId,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Claims up to `limit` due events until `until` (another process may take them after).
    async fn claim_outgoing(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<Outgoing>, StoreError>;

    /// Delivered, or given up on: gone.
    async fn forget_outgoing(&self, id: i64) -> Result<(), StoreError>;

    /// Failed once more: due again at `next_at`, claimable by anyone then.
    async fn retry_outgoing(&self, id: i64, attempts: u32, next_at: DateTime<Utc>) -> Result<(), StoreError>;
}

/// Enrollments outside the link flow (self-enrollment, recovery), between the QR code and the
/// user's code, so that any replica can finish one. One open enrollment per user.
#[async_trait]
pub trait Enrollments: Send + Sync {
    /// Starts one; an open enrollment of the same user is replaced (its id no longer finds anything).
    async fn start_enrollment(&self, new: NewEnrollment) -> Result<(), StoreError>;

    /// By id, if it exists and has not expired at `now`.
    async fn enrollment(&self, id: &str, now: DateTime<Utc>) -> Result<Option<Enrollment>, StoreError>;

    /// Counts a code attempt before it is checked, atomically (as `Flow::claim_attempt`): the
    /// failures counted, this one included; `None` when gone, expired, or already at `max`.
    async fn claim_enrollment_attempt(
        &self,
        id: &str,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError>;

    /// Gives back an attempt that turned out right (never below zero).
    async fn refund_enrollment_attempt(&self, id: &str) -> Result<(), StoreError>;

    /// Takes the enrollment for Keystone work until `until`; false while another request holds
    /// it, or when it is gone or expired at `now`.
    async fn lease_enrollment(
        &self,
        id: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives the lease back if it is still the one taken until `until`.
    async fn release_enrollment(&self, id: &str, until: DateTime<Utc>) -> Result<(), StoreError>;

    /// Done: deletes it (expired or not: the Keystone work under the lease may end after the
    /// expiry), and with `event` puts that event for the user in the outbox in the same
    /// transaction. False (and nothing written) when it was already gone: exactly one caller wins.
    async fn finish_enrollment(
        &self,
        id: &str,
        event: Option<Event>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Deletes enrollments expired before `now`, except one under an unlapsed lease (its
    /// Keystone work is still to be finished); how many.
    async fn purge_enrollments(&self, now: DateTime<Utc>) -> Result<usize, StoreError>;
}

/// One-time recovery codes: argon2id hashes per Keystone user (their own table, never purged
/// with links), one set at a time, and the count of wrong codes that locks recovery for a while.
#[async_trait]
pub trait RecoveryCodes: Send + Sync {
    /// Replaces the user's set with these hashes (the old codes die), in one transaction.
    async fn replace_recovery_codes(
        &self,
        user_id: &UserId,
        hashes: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// The user's unused codes: (id, hash), oldest first. Ids are never reused.
    async fn recovery_codes(&self, user_id: &UserId) -> Result<Vec<(i64, String)>, StoreError>;

    /// Uses a code up; true for exactly one caller however many try at once.
    async fn use_recovery_code(
        &self,
        user_id: &UserId,
        code_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Counts a recovery attempt before it is checked: `Some(failures so far, this one included)`
    /// if allowed (never more than `max`); `None` while locked. Reaching `max` locks until
    /// `now + lockout`; once that lapses counting starts over.
    async fn claim_recovery_attempt(
        &self,
        user_id: &UserId,
        max: u32,
        lockout: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<u32>, StoreError>;

    /// A right code: the count goes back to zero, and a lock set by this attempt goes.
    async fn clear_recovery_attempts(&self, user_id: &UserId) -> Result<(), StoreError>;
}

/// For readiness and startup.
#[async_trait]
pub trait Health: Send + Sync {
    /// The database answers a trivial query.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Stores `check` (derived from the encryption key) if the database has none, else
    /// compares: a process with another key must not start.
    async fn check_key(&self, check: Vec<u8>) -> Result<KeyCheck, StoreError>;
}
