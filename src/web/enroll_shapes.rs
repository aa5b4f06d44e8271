//! The bodies of self-enrollment and recovery (JSON and the pages' forms). Secret fields are `SecretString`.
use secrecy::SecretString;
use serde::Deserialize;

/// `POST /api/v1/enroll`, and the sign-in form of `/enroll`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollBody {
    pub user_name: String,
    #[serde(default)]
    pub domain: Option<String>,
    pub password: SecretString,
    /// The page's language (the form sends it).
    #[serde(default)]
    pub lang: Option<String>,
}

/// `POST /api/v1/enroll/totp`, and the code form of `/enroll`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrollCodeBody {
    pub enrollment: String,
    pub code: SecretString,
    #[serde(default)]
    pub lang: Option<String>,
}

/// `POST /api/v1/recover`, and the form of `/recover`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoverBody {
    pub user_name: String,
    #[serde(default)]
    pub domain: Option<String>,
    pub password: SecretString,
    pub recovery_code: SecretString,
    #[serde(default)]
    pub lang: Option<String>,
}
