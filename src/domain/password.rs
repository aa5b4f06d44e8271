//! A Keystone password in transit: never printed, wiped from memory on drop.
use super::Invalid;
use secrecy::{ExposeSecret, SecretString};

pub struct Password(SecretString);

impl Password {
    /// Keystone refuses passwords longer than this (`[identity] max_password_length`, default 4096).
    pub const MAX_BYTES: usize = 4096;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid("the password is empty".into()));
        }
        if raw.len() > Self::MAX_BYTES {
            return Err(Invalid(format!("the password is longer than {} bytes", Self::MAX_BYTES)));
        }
        if raw.chars().any(char::is_control) {
            return Err(Invalid("the password contains control characters".into()));
        }
        Ok(Self(SecretString::from(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_huge_and_control_character_passwords_are_refused() {
        assert!(Password::parse("").is_err());
        assert!(Password::parse(&"x".repeat(4097)).is_err());
        assert!(Password::parse("abc\u{0}def").is_err());
        assert!(Password::parse("ok pass wörd 1").is_ok());
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Password::parse("hunter2").unwrap()), "Password([redacted])");
    }
}
