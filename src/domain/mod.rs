//! The onboarding rules and the value types they trust, parsed once at the edge.
pub mod admin;
pub mod cli_access;
mod email;
mod event;
mod locale;
pub mod onboarding;
mod password;
mod pin;
mod refusal;
mod token;
pub mod totp;
mod user_id;

pub use email::EmailAddress;
pub use event::Event;
pub use locale::Locale;
pub use onboarding::{IssueKind, Limits, Onboarding, Stage};
pub use password::Password;
pub use pin::{Pin, PinPolicy};
pub use refusal::{Field, Refusal};
pub use token::{OneTimeToken, TokenHash};
pub use totp::{CodeCheck, TotpSecret};
pub use user_id::UserId;

/// A value from a caller that does not have the required shape; the message is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Invalid(pub String);

#[cfg(test)]
mod props;
