//! The user's PIN: digits only, length set by the operator (4 to 8).
use super::Invalid;
use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PinPolicy {
    pub min_digits: usize,
    pub max_digits: usize,
}

impl PinPolicy {
    fn describe(&self) -> String {
        if self.min_digits == self.max_digits {
            format!("exactly {} digits", self.min_digits)
        } else {
            format!("{} to {} digits", self.min_digits, self.max_digits)
        }
    }
}

/// A PIN in the configured format. `Debug` never shows it.
pub struct Pin(SecretString);

impl Pin {
    pub fn parse(raw: &str, policy: PinPolicy) -> Result<Self, Invalid> {
        let digits_only = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
        let len = raw.len();
        if !digits_only || len < policy.min_digits || len > policy.max_digits {
            return Err(Invalid(format!("the PIN must be {}", policy.describe())));
        }
        Ok(Self(SecretString::from(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOUR: PinPolicy = PinPolicy { min_digits: 4, max_digits: 4 };

    #[test]
    fn a_four_digit_pin_is_accepted_by_default() {
        assert_eq!(Pin::parse("0123", FOUR).unwrap().expose(), "0123");
    }

    #[test]
    fn pins_of_the_wrong_shape_are_refused_with_the_rule() {
        for bad in ["", "123", "12345", "12a4", " 1234", "１２３４", "-123"] {
            let err = Pin::parse(bad, FOUR).unwrap_err();
            assert_eq!(err.0, "the PIN must be exactly 4 digits", "{bad:?}");
        }
    }

    #[test]
    fn a_range_policy_accepts_lengths_within_it() {
        let policy = PinPolicy { min_digits: 4, max_digits: 8 };
        assert!(Pin::parse("12345678", policy).is_ok());
        assert!(Pin::parse("123456789", policy).unwrap_err().0.contains("4 to 8 digits"));
    }

    #[test]
    fn a_pin_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Pin::parse("9876", FOUR).unwrap()), "Pin([redacted])");
    }
}
