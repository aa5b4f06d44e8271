//! The operator's application credential: setpass's own admin identity in Keystone.
use super::{Identity, IssuedToken, KeystoneError, Login};
use crate::config::{read_secret, ConfigError, KeystoneSettings};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

/// The operator's application credential, logged in on first use and reused until near expiry.
pub struct ServiceCredential {
    id: String,
    secret: SecretString,
    cached: Mutex<Option<IssuedToken>>,
}

impl ServiceCredential {
    pub fn new(id: String, secret: SecretString) -> Self {
        Self { id, secret, cached: Mutex::new(None) }
    }

    /// From `keystone.service_credential_id` and its secret (or secret file); `None` when unset.
    pub fn from_settings(settings: &KeystoneSettings) -> Result<Option<Self>, ConfigError> {
        let Some(id) = settings.service_credential_id.clone() else { return Ok(None) };
        let secret = read_secret(
            "keystone.service_credential_secret",
            settings.service_credential_secret.as_deref(),
            "keystone.service_credential_secret_file",
            settings.service_credential_secret_file.as_deref(),
        )?
        .ok_or_else(|| ConfigError::new("keystone.service_credential_secret", "is missing"))?;
        Ok(Some(Self::new(id, secret.as_str().into())))
    }

    pub async fn token(
        &self,
        keystone: &dyn Identity,
        now: DateTime<Utc>,
    ) -> Result<SecretString, KeystoneError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.expires_at > now + chrono::Duration::minutes(5)) {
            return Ok(token.value.clone());
        }
        match keystone.application_credential_login(&self.id, self.secret.expose_secret()).await? {
            Login::Token(token) => {
                let value = token.value.clone();
                *cached = Some(token);
                Ok(value)
            }
            _ => {
                log::error!(
                    "the service credential (keystone.service_credential_id) was refused by Keystone: is it deleted or expired?"
                );
                Err(KeystoneError::InvalidToken)
            }
        }
    }

    /// Keystone rejected the cached token (the credential was deleted, or the token revoked):
    /// the next call logs in again.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }
}

impl std::fmt::Debug for ServiceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceCredential({}, [redacted])", self.id)
    }
}
