//! Argon2id PIN hashing on the blocking pool, with a bound on how many run at once.
use crate::config::Argon2Settings;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::rngs::OsRng;
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2 failed: {0}")]
    Argon2(String),
    #[error("hashing task failed")]
    Join(#[from] tokio::task::JoinError),
    #[error("hashing pool closed")]
    Closed,
}

#[derive(Clone)]
pub struct PinHasher {
    params: Params,
    permits: Arc<Semaphore>,
}

impl PinHasher {
    pub fn new(settings: &Argon2Settings, concurrency: usize) -> Result<Self, HashError> {
        let params = Params::new(settings.memory_kib, settings.iterations, settings.parallelism, None)
            .map_err(|err| HashError::Argon2(err.to_string()))?;
        Ok(Self { params, permits: Arc::new(Semaphore::new(concurrency.max(1))) })
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string (`$argon2id$v=19$m=...`) with a fresh random salt.
    pub async fn hash(&self, secret: &[u8]) -> Result<String, HashError> {
        let secret = zeroize::Zeroizing::new(secret.to_vec());
        let params = self.params.clone();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Self::argon2(params)
                .hash_password(&secret, &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| HashError::Argon2(err.to_string()))
        })
        .await
    }

    /// Checks `secret` against a stored PHC string, using the parameters recorded in it.
    pub async fn verify(&self, secret: &[u8], phc: &str) -> Result<bool, HashError> {
        let secret = zeroize::Zeroizing::new(secret.to_vec());
        let phc = phc.to_owned();
        let params = self.params.clone();
        self.run(move || {
            let parsed = PasswordHash::new(&phc).map_err(|err| HashError::Argon2(err.to_string()))?;
            Ok(Self::argon2(params).verify_password(&secret, &parsed).is_ok())
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self.permits.acquire().await.map_err(|_| HashError::Closed)?;
        tokio::task::spawn_blocking(work).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> PinHasher {
        let settings = Argon2Settings { memory_kib: 64, iterations: 1, parallelism: 1, max_concurrent: 1 };
        PinHasher::new(&settings, 1).unwrap()
    }

    #[tokio::test]
    async fn a_hashed_pin_verifies_and_a_wrong_one_does_not() {
        let hasher = cheap();
        let phc = hasher.hash(b"1234").await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(!phc.contains("1234$"));
        assert!(hasher.verify(b"1234", &phc).await.unwrap());
        assert!(!hasher.verify(b"4321", &phc).await.unwrap());
    }

    #[tokio::test]
    async fn the_same_pin_hashes_differently_each_time() {
        let hasher = cheap();
        assert_ne!(hasher.hash(b"1234").await.unwrap(), hasher.hash(b"1234").await.unwrap());
    }

    #[test]
    fn default_parameters_are_owasp_argon2id() {
        let hasher = PinHasher::new(&Argon2Settings::default(), 2).unwrap();
        assert_eq!((hasher.params.m_cost(), hasher.params.t_cost(), hasher.params.p_cost()), (19_456, 2, 1));
    }
}
