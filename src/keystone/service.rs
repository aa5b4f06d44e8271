//! The operator's service identity in Keystone: an application credential, or a service user
//! with a password (whose token, unlike an application credential's, may create credentials).
use super::{Identity, IssuedToken, KeystoneError, Login, NamedLogin};
use crate::config::{read_secret, ConfigError, KeystoneSettings};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

/// How setpass logs in as itself.
enum Kind {
    /// `keystone.service_credential_id` and its secret. Keystone 30 refuses its tokens on the
    /// credentials API ("Delegated tokens cannot access credentials directly").
    ApplicationCredential { id: String, secret: SecretString },
    /// `keystone.service_user_name` in `service_user_domain` with its password, the token
    /// scoped to `keystone.admin_project`.
    User { name: String, domain: String, password: SecretString, project: String, project_domain: String },
}

/// The operator's service identity, logged in on first use and reused until near expiry.
pub struct ServiceCredential {
    kind: Kind,
    cached: Mutex<Option<IssuedToken>>,
}

impl ServiceCredential {
    /// An application credential.
    pub fn new(id: String, secret: SecretString) -> Self {
        Self::of(Kind::ApplicationCredential { id, secret })
    }

    /// A service user by name and password, its token scoped to `project` in `project_domain`.
    pub fn user(
        name: &str,
        domain: &str,
        password: SecretString,
        project: &str,
        project_domain: &str,
    ) -> Self {
        Self::of(Kind::User {
            name: name.to_owned(),
            domain: domain.to_owned(),
            password,
            project: project.to_owned(),
            project_domain: project_domain.to_owned(),
        })
    }

    fn of(kind: Kind) -> Self {
        Self { kind, cached: Mutex::new(None) }
    }

    /// From `keystone.service_user_name` (and its password), or else `keystone.service_credential_id`
    /// (and its secret); `None` when neither is set.
    pub fn from_settings(settings: &KeystoneSettings) -> Result<Option<Self>, ConfigError> {
        if let Some(name) = &settings.service_user_name {
            let password = read_secret(
                "keystone.service_user_password",
                settings.service_user_password.as_deref(),
                "keystone.service_user_password_file",
                settings.service_user_password_file.as_deref(),
            )?
            .ok_or_else(|| ConfigError::new("keystone.service_user_password", "is missing"))?;
            return Ok(Some(Self::user(
                name,
                &settings.service_user_domain,
                password.as_str().into(),
                &settings.admin_project,
                &settings.admin_project_domain,
            )));
        }
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

    /// Whether this identity is an application credential (refused on the credentials API).
    pub fn is_application_credential(&self) -> bool {
        matches!(self.kind, Kind::ApplicationCredential { .. })
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
        let token = self.log_in(keystone).await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    async fn log_in(&self, keystone: &dyn Identity) -> Result<IssuedToken, KeystoneError> {
        match &self.kind {
            Kind::ApplicationCredential { id, secret } => {
                match keystone.application_credential_login(id, secret.expose_secret()).await? {
                    Login::Token(token) => Ok(token),
                    _ => {
                        log::error!("the service credential (keystone.service_credential_id) was refused by Keystone: is it deleted or expired?");
                        Err(KeystoneError::InvalidToken)
                    }
                }
            }
            Kind::User { name, domain, password, project, project_domain } => {
                let unscoped = match keystone
                    .password_login_named(name, domain, password.expose_secret())
                    .await?
                {
                    NamedLogin::Token { token, .. } => token,
                    NamedLogin::Receipt { .. } => {
                        log::error!("the service user {name:?} (keystone.service_user_name) has MFA rules that want more than its password: clear them for this user");
                        return Err(KeystoneError::InvalidToken);
                    }
                    NamedLogin::Locked | NamedLogin::Rejected => {
                        log::error!("Keystone refused the password of the service user {name:?} in domain {domain:?} (keystone.service_user_name): is it right, the user enabled, not locked out?");
                        return Err(KeystoneError::InvalidToken);
                    }
                };
                match keystone.rescope(unscoped.value.expose_secret(), project, project_domain).await? {
                    Some(rescoped) => Ok(rescoped.token),
                    None => {
                        log::error!("the service user {name:?} could not scope its token to project {project:?} in domain {project_domain:?} (keystone.admin_project): give it the admin role there");
                        Err(KeystoneError::InvalidToken)
                    }
                }
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
        match &self.kind {
            Kind::ApplicationCredential { id, .. } => write!(f, "ServiceCredential({id}, [redacted])"),
            Kind::User { name, domain, .. } => write!(f, "ServiceUser({name}@{domain}, [redacted])"),
        }
    }
}
