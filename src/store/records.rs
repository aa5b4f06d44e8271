//! The values that cross the store interface: a link's issuance, the record the flow reads, what
//! the admin's PUT and the password step write.
use crate::domain::onboarding::IssuePlan;
use crate::domain::{Event, Locale, Onboarding, Stage, TokenHash, UserId};
use chrono::{DateTime, Utc};

/// One issuance of a link: the record as the admin's last PUT left it. Every transition of the
/// user's flow applies only to the issuance it started from (compare-and-set on the token hash,
/// which each PUT replaces), so a renewal or revoke is never overwritten by work in flight.
#[derive(Debug, Clone)]
pub struct Issuance {
    pub user_id: UserId,
    pub token_hash: TokenHash,
}

/// A record with the sealed secrets the flow needs (still sealed: the caller opens them).
#[derive(Clone)]
pub struct FlowRecord {
    pub record: Onboarding,
    /// The link it was read by.
    pub token_hash: TokenHash,
    pub user_name: String,
    pub pin_hash: String,
    pub password_ct: Option<Vec<u8>>,
    pub totp_secret_ct: Option<Vec<u8>>,
    pub user_token_ct: Option<Vec<u8>>,
    pub user_token_expires_at: Option<DateTime<Utc>>,
    pub mfa_receipt: bool,
    pub mfa_restore: Option<String>,
    /// The language the admin chose for the link.
    pub locale: Option<Locale>,
    /// Keystone's description of its password rule for the user's domain.
    pub password_rules: Option<String>,
}

/// What the password step leaves behind.
pub struct PasswordDone {
    pub next: Stage,
    pub totp_secret_ct: Option<Vec<u8>>,
    pub user_token_ct: Option<Vec<u8>>,
    pub user_token_expires_at: Option<DateTime<Utc>>,
    pub mfa_receipt: bool,
    pub now: DateTime<Utc>,
}

/// The PIN hash and the sealed secrets stay out of `Debug`.
impl std::fmt::Debug for FlowRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowRecord")
            .field("record", &self.record)
            .field("mfa_receipt", &self.mfa_receipt)
            .field("mfa_restore_pending", &self.mfa_restore.is_some())
            .finish_non_exhaustive()
    }
}

impl FlowRecord {
    pub fn issuance(&self) -> Issuance {
        Issuance { user_id: self.record.user_id.clone(), token_hash: self.token_hash.clone() }
    }
}

impl IssueWrite {
    /// What this write brings, for `plan_issue`.
    pub(super) fn plan(&self) -> IssuePlan {
        IssuePlan {
            has_pin: self.pin_hash.is_some(),
            has_password: self.password_ct.is_some(),
            authenticator_only: self.authenticator_only,
        }
    }
}

/// What an admin's PUT writes. `None` fields keep what the record has.
pub struct IssueWrite {
    pub user_id: UserId,
    pub token_hash: TokenHash,
    pub user_name: String,
    pub pin_hash: Option<String>,
    pub password_ct: Option<Vec<u8>>,
    /// The PUT makes the link authenticator-only (and starts over); false: a password makes it
    /// a password link, and neither keeps the kind the record has.
    pub authenticator_only: bool,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// `None` keeps the record's.
    pub locale: Option<Locale>,
    /// `None` keeps the record's.
    pub password_rules: Option<String>,
    /// The user's Keystone domain, for the admin's list; `None` keeps the record's.
    pub domain_id: Option<String>,
}

/// What `revoke` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoke {
    Done,
    NoRecord,
    /// setpass switched the user's MFA rules off and has not yet switched them back on.
    MfaOwed,
}

/// What the database said of the key check value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// None was stored yet: this key's is now.
    Stored,
    Matches,
    /// The database was written with another key.
    Differs,
}

pub(super) fn parse_stage(text: &str) -> Result<Stage, super::StoreError> {
    Stage::parse(text).ok_or_else(|| super::StoreError::Corrupt(format!("unknown stage `{text}`")))
}

pub(super) fn timestamp(secs: i64) -> Result<DateTime<Utc>, super::StoreError> {
    DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| super::StoreError::Corrupt(format!("timestamp {secs} out of range")))
}

pub(super) fn user_id(text: &str) -> Result<UserId, super::StoreError> {
    UserId::parse(text).map_err(|err| super::StoreError::Corrupt(err.0))
}

/// A webhook event waiting in the outbox, claimed by this process until its lease lapses.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub event: Event,
    pub user_id: UserId,
    pub at: DateTime<Utc>,
    /// Failed tries so far.
    pub attempts: u32,
}

pub(super) fn outgoing(
    id: i64,
    event: &str,
    user: &str,
    at: i64,
    attempts: u32,
) -> Result<Outgoing, super::StoreError> {
    let event =
        Event::parse(event).ok_or_else(|| super::StoreError::Corrupt(format!("unknown event `{event}`")))?;
    Ok(Outgoing { id, event, user_id: user_id(user)?, at: timestamp(at)?, attempts })
}
