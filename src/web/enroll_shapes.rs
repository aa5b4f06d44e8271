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

/// `POST /api/v1/cli`: the sign-in, and (with `project_id`) the choice.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliApiBody {
    pub user_name: String,
    #[serde(default)]
    pub domain: Option<String>,
    pub password: SecretString,
    pub code: SecretString,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// The forms of `/cli`: the sign-in, then the choice, which carries `sign_in` (the sealed
/// sign-in) instead of the password.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliBody {
    #[serde(default)]
    pub user_name: String,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub code: Option<SecretString>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub sign_in: Option<String>,
    /// The page's "never expires" box.
    #[serde(default)]
    pub no_expiry: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}
