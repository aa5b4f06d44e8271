//! The values of the admin's list of links and of the link reminders: what a page of the list
//! asks for and gets, and a reminder due to be mailed.
use crate::domain::{Limits, Locale, Onboarding, Stage, UserId};
use crate::store::Issuance;
use chrono::{DateTime, Utc};

/// One page of the admin's list, in user id order. `None` filters match every record.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub stage: Option<Stage>,
    pub expired: Option<bool>,
    pub locked: Option<bool>,
    pub domain_id: Option<String>,
    /// The page starts after this user id (Keystone's `marker`).
    pub after: Option<UserId>,
    pub limit: u32,
    pub now: DateTime<Utc>,
    pub limits: Limits,
}

/// A record as the list shows it (never a secret).
#[derive(Debug, Clone)]
pub struct Listed {
    pub record: Onboarding,
    pub user_name: String,
    /// `None` for records written before the domain was kept, until their next renewal.
    pub domain_id: Option<String>,
    pub mfa_restore_pending: bool,
}

/// A reminder of one mailed issuance, claimed by this process until its claim lapses.
pub struct DueReminder {
    pub issuance: Issuance,
    pub user_name: String,
    /// The address the link was mailed to.
    pub to: String,
    /// The link's token, sealed with `Purpose::Reminder` for the record's user.
    pub token_ct: Vec<u8>,
    pub locale: Option<Locale>,
    pub expires_at: DateTime<Utc>,
    pub authenticator_only: bool,
}

/// The sealed token stays out of `Debug`.
impl std::fmt::Debug for DueReminder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DueReminder")
            .field("user_id", &self.issuance.user_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What `schedule_reminder` writes for one issuance.
pub struct ReminderPlan {
    pub to: String,
    pub due_at: DateTime<Utc>,
    pub token_ct: Vec<u8>,
}
