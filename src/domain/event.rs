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
    /// The user enrolled an authenticator outside the link flow (self-enrollment).
    Enrolled,
    /// The user got back in with a recovery code and enrolled a new authenticator.
    Recovered,
}

impl Event {
    pub const ALL: [Event; 5] =
        [Event::Completed, Event::Locked, Event::Expired, Event::Enrolled, Event::Recovered];

    /// The name stored in the outbox and sent in the webhook's body.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Completed => "completed",
            Event::Locked => "locked",
            Event::Expired => "expired",
            Event::Enrolled => "enrolled",
            Event::Recovered => "recovered",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|event| event.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::Event;

    #[test]
    fn every_event_reads_back_from_its_name_and_the_webhook_sends_that_name() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.as_str()), Some(event));
            assert_eq!(serde_json::to_value(event).unwrap(), event.as_str());
        }
        assert_eq!(Event::parse("enrolled"), Some(Event::Enrolled));
        assert_eq!(Event::parse("recovered"), Some(Event::Recovered));
        assert_eq!(Event::parse("Completed"), None);
    }
}
