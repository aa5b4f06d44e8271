//! The seam between the use cases and Keystone: every call they make, as a trait. The HTTP
//! client (`KeystoneClient`) is the real implementation; `fake.rs` an in-memory one for tests.
use super::{
    AppCredentialCreate, IssuedToken, KeystoneClient, KeystoneError, KeystoneUser, Login, MfaOptions,
    NamedLogin, PasswordChange, Project, Receipt, Rescoped, TotpLogin, ValidatedToken,
};
use crate::domain::UserId;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// What setpass asks of Keystone's Identity API v3. Tokens are passed as `&str` and never
/// appear in an error.
#[async_trait]
pub trait Identity: Send + Sync {
    /// `GET /v3`: Keystone is up and answering.
    async fn version(&self) -> Result<(), KeystoneError>;

    /// `GET /v3`'s `version.id` (`v3.14`, say).
    async fn version_id(&self) -> Result<Option<String>, KeystoneError>;

    /// A token's scope and roles; `InvalidToken` when Keystone does not accept it.
    async fn validate_token(&self, token: &str) -> Result<ValidatedToken, KeystoneError>;

    /// The token rescoped to `project` in `domain` (an id or a name); `None` when refused.
    async fn rescope(
        &self,
        token: &str,
        project: &str,
        domain: &str,
    ) -> Result<Option<Rescoped>, KeystoneError>;

    /// The user, read with `token`; `None` if Keystone has no such user.
    async fn get_user(&self, token: &str, user_id: &UserId) -> Result<Option<KeystoneUser>, KeystoneError>;

    /// Keystone's description of its password rule for `domain_id`, when it has one.
    async fn password_rule(&self, token: &str, domain_id: &str) -> Result<Option<String>, KeystoneError>;

    /// Changes the password with the original one (no token). Keystone revokes the user's
    /// tokens issued up to the second of the change.
    async fn change_password(
        &self,
        user_id: &UserId,
        original: &str,
        new: &str,
    ) -> Result<PasswordChange, KeystoneError>;

    /// An unscoped token by user id and password, or a receipt when the MFA rules want more.
    async fn password_login(&self, user_id: &UserId, password: &str) -> Result<Login, KeystoneError>;

    /// An unscoped login by user name in `domain` (a name or an id): who it is, and a token or a
    /// receipt; Keystone's lockout told apart from every other refusal.
    async fn password_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
    ) -> Result<NamedLogin, KeystoneError>;

    /// Logs in with a TOTP code alone; a receipt (MFA rules on) also means the code was accepted.
    async fn totp_login(&self, user_id: &UserId, code: &str) -> Result<TotpLogin, KeystoneError>;

    /// Completes an auth receipt with a TOTP code (`Openstack-Auth-Receipt`, `totp` method).
    async fn complete_receipt(
        &self,
        receipt: &Receipt,
        user_id: &UserId,
        code: &str,
    ) -> Result<Login, KeystoneError>;

    /// A token for an application credential (the operator's service credential).
    async fn application_credential_login(&self, id: &str, secret: &str) -> Result<Login, KeystoneError>;

    /// Whether Keystone's `[auth] methods` has `totp`.
    async fn totp_method_enabled(&self) -> Result<bool, KeystoneError>;

    /// Creates the user's `totp` credential with `secret` as its blob; answers its id.
    async fn create_totp_credential(
        &self,
        token: &str,
        user_id: &UserId,
        secret: &str,
    ) -> Result<String, KeystoneError>;

    /// The ids of the user's `totp` credentials.
    async fn list_totp_credentials(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Vec<String>, KeystoneError>;

    /// Deletes a credential; one already gone is not an error.
    async fn delete_credential(&self, token: &str, credential_id: &str) -> Result<(), KeystoneError>;

    /// Sets the user's `multi_factor_auth_enabled` and (when not null) rules.
    async fn set_mfa(&self, token: &str, user_id: &UserId, mfa: &MfaOptions) -> Result<(), KeystoneError>;

    /// An unscoped login by user name with the password and a TOTP code together.
    async fn password_totp_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
        code: &str,
    ) -> Result<NamedLogin, KeystoneError>;

    /// The projects the token's user may scope to.
    async fn user_projects(&self, token: &str) -> Result<Vec<Project>, KeystoneError>;

    /// The token rescoped to a project by id; `None` when refused (no role there).
    async fn scope_to_project(
        &self,
        token: &str,
        project_id: &str,
    ) -> Result<Option<IssuedToken>, KeystoneError>;

    /// A restricted application credential of the token's user on the token's project.
    async fn create_application_credential(
        &self,
        token: &str,
        user_id: &UserId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<AppCredentialCreate, KeystoneError>;
}

