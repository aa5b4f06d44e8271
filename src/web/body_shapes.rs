//! Every request body and query the service reads, and the pure decoders for them (also the
//! entry points of the fuzz target in `fuzz/`). Secret fields are `SecretString`.
use crate::web::error::AppError;
use secrecy::SecretString;
use serde::Deserialize;

/// `PUT /token/{user_id}`.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    pub pin: Option<SecretString>,
    pub password: Option<SecretString>,
    /// `true`: a link that replaces the user's authenticator app and keeps their password
    /// (step 1 asks for it); excludes `password`.
    #[serde(default)]
    pub authenticator_only: bool,
    /// Where to mail the link (with `[email]` on).
    pub email: Option<String>,
    /// The link's language: `en`, `ko`.
    pub locale: Option<String>,
}

/// `POST /api/v1/status`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub token: SecretString,
}

/// `POST /api/v1/password`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    pub token: SecretString,
    pub pin: SecretString,
    pub password: SecretString,
}

/// `POST /api/v1/totp`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TotpBody {
    pub token: SecretString,
    pub code: SecretString,
    #[serde(default)]
    pub password: Option<SecretString>,
}

/// `POST /api/v1/resume`: after the operator acted on a user whose MFA rules blocked enrollment.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResumeBody {
    pub token: SecretString,
    pub password: SecretString,
}

/// `?token=` of the user's link; other parameters (a mail system's tracking) are ignored.
#[derive(Deserialize)]
pub struct LinkQuery {
    pub token: Option<SecretString>,
}

/// The fields of both of the user's forms; which step runs is decided by the fields sent.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepForm {
    pub pin: Option<SecretString>,
    pub password: Option<SecretString>,
    pub confirm_password: Option<SecretString>,
    pub code: Option<SecretString>,
    /// Sent by the "needs your administrator" page: try the password again.
    pub resume: Option<String>,
}

/// The helpdesk reset form (`POST /reset`).
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub confirm_email: String,
    pub pin: Option<SecretString>,
}

/// An `application/x-www-form-urlencoded` body.
pub fn decode_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    serde_urlencoded::from_bytes(body).map_err(|_| AppError::from(crate::domain::Refusal::FormNotUnderstood))
}

/// A query string.
pub fn decode_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, AppError> {
    serde_urlencoded::from_str(query).map_err(|_| AppError::from(crate::domain::Refusal::LinkDamaged))
}

/// A JSON step body: each carries the link token.
pub trait Linked {
    fn token(&self) -> &SecretString;
}

macro_rules! linked {
    ($($body:ty),*) => {
        $(impl Linked for $body {
            fn token(&self) -> &SecretString {
                &self.token
            }
        })*
    };
}

linked!(StatusBody, PasswordBody, TotpBody, ResumeBody);
