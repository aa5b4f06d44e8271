//! The admin check for the token API, with a short cache so a burst of PUTs costs one Keystone call.
use crate::clock::Clock;
use crate::crypto::sha256;
use crate::domain::admin::AdminPolicy;
use crate::error::AppError;
use crate::keystone::{KeystoneClient, KeystoneError};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Bounds memory if many different admin tokens arrive at once.
const MAX_CACHED: usize = 1024;

pub struct AdminGuard {
    keystone: KeystoneClient,
    policy: AdminPolicy,
    ttl: Duration,
    clock: Arc<dyn Clock>,
    /// SHA-256 of an accepted token → until when it is trusted without asking Keystone.
    cache: Mutex<HashMap<[u8; 32], DateTime<Utc>>>,
}

impl AdminGuard {
    pub fn new(keystone: KeystoneClient, policy: AdminPolicy, ttl: Duration, clock: Arc<dyn Clock>) -> Self {
        Self { keystone, policy, ttl, clock, cache: Mutex::new(HashMap::new()) }
    }

    /// Ok if `token` carries the admin role on the admin project or the system.
    pub async fn authorize(&self, token: &str) -> Result<(), AppError> {
        let key = sha256(token.as_bytes());
        let now = self.clock.now();
        if self.cached_until(&key).is_some_and(|until| now < until) {
            return Ok(());
        }
        let validated = self.keystone.validate_token(token).await.map_err(|err| match err {
            KeystoneError::InvalidToken => {
                AppError::Unauthorized("the X-Auth-Token is invalid or expired".into())
            }
            KeystoneError::Forbidden => {
                AppError::Forbidden("Keystone refused to validate the X-Auth-Token".into())
            }
            other => AppError::KeystoneUnavailable(other),
        })?;
        if !self.policy.allows(&validated.scope) {
            return Err(AppError::Forbidden(format!(
                "this call needs the `{}` role on the `{}` project or on the system",
                self.policy.role, self.policy.project
            )));
        }
        let until = (now + self.ttl).min(validated.expires_at);
        if until > now {
            self.remember(key, until, now);
        }
        Ok(())
    }

    fn cached_until(&self, key: &[u8; 32]) -> Option<DateTime<Utc>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(key).copied()
    }

    fn remember(&self, key: [u8; 32], until: DateTime<Utc>, now: DateTime<Utc>) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= MAX_CACHED {
            cache.retain(|_, until| *until > now);
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
        }
        cache.insert(key, until);
    }
}
