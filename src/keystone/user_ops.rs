//! Keystone calls of the onboarding flow: password change, logins, TOTP credentials, MFA rules.
use super::{IssuedToken, KeystoneClient, KeystoneError};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use reqwest::{Method, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

const RECEIPT_HEADER: &str = "openstack-auth-receipt";

#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChange {
    Changed,
    /// Keystone's rules refused the new password; its message, fit to show the user.
    Refused(String),
    /// The original password was not accepted (perhaps already changed).
    OriginalRejected,
}

#[derive(Debug)]
pub enum Login {
    Token(IssuedToken),
    /// The password was right, but the user's MFA rules want another factor.
    Receipt,
    Rejected,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TotpLogin {
    Accepted,
    Rejected,
}

#[derive(Deserialize)]
struct TokenExpiry {
    token: TokenExpiryInner,
}

#[derive(Deserialize)]
struct TokenExpiryInner {
    expires_at: DateTime<Utc>,
}

#[derive(Deserialize)]
struct Credentials {
    credentials: Vec<CredentialId>,
}

#[derive(Deserialize)]
struct CredentialId {
    id: String,
}

#[derive(Deserialize)]
struct CredentialBody {
    credential: CredentialId,
}

fn unexpected(operation: &'static str, status: StatusCode) -> KeystoneError {
    KeystoneError::Unexpected { operation, status }
}

/// Keystone's `{"error": {"message": ...}}`, trimmed to a length fit for a page.
async fn keystone_message(response: Response) -> String {
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message = body["error"]["message"].as_str().unwrap_or("Keystone refused the new password").trim();
    message.chars().take(300).collect()
}

impl KeystoneClient {
    /// `POST /v3/users/{id}/password` with no token: works even when the admin-set password has
    /// expired (`change_password_upon_first_use`).
    pub async fn change_password(
        &self,
        user_id: &UserId,
        original: &str,
        new: &str,
    ) -> Result<PasswordChange, KeystoneError> {
        const OP: &str = "password change";
        let body = json!({"user": {"original_password": original, "password": new}});
        let request = self.request(Method::POST, &format!("/users/{user_id}/password")).json(&body);
        let response = self.send(OP, request).await?;
        match response.status() {
            status if status.is_success() => Ok(PasswordChange::Changed),
            StatusCode::BAD_REQUEST => Ok(PasswordChange::Refused(keystone_message(response).await)),
            StatusCode::UNAUTHORIZED => Ok(PasswordChange::OriginalRejected),
            status => Err(unexpected(OP, status)),
        }
    }

