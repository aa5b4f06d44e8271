//! The "forgot my password" request: input checked at once, then, in the background, the PIN
//! checked against setpass's own records and the request mailed to the helpdesk. The person
//! asking learns nothing either way: the PIN's verdict goes to the helpdesk only.
use super::Deps;
use crate::domain::{EmailAddress, Pin, PinPolicy, Refusal};
use crate::notify::{in_words, ResetRequest};

const MAX_NAME: usize = 200;

/// What the reset form sent, in the shape the request needs. `Debug` never shows the PIN.
#[derive(Debug)]
pub struct ResetInput {
    pub name: String,
    pub email: EmailAddress,
    pub pin: Pin,
}

impl ResetInput {
    /// The messages are for the person at the form.
    pub fn parse(
        name: &str,
        email: &str,
        confirm_email: &str,
        pin: &str,
        policy: PinPolicy,
    ) -> Result<Self, Refusal> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Refusal::NameMissing);
        }
        if name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(Refusal::NameUnusable { max: MAX_NAME });
        }
        if email.trim().is_empty() {
            return Err(Refusal::EmailMissing);
        }
        let email = EmailAddress::parse(email).map_err(|_| Refusal::EmailMalformed)?;
        if !confirm_email.trim().eq_ignore_ascii_case(email.as_str()) {
            return Err(Refusal::EmailsDiffer);
        }
        let pin = Pin::parse(pin, policy)
            .map_err(|_| Refusal::PinMalformed { min: policy.min_digits, max: policy.max_digits })?;
        Ok(Self { name: name.to_owned(), email, pin })
    }
}

/// Checks the PIN and mails the helpdesk; failures are logged (nobody is waiting for them).
pub async fn forward_reset_request(deps: &Deps, input: ResetInput) {
    let Some(mailer) = deps.notifier.mailer().filter(|m| m.takes_reset_requests()) else { return };
    let requested_at = deps.clock.now();
    let pin_check = check_pin(deps, &input).await;
    let request = ResetRequest { name: input.name, email: input.email, pin_check, requested_at };
    match mailer.send_reset(&request).await {
        Ok(()) => log::info!("forwarded a password reset request to the helpdesk"),
        Err(err) => log::error!(
            "mailing a password reset request to the helpdesk failed: {}",
            crate::cause::chain(&err)
        ),
    }
}

/// The verdict for the helpdesk: does the PIN match an onboarding record of a Keystone user
/// whose name is the email address given (clouds that name users by their address)?
async fn check_pin(deps: &Deps, input: &ResetInput) -> String {
    let records = match deps.store.records_named(input.email.as_str()).await {
        Ok(records) => records,
        Err(err) => {
            log::error!("looking up a reset request's records failed: {err}");
            return "could not be checked (database error; see the service log)".into();
        }
    };
    if records.is_empty() {
        return format!(
            "not checked: setpass has no onboarding record of a Keystone user named {} (records are deleted {} after their link expires)",
            input.email,
            in_words(deps.policy.retention.num_seconds().max(0) as u64)
        );
    }
    let mut checked = Vec::new();
    for (user_id, pin_hash) in records {
        match deps.hasher.verify(input.pin.expose().as_bytes(), &pin_hash).await {
            Ok(true) => {
                return format!("matches the PIN of the onboarding record of Keystone user id {user_id}")
            }
            Ok(false) => checked.push(user_id.to_string()),
            Err(err) => log::error!("checking a reset request's PIN for user {user_id} failed: {err}"),
        }
    }
    if checked.is_empty() {
        return "could not be checked (see the service log)".into();
    }
    format!("does NOT match the PIN of the onboarding record of Keystone user id {}", checked.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: PinPolicy = PinPolicy { min_digits: 4, max_digits: 4 };

    fn parse(name: &str, email: &str, confirm: &str, pin: &str) -> Result<ResetInput, Refusal> {
        ResetInput::parse(name, email, confirm, pin, POLICY)
    }

    #[test]
    fn a_complete_request_is_accepted() {
        let input = parse(" Ada Lovelace ", "ada@example.com", "ADA@example.com ", "1234").unwrap();
        assert_eq!((input.name.as_str(), input.email.as_str()), ("Ada Lovelace", "ada@example.com"));
    }

    #[test]
    fn each_mistake_gets_its_own_refusal() {
        assert_eq!(parse("", "a@example.com", "a@example.com", "1234").unwrap_err(), Refusal::NameMissing);
        assert_eq!(parse("Ada", "nope", "nope", "1234").unwrap_err(), Refusal::EmailMalformed);
        assert_eq!(
            parse("Ada", "a@example.com", "b@example.com", "1234").unwrap_err(),
            Refusal::EmailsDiffer
        );
        assert_eq!(
            parse("Ada", "a@example.com", "a@example.com", "12").unwrap_err(),
            Refusal::PinMalformed { min: 4, max: 4 }
        );
        assert_eq!(
            parse("A\u{7}da", "a@example.com", "a@example.com", "1234").unwrap_err(),
            Refusal::NameUnusable { max: 200 }
        );
    }

    #[test]
    fn debug_output_hides_the_pin() {
        let input = parse("Ada", "ada@example.com", "ada@example.com", "8642").unwrap();
        assert!(!format!("{input:?}").contains("8642"));
    }
}
