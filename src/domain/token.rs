//! One-time link tokens: shown once to the admin, stored only as a SHA-256 hash.
use super::Invalid;
use secrecy::{ExposeSecret, SecretString};

/// A token as issued (43 characters of URL-safe base64) or as presented by a user.
pub struct OneTimeToken(SecretString);

/// What the store keeps instead of the token.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl OneTimeToken {
    pub fn generate() -> Self {
        Self(SecretString::from(crate::crypto::new_token()))
    }

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let well_formed = (16..=128).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !well_formed {
            return Err(Invalid("the link token is malformed; copy the whole link from the email".into()));
        }
        Ok(Self(SecretString::from(raw)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(crate::crypto::sha256(self.expose().as_bytes()))
    }
}

impl std::fmt::Debug for OneTimeToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OneTimeToken([redacted])")
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_token_parses_back_to_the_same_hash() {
        let token = OneTimeToken::generate();
        let again = OneTimeToken::parse(token.expose()).unwrap();
        assert!(token.hash() == again.hash());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for bad in
            ["", "short", "has space in it and is long", "percent%20encoded_token_value", &"a".repeat(129)]
        {
            assert!(OneTimeToken::parse(bad).is_err(), "{bad:?}");
        }
    }
}
