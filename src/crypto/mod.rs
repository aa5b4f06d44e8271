//! Hashing, encryption at rest and token generation.
pub mod pin_hasher;

pub use pin_hasher::PinHasher;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 24;

/// `n` bytes from the operating system's CSPRNG.
/// What a sealed secret is. Each is bound, as associated data, to its record and its purpose,
/// so a ciphertext cannot be moved to another record or read as another kind of secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The admin-set password, until the user's password step.
    AdminPassword,
    /// The TOTP secret, until enrollment.
    TotpSecret,
    /// The user's own Keystone token, between the two steps.
    UserToken,
    /// A Keystone auth receipt, between a self-enrollment's sign-in and its code.
    Receipt,
    /// The user's token between the two steps of the command-line access page (in the page,
    /// never stored).
    CliSignIn,
    /// A mailed link's token, kept for its one reminder and dropped once that is sent.
    Reminder,
}

impl Purpose {
    fn associated_data(self, user_id: &str) -> Vec<u8> {
        match self {
            // The first records sealed the admin password with the bare user id: kept so that
            // links issued before stay readable.
            Purpose::AdminPassword => user_id.as_bytes().to_vec(),
            Purpose::TotpSecret => format!("{user_id}\u{0}totp").into_bytes(),
            Purpose::UserToken => format!("{user_id}\u{0}token").into_bytes(),
            Purpose::Receipt => format!("{user_id}\u{0}receipt").into_bytes(),
            Purpose::CliSignIn => format!("{user_id}\u{0}cli").into_bytes(),
            Purpose::Reminder => format!("{user_id}\u{0}reminder").into_bytes(),
        }
    }
}

pub fn random_bytes(n: usize) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(vec![0u8; n]);
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe one-time token: 256 bits from the OS CSPRNG.
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(32).as_slice())
}

/// Derived from the key and stored in the database: a process with another key sees a
/// different value and refuses to start. One-way: it tells nothing of the key.
pub fn key_check_value(key: &[u8; 32]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::new().chain_update(b"setpass key check v1\0").chain_update(key).finalize().to_vec()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

#[derive(Debug, thiserror::Error)]
#[error("decryption failed: wrong key, or the data was altered or moved")]
pub struct DecryptError;

/// XChaCha20-Poly1305 with a random nonce per message. The associated data binds a
/// ciphertext to its row (the user id), so it cannot be copied into another record.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox([redacted])")
    }
}

impl SecretBox {
    pub fn new(key: &[u8; 32]) -> Self {
        Self { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// Returns `nonce || ciphertext`.
    /// Seals a secret of `purpose` for the record of `user_id`: it opens only for that pair.
    pub fn seal_for(&self, purpose: Purpose, user_id: &str, plaintext: &[u8]) -> Vec<u8> {
        self.seal(plaintext, &purpose.associated_data(user_id))
    }

    pub fn open_for(
        &self,
        purpose: Purpose,
        user_id: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        self.open(sealed, &purpose.associated_data(user_id))
    }

    fn seal(&self, plaintext: &[u8], associated: &[u8]) -> Vec<u8> {
        let nonce_bytes = random_bytes(NONCE_LEN);
        let nonce = XNonce::from_slice(&nonce_bytes);
        let sealed = self
            .cipher
            .encrypt(nonce, Payload { msg: plaintext, aad: associated })
            // Encryption only fails for inputs over 256 GiB, which nothing here produces.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        out
    }

    fn open(&self, sealed: &[u8], associated: &[u8]) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
        if sealed.len() < NONCE_LEN {
            return Err(DecryptError);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: associated })
            .map(Zeroizing::new)
            .map_err(|_| DecryptError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed() -> SecretBox {
        SecretBox::new(&[7u8; 32])
    }

    #[test]
    fn sealed_secrets_open_with_the_same_key_and_row() {
        let sealed = boxed().seal(b"random admin password", b"user-1");
        assert_eq!(boxed().open(&sealed, b"user-1").unwrap().as_slice(), b"random admin password");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        assert_ne!(boxed().seal(b"same", b"u"), boxed().seal(b"same", b"u"));
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_does_not_open() {
        let sealed = boxed().seal(b"secret", b"user-1");
        assert!(boxed().open(&sealed, b"user-2").is_err());
    }

    #[test]
    fn a_tampered_ciphertext_does_not_open() {
        let mut sealed = boxed().seal(b"secret", b"user-1");
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(boxed().open(&sealed, b"user-1").is_err());
        assert!(boxed().open(&sealed[..10], b"user-1").is_err());
    }

    #[test]
    fn a_secret_opens_only_for_its_own_purpose_and_record() {
        let sealed = boxed().seal_for(Purpose::TotpSecret, "user-1", b"JBSWY3DP");
        assert_eq!(boxed().open_for(Purpose::TotpSecret, "user-1", &sealed).unwrap().as_slice(), b"JBSWY3DP");
        assert!(boxed().open_for(Purpose::UserToken, "user-1", &sealed).is_err());
        assert!(boxed().open_for(Purpose::AdminPassword, "user-1", &sealed).is_err());
        assert!(boxed().open_for(Purpose::TotpSecret, "user-2", &sealed).is_err());
    }

    #[test]
    fn admin_passwords_sealed_before_purposes_existed_still_open() {
        let sealed = boxed().seal(b"random admin password", b"user-1");
        assert!(boxed().open_for(Purpose::AdminPassword, "user-1", &sealed).is_ok());
    }

    #[test]
    fn a_different_key_does_not_open() {
        let sealed = boxed().seal(b"secret", b"user-1");
        assert!(SecretBox::new(&[8u8; 32]).open(&sealed, b"user-1").is_err());
    }

    #[test]
    fn tokens_are_url_safe_and_carry_256_bits() {
        let token = new_token();
        assert_eq!(token.len(), 43);
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_ne!(token, new_token());
    }

    #[test]
    fn token_hashes_are_sha256() {
        let expected = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let hex: String = sha256(b"test").iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }
}
