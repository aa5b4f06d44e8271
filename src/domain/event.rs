//! What a registration system is told about a user's onboarding (the webhook's events).
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Event {
    /// The user finished onboarding (password, and the authenticator when TOTP is on).
    Completed,
    /// Too many wrong PINs or codes: the link is locked until the admin renews it.
    Locked,
    /// The link expired before the user finished.
    Expired,
}

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Completed => "completed",
            Event::Locked => "locked",
            Event::Expired => "expired",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        [Event::Completed, Event::Locked, Event::Expired].into_iter().find(|event| event.as_str() == text)
    }
}