    async fn login(&self, operation: &'static str, identity: Value) -> Result<Login, KeystoneError> {
        let request = self
            .request(Method::POST, "/auth/tokens?nocatalog")
            .json(&json!({"auth": {"identity": identity}}));
        let response = self.send(operation, request).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                let value = response
                    .headers()
                    .get("x-subject-token")
                    .and_then(|v| v.to_str().ok())
                    .map(|v| SecretString::from(v.to_owned()))
                    .ok_or(unexpected(operation, StatusCode::CREATED))?;
                let body: TokenExpiry = Self::json(operation, response).await?;
                Ok(Login::Token(IssuedToken { value, expires_at: body.token.expires_at }))
            }
            StatusCode::UNAUTHORIZED if response.headers().contains_key(RECEIPT_HEADER) => Ok(Login::Receipt),
            StatusCode::UNAUTHORIZED => Ok(Login::Rejected),
            status => Err(unexpected(operation, status)),
        }
    }

    /// An unscoped token for the user, by user id and password.
    pub async fn password_login(&self, user_id: &UserId, password: &str) -> Result<Login, KeystoneError> {
        let identity = json!({"methods": ["password"], "password": {"user": {"id": user_id.as_str(), "password": password}}});
        self.login("password login", identity).await
    }

    /// Logs in with a TOTP code alone; a receipt (MFA rules on) also means the code was accepted.
    pub async fn totp_login(&self, user_id: &UserId, code: &str) -> Result<TotpLogin, KeystoneError> {
        let identity =
            json!({"methods": ["totp"], "totp": {"user": {"id": user_id.as_str(), "passcode": code}}});
        Ok(match self.login("TOTP login", identity).await? {
            Login::Token(_) | Login::Receipt => TotpLogin::Accepted,
            Login::Rejected => TotpLogin::Rejected,
        })
    }

    pub async fn create_totp_credential(
        &self,
        token: &str,
        user_id: &UserId,
        secret: &str,
    ) -> Result<String, KeystoneError> {
        const OP: &str = "credential creation";
        let body = json!({"credential": {"type": "totp", "user_id": user_id.as_str(), "blob": secret}});
        let request = self.request(Method::POST, "/credentials").header("X-Auth-Token", token).json(&body);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                Ok(Self::json::<CredentialBody>(OP, response).await?.credential.id)
            }
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(unexpected(OP, status)),
        }
    }

    pub async fn list_totp_credentials(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Vec<String>, KeystoneError> {
        const OP: &str = "credential list";
        let path = format!("/credentials?user_id={user_id}&type=totp");
        let response = self.send(OP, self.request(Method::GET, &path).header("X-Auth-Token", token)).await?;
        match response.status() {
            StatusCode::OK => Ok(Self::json::<Credentials>(OP, response)
                .await?
                .credentials
                .into_iter()
                .map(|c| c.id)
                .collect()),
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(unexpected(OP, status)),
        }
    }

    pub async fn delete_credential(&self, token: &str, credential_id: &str) -> Result<(), KeystoneError> {
        const OP: &str = "credential deletion";
        let request = self
            .request(Method::DELETE, &format!("/credentials/{credential_id}"))
            .header("X-Auth-Token", token);
        match self.send(OP, request).await?.status() {
            status if status.is_success() || status == StatusCode::NOT_FOUND => Ok(()),
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(unexpected(OP, status)),
        }
    }

    /// The user's current `multi_factor_auth_rules` (JSON null when none).
    pub async fn mfa_rules(&self, token: &str, user_id: &UserId) -> Result<Value, KeystoneError> {
        const OP: &str = "user lookup";
        let request = self.request(Method::GET, &format!("/users/{user_id}")).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => {
                let body: Value = Self::json(OP, response).await?;
                Ok(body["user"]["options"]["multi_factor_auth_rules"].clone())
            }
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(unexpected(OP, status)),
        }
    }

    /// Turns the user's MFA rules on (with `rules`) or off. An admin's call: a user cannot
    /// change these on themselves.
    pub async fn set_mfa(
        &self,
        token: &str,
        user_id: &UserId,
        rules: Option<&Value>,
    ) -> Result<(), KeystoneError> {
        const OP: &str = "MFA rules update";
        let options = match rules {
            Some(rules) => json!({"multi_factor_auth_enabled": true, "multi_factor_auth_rules": rules}),
            None => json!({"multi_factor_auth_enabled": false}),
        };
        let body = json!({"user": {"options": options}});
        let request = self
            .request(Method::PATCH, &format!("/users/{user_id}"))
            .header("X-Auth-Token", token)
            .json(&body);
        match self.send(OP, request).await?.status() {
            StatusCode::OK => Ok(()),
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(unexpected(OP, status)),
        }
    }
}

/// The operator's application credential, logged in on first use and reused until near expiry.
pub struct ServiceCredential {
    id: String,
    secret: SecretString,
    cached: Mutex<Option<IssuedToken>>,
}

impl ServiceCredential {
    pub fn new(id: String, secret: SecretString) -> Self {
        Self { id, secret, cached: Mutex::new(None) }
    }

    pub async fn token(
        &self,
        keystone: &KeystoneClient,
        now: DateTime<Utc>,
    ) -> Result<SecretString, KeystoneError> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| t.expires_at > now + chrono::Duration::minutes(5)) {
            return Ok(token.value.clone());
        }
        let identity = json!({"methods": ["application_credential"], "application_credential": {
            "id": self.id, "secret": self.secret.expose_secret()}});
        match keystone.login("service credential login", identity).await? {
            Login::Token(token) => {
                let value = token.value.clone();
                *cached = Some(token);
                Ok(value)
            }
            _ => {
                log::error!(
                    "the service credential (keystone.service_credential_id) was refused by Keystone"
                );
                Err(KeystoneError::InvalidToken)
            }
        }
    }
}

impl std::fmt::Debug for ServiceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceCredential({}, [redacted])", self.id)
    }
}
