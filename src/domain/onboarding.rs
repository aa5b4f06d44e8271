//! An onboarding record, its stages, and what an admin's PUT may do to it.
use super::UserId;
use chrono::{DateTime, Utc};

/// Where a user is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for PIN + new password.
    Password,
    /// Password set; waiting for the authenticator app to be enrolled.
    Totp,
    /// Done; no secrets remain.
    Complete,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Password => "password",
            Stage::Totp => "totp",
            Stage::Complete => "complete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "password" => Some(Stage::Password),
            "totp" => Some(Stage::Totp),
            "complete" => Some(Stage::Complete),
            _ => None,
        }
    }
}

/// A record as the admin sees it: no secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarding {
    pub user_id: UserId,
    pub stage: Stage,
    pub pin_failures: u32,
    pub totp_failures: u32,
    pub created_at: DateTime<Utc>,
    pub issued_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Onboarding {
    pub fn attempts_left(&self, max_attempts: u32) -> u32 {
        max_attempts.saturating_sub(self.pin_failures)
    }

    /// Too many wrong PINs, or too many wrong authenticator codes.
    pub fn is_locked(&self, limits: Limits) -> bool {
        self.pin_failures >= limits.max_pin_attempts || self.totp_failures >= limits.max_totp_attempts
    }

    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

/// How many wrong guesses a link survives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_pin_attempts: u32,
    pub max_totp_attempts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueKind {
    Created,
    Renewed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("a new onboarding record needs {0}")]
    Missing(&'static str),
    #[error("this user has completed onboarding; include a new password to start over")]
    AlreadyComplete,
}

/// Decides what an admin's PUT does: create (needs PIN and password) or renew (a fresh token,
/// fresh expiry, attempts reset). A renewal that brings a password restarts at the password step.
pub fn plan_issue(
    existing: Option<Stage>,
    has_pin: bool,
    has_password: bool,
) -> Result<(IssueKind, Stage), IssueError> {
    match existing {
        None => match (has_pin, has_password) {
            (true, true) => Ok((IssueKind::Created, Stage::Password)),
            (false, true) => Err(IssueError::Missing("`pin`")),
            (true, false) => Err(IssueError::Missing("`password`")),
            (false, false) => Err(IssueError::Missing("`pin` and `password`")),
        },
        Some(_) if has_password => Ok((IssueKind::Renewed, Stage::Password)),
        Some(Stage::Complete) => Err(IssueError::AlreadyComplete),
        Some(stage) => Ok((IssueKind::Renewed, stage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn a_new_record_needs_both_pin_and_password() {
        assert_eq!(plan_issue(None, true, true), Ok((IssueKind::Created, Stage::Password)));
        assert_eq!(plan_issue(None, true, false), Err(IssueError::Missing("`password`")));
        assert_eq!(plan_issue(None, false, true), Err(IssueError::Missing("`pin`")));
        assert_eq!(plan_issue(None, false, false), Err(IssueError::Missing("`pin` and `password`")));
    }

    #[test]
    fn an_empty_renewal_keeps_the_stage() {
        assert_eq!(plan_issue(Some(Stage::Totp), false, false), Ok((IssueKind::Renewed, Stage::Totp)));
        assert_eq!(plan_issue(Some(Stage::Password), true, false), Ok((IssueKind::Renewed, Stage::Password)));
    }

    #[test]
    fn a_renewal_with_a_password_restarts_at_the_password_step() {
        assert_eq!(plan_issue(Some(Stage::Totp), false, true), Ok((IssueKind::Renewed, Stage::Password)));
        assert_eq!(plan_issue(Some(Stage::Complete), false, true), Ok((IssueKind::Renewed, Stage::Password)));
    }

    #[test]
    fn a_completed_record_is_not_renewed_without_a_password() {
        assert_eq!(plan_issue(Some(Stage::Complete), true, false), Err(IssueError::AlreadyComplete));
    }

    #[test]
    fn expiry_and_lockout_follow_the_clock_and_the_counter() {
        let now = Utc::now();
        let record = Onboarding {
            user_id: UserId::parse("u1").unwrap(),
            stage: Stage::Password,
            pin_failures: 2,
            totp_failures: 0,
            created_at: now,
            issued_at: now,
            updated_at: now,
            expires_at: now + Duration::hours(24),
        };
        assert!(!record.is_expired(now + Duration::hours(23)));
        assert!(record.is_expired(now + Duration::hours(24)));
        assert_eq!(record.attempts_left(3), 1);
        let limits = |pin, totp| Limits { max_pin_attempts: pin, max_totp_attempts: totp };
        assert!(!record.is_locked(limits(3, 10)));
        assert!(record.is_locked(limits(2, 10)));
        assert!(record.is_locked(limits(3, 0)));
        assert_eq!(record.attempts_left(1), 0);
    }
}
