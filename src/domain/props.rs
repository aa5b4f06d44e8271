//! Property tests: every parser at the edge takes any input without panicking, and what it
//! accepts has the shape the rest of the code trusts.
use super::totp::parse_code;
use super::{OneTimeToken, Password, Pin, PinPolicy, UserId};
use proptest::prelude::*;

const FOUR: PinPolicy = PinPolicy { min_digits: 4, max_digits: 4 };

proptest! {
    #[test]
    fn user_ids_are_accepted_exactly_when_short_and_plain(raw in "\\PC{0,80}") {
        let plain = !raw.is_empty()
            && raw != "."
            && raw != ".."
            && raw.len() <= 64
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || "-_.@".contains(c));
        prop_assert_eq!(UserId::parse(&raw).is_ok(), plain);
    }

    #[test]
    fn any_id_of_the_allowed_alphabet_is_accepted(raw in "[a-zA-Z0-9._@-]{1,64}") {
        prop_assume!(raw != "." && raw != "..");
        let id = UserId::parse(&raw).unwrap();
        prop_assert_eq!(id.as_str(), raw.as_str());
    }

    #[test]
    fn pins_are_accepted_exactly_when_four_ascii_digits(raw in "\\PC{0,10}") {
        let valid = raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit());
        prop_assert_eq!(Pin::parse(&raw, FOUR).is_ok(), valid);
    }

    #[test]
    fn tokens_never_panic_and_accepted_ones_are_url_safe(raw in "\\PC{0,200}") {
        if let Ok(token) = OneTimeToken::parse(&raw) {
            prop_assert!(token.expose().bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            prop_assert!((16..=128).contains(&token.expose().len()));
        }
    }

    #[test]
    fn codes_are_six_digits_once_accepted(raw in "\\PC{0,20}") {
        if let Ok(code) = parse_code(&raw) {
            prop_assert_eq!(code.len(), 6);
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn accepted_passwords_have_no_control_characters(raw in "\\PC{0,50}|[\\x00-\\x1f]{1,5}") {
        if let Ok(password) = Password::parse(&raw) {
            prop_assert!(!password.expose().is_empty());
            prop_assert!(!password.expose().chars().any(char::is_control));
        }
    }
}

#[test]
fn generated_tokens_always_parse() {
    for _ in 0..1000 {
        let token = OneTimeToken::generate();
        assert!(OneTimeToken::parse(token.expose()).is_ok());
    }
}