/// The real Keystone, over HTTP: each call is the client's own (in `tokens.rs`, `user_ops.rs`,
/// `credentials.rs`).
#[async_trait]
impl Identity for KeystoneClient {
    async fn version(&self) -> Result<(), KeystoneError> {
        KeystoneClient::version(self).await
    }

    async fn version_id(&self) -> Result<Option<String>, KeystoneError> {
        KeystoneClient::version_id(self).await
    }

    async fn validate_token(&self, token: &str) -> Result<ValidatedToken, KeystoneError> {
        KeystoneClient::validate_token(self, token).await
    }

    async fn rescope(
        &self,
        token: &str,
        project: &str,
        domain: &str,
    ) -> Result<Option<Rescoped>, KeystoneError> {
        KeystoneClient::rescope(self, token, project, domain).await
    }

    async fn get_user(&self, token: &str, user_id: &UserId) -> Result<Option<KeystoneUser>, KeystoneError> {
        KeystoneClient::get_user(self, token, user_id).await
    }

    async fn password_rule(&self, token: &str, domain_id: &str) -> Result<Option<String>, KeystoneError> {
        KeystoneClient::password_rule(self, token, domain_id).await
    }

    async fn change_password(
        &self,
        user_id: &UserId,
        original: &str,
        new: &str,
    ) -> Result<PasswordChange, KeystoneError> {
        KeystoneClient::change_password(self, user_id, original, new).await
    }

    async fn password_login(&self, user_id: &UserId, password: &str) -> Result<Login, KeystoneError> {
        KeystoneClient::password_login(self, user_id, password).await
    }

    async fn password_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        KeystoneClient::password_login_named(self, user_name, domain, password).await
    }

    async fn totp_login(&self, user_id: &UserId, code: &str) -> Result<TotpLogin, KeystoneError> {
        KeystoneClient::totp_login(self, user_id, code).await
    }

    async fn complete_receipt(
        &self,
        receipt: &Receipt,
        user_id: &UserId,
        code: &str,
    ) -> Result<Login, KeystoneError> {
        KeystoneClient::complete_receipt(self, receipt, user_id, code).await
    }

    async fn application_credential_login(&self, id: &str, secret: &str) -> Result<Login, KeystoneError> {
        KeystoneClient::application_credential_login(self, id, secret).await
    }

    async fn totp_method_enabled(&self) -> Result<bool, KeystoneError> {
        KeystoneClient::totp_method_enabled(self).await
    }

    async fn create_totp_credential(
        &self,
        token: &str,
        user_id: &UserId,
        secret: &str,
    ) -> Result<String, KeystoneError> {
        KeystoneClient::create_totp_credential(self, token, user_id, secret).await
    }

    async fn list_totp_credentials(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Vec<String>, KeystoneError> {
        KeystoneClient::list_totp_credentials(self, token, user_id).await
    }

    async fn delete_credential(&self, token: &str, credential_id: &str) -> Result<(), KeystoneError> {
        KeystoneClient::delete_credential(self, token, credential_id).await
    }

    async fn set_mfa(&self, token: &str, user_id: &UserId, mfa: &MfaOptions) -> Result<(), KeystoneError> {
        KeystoneClient::set_mfa(self, token, user_id, mfa).await
    }

    async fn password_totp_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
        code: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        KeystoneClient::password_totp_login_named(self, user_name, domain, password, code).await
    }

    async fn user_projects(&self, token: &str) -> Result<Vec<Project>, KeystoneError> {
        KeystoneClient::user_projects(self, token).await
    }

    async fn scope_to_project(
        &self,
        token: &str,
        project_id: &str,
    ) -> Result<Option<IssuedToken>, KeystoneError> {
        KeystoneClient::scope_to_project(self, token, project_id).await
    }

    async fn create_application_credential(
        &self,
        token: &str,
        user_id: &UserId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<AppCredentialCreate, KeystoneError> {
        KeystoneClient::create_application_credential(self, token, user_id, name, expires_at).await
    }
}
