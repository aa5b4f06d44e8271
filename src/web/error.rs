//! What the web layer answers when a request does not succeed: the use cases' errors, the admin
//! check's, and the web's own (bodies, headers); the one mapping to a status, and the log line
//! (with the request id) of every 5xx.
use crate::domain::admin::{AdminRefusal, Denied};
use crate::domain::onboarding::IssueError;
use crate::domain::{Refusal, Stage};
use crate::keystone::KeystoneError;
use crate::text::{Phrase, Words};
use crate::{access, onboarding};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The user's flow refused: a typed reason, worded by `text/`.
    #[error("{}", crate::text::english_refusal(.0))]
    Refused(Refusal),
    /// The admin check turned the caller away (worded by `text::admin`, English).
    #[error("{}", crate::text::admin::denied(.0))]
    Denied(Denied),
    /// The admin API refused a request it understood (worded by `text::admin`, English).
    #[error("{}", crate::text::admin::refusal(.0))]
    Admin(AdminRefusal),
    /// A request the web layer could not read (English: the admin API's and scripts').
    #[error("{0}")]
    BadRequest(String),
    /// Too many sign-ins for one user name; wait this many seconds.
    #[error("Too many sign-ins for this user name. Please wait {0} seconds and try again.")]
    TooManySignIns(u64),
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the identity service (Keystone) is unavailable; try again shortly")]
    KeystoneUnavailable(#[source] KeystoneError),
    #[error("the database is busy; try again shortly")]
    DatabaseBusy(#[source] crate::store::StoreError),
    /// Unreachable, or a Galera node outside the Primary component (the store logged the
    /// outage once, at its start).
    #[error("the database is unavailable; try again shortly")]
    DatabaseUnavailable(#[source] crate::store::StoreError),
    #[error("internal error; the details are in the service log")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::Refused(refusal)
    }
}

impl AppError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(err))
    }

    /// What a person is told, in their language: every refusal of the user's flow and every
    /// failure they may meet there. `None`: an English message for scripts (the admin API's).
    pub fn user_message(&self, words: &dyn Words) -> Option<String> {
        let phrase = match self {
            AppError::Refused(refusal) => return Some(words.refusal(refusal)),
            AppError::KeystoneUnavailable(_) => Phrase::KeystoneUnavailable,
            AppError::DatabaseBusy(_) => Phrase::DatabaseBusy,
            AppError::DatabaseUnavailable(_) => Phrase::DatabaseUnavailable,
            AppError::Internal(_) => Phrase::ServerError,
            AppError::RequestTimeout => Phrase::BodyTimeout,
            AppError::TooManySignIns(secs) => return Some(words.slow_down(*secs)),
            AppError::PayloadTooLarge(_) => Phrase::BodyTooLarge,
            _ => return None,
        };
        Some(words.phrase(phrase).to_owned())
    }

    /// The JSON error of the user's API, worded in `words`.
    pub fn user_response(&self, words: &dyn Words) -> HttpResponse {
        self.log_cause();
        let mut response =
            json_error(self.status_code(), self.user_message(words).unwrap_or_else(|| self.to_string()));
        if let AppError::TooManySignIns(secs) = self {
            if let Ok(value) = secs.to_string().parse() {
                response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
            }
        }
        response
    }

    /// Logs the cause of a 5xx, with the request id; a 4xx logs nothing here. Call once per answer.
    pub fn log_cause(&self) {
        let status = self.status_code();
        if !status.is_server_error() {
            return;
        }
        let id = crate::request_id::current().unwrap_or_else(|| "-".into());
        match self {
            AppError::KeystoneUnavailable(source) => {
                log::warn!("{status} (request {id}): {}", crate::cause::chain(source))
            }
            AppError::DatabaseBusy(source) => log::warn!("{status} (request {id}): {source}"),
            // One outage, one line (the store's, at its start and its end), not one per request.
            AppError::DatabaseUnavailable(source) => log::debug!("{status} (request {id}): {source}"),
            AppError::Internal(source) => {
                log::error!(
                    "{status} (request {id}): internal error: {}",
                    crate::cause::chain(source.as_ref())
                )
            }
            // The cause was logged where it was found; this ties it to the answer.
            other => log::warn!("{status} (request {id}): {other}"),
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        match err {
            busy @ crate::store::StoreError::Contended { .. } => AppError::DatabaseBusy(busy),
            gone @ crate::store::StoreError::Unavailable(_) => AppError::DatabaseUnavailable(gone),
            other => AppError::internal(other),
        }
    }
}

