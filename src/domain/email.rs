//! An email address as a caller gives it: plausible in shape, not proven to exist.
use super::Invalid;

const MAX_LENGTH: usize = 254;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// `local@domain.tld`: one `@`, a dotted domain of letters, digits and hyphens, and a local
    /// part of the characters mail systems accept unquoted. Surrounding spaces are dropped.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        // The value is not quoted back: a password pasted into the wrong field must not echo.
        let invalid = || Invalid("not an email address; write it as name@example.com".into());
        if text.len() > MAX_LENGTH {
            return Err(Invalid(format!("an email address has at most {MAX_LENGTH} characters")));
        }
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !(local_ok && domain_ok) {
            return Err(invalid());
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::EmailAddress;

    #[test]
    fn ordinary_addresses_are_accepted() {
        for address in ["ada@example.com", "a.b+tag@mail.example.co.uk", " x_y@sub-domain.example.org "] {
            let parsed = EmailAddress::parse(address).unwrap();
            assert_eq!(parsed.as_str(), address.trim());
        }
    }

    #[test]
    fn implausible_addresses_are_refused() {
        for address in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada@exa mple.com",
            "a..b@example.com",
            "ada@-example.com",
            "ada@example..com",
            "Ada <ada@example.com>",
            "ada@example.com\r\nBcc: x@example.com",
        ] {
            assert!(EmailAddress::parse(address).is_err(), "{address:?}");
        }
    }

    #[test]
    fn an_overlong_address_is_refused() {
        let address = format!("{}@example.com", "a".repeat(250));
        assert!(EmailAddress::parse(&address).unwrap_err().0.contains("254"));
    }
}
