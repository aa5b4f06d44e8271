//! Who may call the admin API: the admin check, with a short cache so a burst of PUTs costs one
//! Keystone call. Accepts cloud admins (admin project or system), domain admins for their own
//! domain, and unscoped tokens once rescoped to the admin project. Refusals are typed (`Denied`);
//! `text::admin` words them.
use crate::clock::Clock;
use crate::crypto::sha256;
use crate::domain::admin::{AdminPolicy, Decision, Denied};
use crate::domain::UserId;
use crate::keystone::{Identity, KeystoneError, KeystoneUser, ValidatedToken};
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Bounds memory if many different admin tokens arrive at once.
const MAX_CACHED: usize = 1024;

/// Longer than any token Keystone issues (fernet ~180-250 bytes, JWS under 1 KiB): refused
/// without asking Keystone, which resets the connection on very long headers.
pub const MAX_TOKEN_LEN: usize = 1024;

/// What an accepted token may do, and the token to act with in Keystone (the caller's own, or
/// the project-scoped token made from an unscoped one). `Debug` hides the token.
#[derive(Clone)]
pub struct AdminGrant {
    pub acting: SecretString,
    /// `Some(domain)`: only users of that domain.
    pub domain: Option<String>,
}

impl std::fmt::Debug for AdminGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdminGrant([redacted], domain {:?})", self.domain)
    }
}

/// Why a caller may not go on: turned away, or Keystone could not say.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("admin check refused: {0:?}")]
    Denied(Denied),
    #[error("the identity service (Keystone) is unavailable: {}", crate::cause::chain(.0))]
    KeystoneUnavailable(#[source] KeystoneError),
}

impl From<Denied> for Error {
    fn from(denied: Denied) -> Self {
        Error::Denied(denied)
    }
}

/// SHA-256 of an accepted token → until when it is trusted without asking Keystone, and its grant.
type GrantCache = HashMap<[u8; 32], (DateTime<Utc>, AdminGrant)>;

pub struct AdminGuard {
    keystone: Arc<dyn Identity>,
    policy: AdminPolicy,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    cache: Mutex<GrantCache>,
}

impl AdminGuard {
    pub fn new(
        keystone: Arc<dyn Identity>,
        policy: AdminPolicy,
        ttl: Duration,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self { keystone, policy, ttl, clock, cache: Mutex::new(HashMap::new()) }
    }

    pub async fn authorize(&self, token: &str) -> Result<AdminGrant, Error> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(invalid_token());
        }
        let key = sha256(token.as_bytes());
        let now = self.clock.now();
        if let Some(grant) = self.cached(&key, now) {
            return Ok(grant);
        }
        let validated = self.keystone.validate_token(token).await.map_err(validation_error)?;
        let mut expires_at = validated.expires_at;
        let grant = match self.policy.decide(&validated.scope) {
            Decision::CloudAdmin => AdminGrant { acting: token.to_owned().into(), domain: None },
            Decision::DomainAdmin(domain) => {
                AdminGrant { acting: token.to_owned().into(), domain: Some(domain) }
            }
            Decision::Rescope => {
                let rescoped = self
                    .keystone
                    .rescope(token, &self.policy.project, &self.policy.project_domain)
                    .await
                    .map_err(validation_error)?
                    .filter(|r| self.admits(&r.validated))
                    .ok_or_else(|| self.refused())?;
                expires_at = expires_at.min(rescoped.token.expires_at);
                AdminGrant { acting: rescoped.token.value, domain: None }
            }
            Decision::Refused => return Err(self.refused()),
        };
        let until = (now + self.ttl).min(expires_at);
        if until > now {
            self.remember(key, until, grant.clone(), now);
        }
        Ok(grant)
    }

    /// The admin check, then the user must exist in Keystone (and, for a domain admin, be in
    /// their domain); returns the user (name, email, domain).
    pub async fn authorize_for_user(&self, token: &str, user_id: &UserId) -> Result<KeystoneUser, Error> {
        let grant = self.authorize(token).await?;
        let found = self.keystone.get_user(grant.acting.expose_secret(), user_id).await;
        let outside = || Error::Denied(Denied::OutsideDomain);
        match (found, grant.domain.as_deref()) {
            // Keystone lets a domain admin read users of every domain: setpass does not let them act there.
            (Ok(Some(user)), Some(domain)) if user.domain_id != domain => Err(outside()),
            (Ok(Some(user)), _) => Ok(user),
            // A domain admin is not told whether a user outside their domain exists.
            (Ok(None) | Err(KeystoneError::Forbidden | KeystoneError::NotFound(_)), Some(_)) => {
                Err(outside())
            }
            (Ok(None), None) => Err(Denied::NoSuchUser(user_id.clone()).into()),
            (Err(KeystoneError::InvalidToken), _) => Err(invalid_token()),
            (Err(KeystoneError::Forbidden), None) => Err(Denied::UserHidden.into()),
            (Err(other), _) => Err(Error::KeystoneUnavailable(other)),
        }
    }

    /// GET and DELETE: a cloud admin may see any record; a domain admin only their domain's users.
    pub async fn authorize_view(&self, token: &str, user_id: &UserId) -> Result<(), Error> {
        if self.authorize(token).await?.domain.is_some() {
            self.authorize_for_user(token, user_id).await?;
        }
        Ok(())
    }

    fn admits(&self, validated: &ValidatedToken) -> bool {
        self.policy.decide(&validated.scope) == Decision::CloudAdmin
    }

    fn refused(&self) -> Error {
        Denied::NotAdmin {
            role: self.policy.role.clone(),
            project: self.policy.project.clone(),
            domain_admin_roles: self.policy.domain_admin_roles.clone(),
        }
        .into()
    }

    fn cached(&self, key: &[u8; 32], now: DateTime<Utc>) -> Option<AdminGrant> {
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.get(key).filter(|(until, _)| now < *until).map(|(_, grant)| grant.clone())
    }

    fn remember(&self, key: [u8; 32], until: DateTime<Utc>, grant: AdminGrant, now: DateTime<Utc>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, (until, _)| *until > now);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(key, (until, grant));
    }
}

fn invalid_token() -> Error {
    Denied::InvalidToken.into()
}

fn validation_error(err: KeystoneError) -> Error {
    match err {
        KeystoneError::InvalidToken => invalid_token(),
        KeystoneError::Forbidden => Denied::ValidationRefused.into(),
        other => Error::KeystoneUnavailable(other),
    }
}

#[cfg(test)]
mod tests;
