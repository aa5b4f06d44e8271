//! What a use case answers when it does not succeed: a refusal of the user's flow, a refusal of
//! the admin's request (typed; worded in English by `text::admin`), or an outage.
use crate::domain::admin::AdminRefusal;
use crate::domain::Refusal;
use crate::keystone::KeystoneError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's flow refused: a typed reason, worded by `text/`.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// The admin's request refused.
    #[error("admin request refused: {0:?}")]
    Admin(AdminRefusal),
    #[error("the identity service (Keystone) is unavailable: {}", crate::cause::chain(.0))]
    KeystoneUnavailable(#[source] KeystoneError),
    #[error("{0}")]
    Store(#[source] StoreError),
    #[error("internal error: {}", crate::cause::chain(.0.as_ref()))]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Internal(Box::new(err))
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Self {
        Error::Refused(refusal)
    }
}

impl From<AdminRefusal> for Error {
    fn from(refusal: AdminRefusal) -> Self {
        Error::Admin(refusal)
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        Error::Store(err)
    }
}

impl From<KeystoneError> for Error {
    fn from(err: KeystoneError) -> Self {
        Error::KeystoneUnavailable(err)
    }
}

impl From<crate::crypto::pin_hasher::HashError> for Error {
    fn from(err: crate::crypto::pin_hasher::HashError) -> Self {
        Error::internal(err)
    }
}
