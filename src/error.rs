//! The app's one error type and how each variant answers: a status and a short, safe message.
use crate::keystone::KeystoneError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Gone(String),
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Unprocessable(String),
    #[error("The PIN is not right. {}", attempts(*.attempts_left))]
    WrongPin { attempts_left: u32 },
    #[error("That code is not right.{} {}", skew_hint(*.skew_secs), attempts(*.attempts_left))]
    WrongCode { attempts_left: u32, skew_secs: Option<i64> },
    #[error("Your session has expired: type your new password again along with the code.")]
    PasswordNeeded,
    #[error("That password is not right: type the new password you just chose.")]
    WrongPassword,
    #[error("{0}")]
    NotConfirmed(String),
    #[error("The cloud did not accept that code: it may have changed just as you typed it. Wait for the next code to appear in your app and type that one. {}", attempts(*.attempts_left))]
    CodeNotAccepted { attempts_left: u32 },
    #[error("Your account is disabled in the cloud's identity service, so setup cannot go on. Contact your administrator; nothing on this link was used up, and you can open it again once your account is enabled.")]
    AccountDisabled,
    #[error("Your account no longer exists in the cloud's identity service. Contact your administrator.")]
    AccountGone,
    #[error("Setting up authenticator apps is not available right now. Please try again later or contact support; your password is set.")]
    TotpUnavailable,
    #[error("This link is being worked on in another window; reload the page in a moment.")]
    Busy,
    #[error("Setting up your authenticator needs your administrator; your password is set.")]
    NeedsOperator,
    #[error("This link was replaced by a newer one, or withdrawn, while you were using it. Use the latest link you received, or ask your administrator for a new one.")]
    Replaced,
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the identity service (Keystone) is unavailable; try again shortly")]
    KeystoneUnavailable(#[source] KeystoneError),
    #[error("internal error; the details are in the service log")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        AppError::Internal(Box::new(err))
    }

    /// Logs the cause of a 5xx, with the request id; a 4xx logs nothing here. Call once per answer.
    pub fn log_cause(&self) {
        let status = self.status_code();
        if !status.is_server_error() {
            return;
        }
        let id = crate::request_id::current().unwrap_or_else(|| "-".into());
        match self {
            AppError::KeystoneUnavailable(source) => log::warn!("{status} (request {id}): {}", chain(source)),
            AppError::Internal(source) => {
                log::error!("{status} (request {id}): internal error: {}", chain(source.as_ref()))
            }
            // The cause was logged where it was found; this ties it to the answer.
            other => log::warn!("{status} (request {id}): {other}"),
        }
    }
}

impl From<crate::store::StoreError> for AppError {
    fn from(err: crate::store::StoreError) -> Self {
        AppError::internal(err)
    }
}

impl From<KeystoneError> for AppError {
    fn from(err: KeystoneError) -> Self {
        AppError::KeystoneUnavailable(err)
    }
}

impl From<crate::crypto::pin_hasher::HashError> for AppError {
    fn from(err: crate::crypto::pin_hasher::HashError) -> Self {
        AppError::internal(err)
    }
}

impl From<crate::domain::Invalid> for AppError {
    fn from(err: crate::domain::Invalid) -> Self {
        AppError::BadRequest(err.0)
    }
}

fn attempts(left: u32) -> String {
    match left {
        1 => "1 attempt left.".into(),
        n => format!("{n} attempts left."),
    }
}

/// Phones whose clock is off are the most common reason enrollment fails: say so, and by how much.
fn skew_hint(skew_secs: Option<i64>) -> String {
    let Some(secs) = skew_secs else { return String::new() };
    let amount = if secs.abs() < 90 {
        format!("{} seconds", secs.abs())
    } else {
        format!("about {} minutes", (secs.abs() + 30) / 60)
    };
    let direction = if secs > 0 { "ahead" } else { "behind" };
    format!(" It matches a code from {amount} {direction}: your phone's clock seems to be off. Set it to update automatically (network time) and try again.")
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
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::Locked(_) => StatusCode::LOCKED,
            AppError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::WrongPin { .. }
            | AppError::WrongCode { .. }
            | AppError::CodeNotAccepted { .. }
            | AppError::WrongPassword
            | AppError::AccountDisabled => StatusCode::FORBIDDEN,
            AppError::PasswordNeeded => StatusCode::BAD_REQUEST,
            AppError::AccountGone => StatusCode::GONE,
            AppError::TotpUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Busy | AppError::NeedsOperator | AppError::Replaced => StatusCode::CONFLICT,
            AppError::NotConfirmed(_) => StatusCode::BAD_GATEWAY,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::KeystoneUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.log_cause();
        let mut response = json_error(self.status_code(), self.to_string());
        if matches!(self, AppError::Unauthorized(_)) {
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static("Keystone uri=\"X-Auth-Token\""),
            );
        }
        response
    }
}

/// An error and its causes on one line, for the log.
pub fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::skew_hint;

    #[test]
    fn a_skew_under_a_minute_and_a_half_is_said_in_seconds() {
        assert!(skew_hint(Some(-30)).contains("30 seconds behind"), "{}", skew_hint(Some(-30)));
        assert!(skew_hint(Some(60)).contains("60 seconds ahead"));
        assert!(skew_hint(Some(300)).contains("about 5 minutes ahead"));
        assert_eq!(skew_hint(None), "");
    }
}
