//! TOTP as Keystone does it: SHA1, 6 digits, 30-second steps, base32 secrets of 20 bytes.
use super::Invalid;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

pub const STEP_SECS: i64 = 30;
const DIGITS: usize = 6;
const SECRET_BYTES: usize = 20;
/// How far a phone's clock may be off for us to still recognise the code and say so.
const SKEW_SEARCH_STEPS: i64 = 20;

/// A TOTP secret, base32 upper case without padding (Keystone never matches lower case).
pub struct TotpSecret(SecretString);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    Accepted,
    /// The code belongs to a window this many seconds from now (positive: the phone is ahead).
    Skewed(i64),
    Rejected,
}

impl TotpSecret {
    pub fn generate() -> Self {
        let bytes = crate::crypto::random_bytes(SECRET_BYTES);
        Self(SecretString::from(base32_encode(&bytes)))
    }

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let valid =
            text.len() >= 26 && text.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b));
        if !valid {
            return Err(Invalid("a TOTP secret is upper-case base32 of at least 16 bytes".into()));
        }
        Ok(Self(SecretString::from(text)))
    }

    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// For typing into an app by hand: `ABCD EFGH ...`.
    pub fn grouped(&self) -> String {
        let chars: Vec<char> = self.expose().chars().collect();
        chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
    }

    /// `otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30`
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
            percent_encode(issuer),
            percent_encode(account),
            self.expose(),
            percent_encode(issuer)
        )
    }

    fn totp(&self) -> Option<TOTP> {
        let bytes = base32_decode(self.expose())?;
        Some(TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 1, STEP_SECS as u64, bytes))
    }

    /// The code for the 30-second window holding `unix_secs`.
    pub fn code_at(&self, unix_secs: i64) -> String {
        self.totp().map(|t| t.generate(unix_secs.max(0) as u64)).unwrap_or_default()
    }

    /// Accepts the current window and `previous_windows` before it, never a future one, as
    /// Keystone's `[totp] included_previous_windows` does. Otherwise looks ±10 minutes for a
    /// match, to tell the user their phone's clock is off.
    pub fn check(&self, code: &str, unix_secs: i64, previous_windows: u32) -> CodeCheck {
        let matches = |offset: i64| {
            let candidate = self.code_at(unix_secs + offset * STEP_SECS);
            !candidate.is_empty() && bool::from(candidate.as_bytes().ct_eq(code.as_bytes()))
        };
        if (0..=i64::from(previous_windows)).any(|back| matches(-back)) {
            return CodeCheck::Accepted;
        }
        (1..=SKEW_SEARCH_STEPS)
            .flat_map(|step| [step, -step])
            .find(|&offset| matches(offset))
            .map_or(CodeCheck::Rejected, |offset| CodeCheck::Skewed(offset * STEP_SECS))
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

/// A code as typed: six digits, spaces allowed ("123 456").
pub fn parse_code(raw: &str) -> Result<String, Invalid> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid("the code is the 6 digits your authenticator app shows".into()));
    }
    Ok(code)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = BASE32.iter().position(|&b| b == c)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA1 seed "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret::parse(&base32_encode(b"12345678901234567890")).unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        assert_eq!(rfc_secret().code_at(59), "287082");
        assert_eq!(rfc_secret().code_at(1_111_111_109), "081804");
        assert_eq!(rfc_secret().code_at(2_000_000_000), "279037");
    }

    #[test]
    fn a_generated_secret_is_32_upper_case_base32_characters() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.expose().len(), 32);
        assert!(TotpSecret::parse(secret.expose()).is_ok());
        assert_eq!(base32_decode(secret.expose()).unwrap().len(), 20);
        assert_eq!(secret.grouped().split(' ').count(), 8);
    }

    #[test]
    fn the_current_and_previous_window_are_accepted_and_the_next_is_not() {
        let secret = rfc_secret();
        let now = 1_700_000_015;
        assert_eq!(secret.check(&secret.code_at(now), now, 1), CodeCheck::Accepted);
        assert_eq!(secret.check(&secret.code_at(now - 30), now, 1), CodeCheck::Accepted);
        assert_eq!(secret.check(&secret.code_at(now - 30), now, 0), CodeCheck::Skewed(-30));
        assert_eq!(secret.check(&secret.code_at(now + 30), now, 1), CodeCheck::Skewed(30));
    }

    #[test]
    fn a_phone_five_minutes_ahead_is_recognised_as_skewed() {
        let secret = rfc_secret();
        let now = 1_700_000_000;
        assert_eq!(secret.check(&secret.code_at(now + 300), now, 1), CodeCheck::Skewed(300));
        assert_eq!(secret.check(&secret.code_at(now - 300), now, 1), CodeCheck::Skewed(-300));
        assert_eq!(secret.check(&secret.code_at(now + 3600), now, 1), CodeCheck::Rejected);
    }

    #[test]
    fn the_otpauth_uri_names_issuer_and_account_and_keystones_parameters() {
        let secret = rfc_secret();
        let uri = secret.otpauth_uri("My Cloud", "alice@example.org");
        assert_eq!(
            uri,
            format!(
                "otpauth://totp/My%20Cloud:alice%40example.org?secret={}&issuer=My%20Cloud&algorithm=SHA1&digits=6&period=30",
                secret.expose()
            )
        );
    }

    #[test]
    fn lower_case_and_short_secrets_are_refused() {
        assert!(TotpSecret::parse("gezdgnbvgy3tqojqgezdgnbvgy").is_err());
        assert!(TotpSecret::parse("GEZDGNBVGY3TQOJQ").is_err());
    }

    #[test]
    fn codes_are_six_digits_with_spaces_allowed() {
        assert_eq!(parse_code(" 123 456 ").unwrap(), "123456");
        for bad in ["12345", "1234567", "12a456", ""] {
            assert!(parse_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_secret_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", TotpSecret::generate()), "TotpSecret([redacted])");
    }
}