impl From<onboarding::Error> for AppError {
    fn from(err: onboarding::Error) -> Self {
        match err {
            onboarding::Error::Refused(refusal) => AppError::Refused(refusal),
            onboarding::Error::Admin(refusal) => AppError::Admin(refusal),
            onboarding::Error::KeystoneUnavailable(source) => AppError::KeystoneUnavailable(source),
            onboarding::Error::Store(source) => source.into(),
            onboarding::Error::Internal(source) => AppError::Internal(source),
        }
    }
}

impl From<access::Error> for AppError {
    fn from(err: access::Error) -> Self {
        match err {
            access::Error::Denied(denied) => AppError::Denied(denied),
            access::Error::KeystoneUnavailable(source) => AppError::KeystoneUnavailable(source),
        }
    }
}

impl From<crate::domain::Invalid> for AppError {
    fn from(err: crate::domain::Invalid) -> Self {
        AppError::BadRequest(err.0)
    }
}

/// Keystone's own error shape: `{"error": {"code", "title", "message"}}`.
#[derive(Serialize)]
pub struct ErrorBody<'a> {
    pub error: ErrorDetail<'a>,
}

#[derive(Serialize)]
pub struct ErrorDetail<'a> {
    pub code: u16,
    pub title: &'a str,
    pub message: String,
}

pub fn json_error(status: StatusCode, message: String) -> HttpResponse {
    let title = status.canonical_reason().unwrap_or("Error");
    HttpResponse::build(status)
        .json(ErrorBody { error: ErrorDetail { code: status.as_u16(), title, message } })
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::Refused(refusal) => refusal_status(refusal),
            AppError::Denied(denied) => denied_status(denied),
            AppError::Admin(refusal) => admin_status(refusal),
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::TooManySignIns(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::KeystoneUnavailable(_)
            | AppError::DatabaseBusy(_)
            | AppError::DatabaseUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log_cause();
        let mut response = json_error(self.status_code(), self.to_string());
        if self.status_code() == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Keystone uri=\"X-Auth-Token\""),
            );
        }
        response
    }
}

/// The admin check's refusals.
fn denied_status(denied: &Denied) -> StatusCode {
    match denied {
        Denied::NoToken | Denied::InvalidToken => StatusCode::UNAUTHORIZED,
        Denied::NotAdmin { .. } | Denied::OutsideDomain | Denied::ValidationRefused | Denied::UserHidden => {
            StatusCode::FORBIDDEN
        }
        Denied::NoSuchUser(_) => StatusCode::NOT_FOUND,
    }
}

/// The admin API's refusals of a request it understood.
fn admin_status(refusal: &AdminRefusal) -> StatusCode {
    match refusal {
        AdminRefusal::Issue(IssueError::Missing(_) | IssueError::PasswordWithAuthenticatorOnly) => {
            StatusCode::BAD_REQUEST
        }
        AdminRefusal::Issue(IssueError::AlreadyComplete | IssueError::AuthenticatorOff)
        | AdminRefusal::MfaOwed(_) => StatusCode::CONFLICT,
        AdminRefusal::NoRecord(_) => StatusCode::NOT_FOUND,
        AdminRefusal::OtherDomain { .. } => StatusCode::FORBIDDEN,
    }
}

