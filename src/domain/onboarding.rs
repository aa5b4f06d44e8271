//! An onboarding record, its stages, and what an admin's PUT may do to it.
use super::UserId;
use chrono::{DateTime, Utc};

/// Where a user is in the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for PIN + new password (an authenticator-only link: PIN + current password).
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
    /// The link replaces the user's authenticator app and keeps their password: step 1 asks
    /// for the current password, and nothing changes in Keystone until a new app is confirmed.
    pub authenticator_only: bool,
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
    #[error("this user has completed onboarding; include a new password (or `\"authenticator_only\": true`) to start over")]
    AlreadyComplete,
    #[error("`password` and `\"authenticator_only\": true` exclude each other: an authenticator-only link keeps the user's password (the user confirms it at step 1); send one of them")]
    PasswordWithAuthenticatorOnly,
    #[error("an authenticator-only link needs TOTP enrollment, which is off on this service (totp.enabled = false)")]
    AuthenticatorOff,
}

/// What an admin's PUT brings: each field present or not (the values are the caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IssuePlan {
    pub has_pin: bool,
    pub has_password: bool,
    /// `"authenticator_only": true`: the link replaces the authenticator app, the password stays.
    pub authenticator_only: bool,
}

/// Decides what an admin's PUT does: create (needs a PIN, and a password or
/// `authenticator_only`) or renew (a fresh token, fresh expiry, attempts reset). A renewal that
/// starts over (brings a password, or makes the link authenticator-only) restarts at step 1 as
/// the kind it names; any other keeps the kind and the stage.
pub fn plan_issue(existing: Option<Stage>, put: IssuePlan) -> Result<(IssueKind, Stage), IssueError> {
    if put.has_password && put.authenticator_only {
        return Err(IssueError::PasswordWithAuthenticatorOnly);
    }
    let starts_over = put.has_password || put.authenticator_only;
    match existing {
        None => match (put.has_pin, starts_over) {
            (true, true) => Ok((IssueKind::Created, Stage::Password)),
            (false, true) => Err(IssueError::Missing("`pin`")),
            (true, false) => Err(IssueError::Missing("`password` (or `\"authenticator_only\": true`)")),
            (false, false) => {
                Err(IssueError::Missing("`pin` and `password` (or `\"authenticator_only\": true`)"))
            }
        },
        Some(_) if starts_over => Ok((IssueKind::Renewed, Stage::Password)),
        Some(Stage::Complete) => Err(IssueError::AlreadyComplete),
        Some(stage) => Ok((IssueKind::Renewed, stage)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn put(has_pin: bool, has_password: bool) -> IssuePlan {
        IssuePlan { has_pin, has_password, authenticator_only: false }
    }

    fn authenticator_only(has_pin: bool) -> IssuePlan {
        IssuePlan { has_pin, has_password: false, authenticator_only: true }
    }

    #[test]
    fn a_new_record_needs_a_pin_and_a_password_or_authenticator_only() {
        assert_eq!(plan_issue(None, put(true, true)), Ok((IssueKind::Created, Stage::Password)));
        assert_eq!(plan_issue(None, authenticator_only(true)), Ok((IssueKind::Created, Stage::Password)));
        assert_eq!(
            plan_issue(None, put(true, false)),
            Err(IssueError::Missing("`password` (or `\"authenticator_only\": true`)"))
        );
        assert_eq!(plan_issue(None, put(false, true)), Err(IssueError::Missing("`pin`")));
        assert_eq!(plan_issue(None, authenticator_only(false)), Err(IssueError::Missing("`pin`")));
        assert_eq!(
            plan_issue(None, put(false, false)),
            Err(IssueError::Missing("`pin` and `password` (or `\"authenticator_only\": true`)"))
        );
    }

    #[test]
    fn a_password_and_authenticator_only_together_are_refused() {
        let both = IssuePlan { has_pin: true, has_password: true, authenticator_only: true };
        assert_eq!(plan_issue(None, both), Err(IssueError::PasswordWithAuthenticatorOnly));
        assert_eq!(plan_issue(Some(Stage::Totp), both), Err(IssueError::PasswordWithAuthenticatorOnly));
    }

    #[test]
    fn an_empty_renewal_keeps_the_stage() {
        assert_eq!(plan_issue(Some(Stage::Totp), put(false, false)), Ok((IssueKind::Renewed, Stage::Totp)));
        assert_eq!(
            plan_issue(Some(Stage::Password), put(true, false)),
            Ok((IssueKind::Renewed, Stage::Password))
        );
    }

    #[test]
    fn a_renewal_that_starts_over_restarts_at_step_1() {
        for starts_over in [put(false, true), authenticator_only(false)] {
            for stage in [Stage::Totp, Stage::Complete] {
                assert_eq!(plan_issue(Some(stage), starts_over), Ok((IssueKind::Renewed, Stage::Password)));
            }
        }
    }

    #[test]
    fn a_completed_record_is_not_renewed_without_starting_over() {
        assert_eq!(plan_issue(Some(Stage::Complete), put(true, false)), Err(IssueError::AlreadyComplete));
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
            authenticator_only: false,
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
