//! The use cases: the admin's (issue, status, revoke a link) and the user's flow (open a link,
//! set the password or confirm the current one, enroll TOTP, continue after the operator
//! acted), the helpdesk request and the background jobs. Each takes `Deps` and answers `Error`;
//! none knows HTTP.
//!
//! Keystone work of the user's flow runs under a lease on the record, so two submissions of the
//! same form never both act.
pub mod admin;
mod cli_access;
mod confirm;
mod deps;
mod enroll;
mod enroll_code;
mod enroll_view;
mod error;
mod issue;
pub mod jobs;
mod lease;
mod mfa;
mod notices;
mod open;
mod outbox;
mod password;
mod password_rule;
mod pending;
mod recover;
mod recovery_codes;
mod refusals;
mod reminders;
mod reset;
mod resume;
mod totp;
mod view;

#[cfg(test)]
mod tests;

pub use crate::keystone::Project;
pub use cli_access::{
    cli_sign_in, create_cli_access, open_sign_in, seal_sign_in, CliAccess, CliChoice, CliSignIn, SignedIn,
};
pub use deps::{
    CliPolicy, Deps, MfaPolicy, PasswordBounds, Policy, RecoveryPolicy, SelfEnrollPolicy, TotpPolicy,
};
pub use enroll::{start_enrollment, EnrollInput, Started};
pub use enroll_code::{finish_enrollment, Finished};
pub use enroll_view::enrollment_totp;
pub use error::Error;
pub use issue::{issue, IssueRequest, Issued};
pub use open::{current, current_with_locale, link_locale, open};
pub use password::{submit_password, PasswordInput};
pub use password_rule::RuleCache;
pub use pending::PendingLogins;
pub use recover::{start_recovery, RecoverInput};
pub use reset::{forward_reset_request, ResetInput};
pub use resume::resume;
pub use totp::{submit_totp, TotpInput};
pub use view::{view, TotpView, View};

pub(crate) use lease::{with_lease, with_lease_raw};
pub(crate) use open::{after_pending_login, open_secret, reopen_at, Missing};
pub(crate) use refusals::{lock_out, locked, needs_operator, replaced_or, stage_conflict};