/// The one place a refusal of the user's flow becomes a status.
fn refusal_status(refusal: &Refusal) -> StatusCode {
    match refusal {
        Refusal::LinkMissing
        | Refusal::LinkDamaged
        | Refusal::TokenMalformed
        | Refusal::FormNotUnderstood
        | Refusal::PinMalformed { .. }
        | Refusal::CodeMalformed
        | Refusal::PasswordUnusable
        | Refusal::PasswordsDiffer
        | Refusal::PasswordTooShort { .. }
        | Refusal::PasswordTooLong { .. }
        | Refusal::PasswordNeeded
        | Refusal::CurrentPasswordNeeded
        | Refusal::NameMissing
        | Refusal::NameUnusable { .. }
        | Refusal::EmailMissing
        | Refusal::EmailMalformed
        | Refusal::EmailsDiffer
        | Refusal::UserNameMissing
        | Refusal::DomainNotOffered
        | Refusal::RecoveryCodeMissing => StatusCode::BAD_REQUEST,
        Refusal::WrongRecoveryCode { .. } => StatusCode::FORBIDDEN,
        Refusal::RecoveryLocked => StatusCode::LOCKED,
        Refusal::CliSignInRefused => StatusCode::UNAUTHORIZED,
        Refusal::CliNeedsOperator | Refusal::NoProjects | Refusal::CredentialNameTaken => {
            StatusCode::CONFLICT
        }
        Refusal::CliSignInExpired => StatusCode::GONE,
        Refusal::ProjectNotYours => StatusCode::FORBIDDEN,
        Refusal::ProjectMissing
        | Refusal::CredentialNameUnusable
        | Refusal::ExpiryMalformed
        | Refusal::ExpiryNotInTheFuture
        | Refusal::ExpiryTooLate { .. }
        | Refusal::NoExpiryNotAllowed { .. }
        | Refusal::KeystoneRefusedCredential => StatusCode::BAD_REQUEST,
        // One status and one body for a wrong password and an unknown user.
        Refusal::SignInRefused => StatusCode::UNAUTHORIZED,
        Refusal::AccountLockedByKeystone | Refusal::EnrollmentLocked => StatusCode::LOCKED,
        Refusal::NotOptedIn => StatusCode::FORBIDDEN,
        Refusal::SelfEnrollNeedsOperator | Refusal::AlreadyEnrolled => StatusCode::CONFLICT,
        Refusal::EnrollmentUnknown => StatusCode::NOT_FOUND,
        Refusal::WrongPin { .. }
        | Refusal::WrongCode { .. }
        | Refusal::CodeNotAccepted { .. }
        | Refusal::WrongPassword
        | Refusal::WrongPasswordOrAccount
        | Refusal::WrongCurrentPassword { .. }
        | Refusal::WrongCurrentPasswordOrAccount { .. }
        | Refusal::AccountDisabled => StatusCode::FORBIDDEN,
        Refusal::LinkUnknown => StatusCode::NOT_FOUND,
        Refusal::ChangedElsewhere
        | Refusal::StageMoved(Stage::Password | Stage::Totp)
        | Refusal::NeedsOperator
        | Refusal::Busy
        | Refusal::Replaced => StatusCode::CONFLICT,
        Refusal::LinkUsed
        | Refusal::LinkExpired
        | Refusal::AccountGone
        | Refusal::StageMoved(Stage::Complete) => StatusCode::GONE,
        Refusal::LinkLocked
        | Refusal::LockedAfterPin
        | Refusal::LockedAfterCode
        | Refusal::LockedAfterPassword => StatusCode::LOCKED,
        Refusal::KeystoneRefusedPassword(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Refusal::TotpUnavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_stays_contended_answers_503() {
        let busy = AppError::from(crate::store::StoreError::Contended { tries: 3 });
        assert_eq!(busy.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let from_a_use_case =
            AppError::from(onboarding::Error::Store(crate::store::StoreError::Contended { tries: 3 }));
        assert_eq!(from_a_use_case.status_code(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_database_that_cannot_serve_answers_503_in_the_users_language() {
        let gone =
            crate::store::StoreError::Unavailable(Box::new(crate::store::StoreError::Contended { tries: 1 }));
        let err = AppError::from(onboarding::Error::Store(gone));
        assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let korean = err.user_message(crate::text::words(crate::domain::Locale::Ko)).unwrap();
        assert!(korean.contains("데이터베이스"), "{korean}");
    }
}
