//! Keystone calls of the onboarding flow: users, the password change, logins.
use super::{refusal, subject_token, IssuedToken, KeystoneClient, KeystoneError};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

const RECEIPT_HEADER: &str = "openstack-auth-receipt";

#[derive(Debug, Clone, Deserialize)]
pub struct KeystoneUser {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub domain_id: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    options: Value,
}

fn yes() -> bool {
    true
}

impl KeystoneUser {
    /// A user as Keystone would answer it (the fake Keystone's, and tests').
    pub fn new(id: &str, name: &str, domain_id: &str, enabled: bool, mfa: &MfaOptions) -> Self {
        let mut options = serde_json::json!({"multi_factor_auth_enabled": mfa.enabled});
        if !mfa.rules.is_null() {
            options["multi_factor_auth_rules"] = mfa.rules.clone();
        }
        Self { id: id.into(), name: name.into(), email: None, domain_id: domain_id.into(), enabled, options }
    }

    /// The user's MFA options as Keystone has them now.
    pub fn mfa(&self) -> MfaOptions {
        MfaOptions {
            enabled: self.options["multi_factor_auth_enabled"].as_bool().unwrap_or(false),
            rules: self.options["multi_factor_auth_rules"].clone(),
        }
    }
}

/// A user's `multi_factor_auth_enabled` and `multi_factor_auth_rules`, as saved to be put back.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Deserialize)]
pub struct MfaOptions {
    pub enabled: bool,
    #[serde(default)]
    pub rules: Value,
}

#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChange {
    Changed,
    /// Keystone's rules refused the new password; its message, fit to show the user.
    Refused(String),
    /// The original password was not accepted (already changed, or the user is gone).
    OriginalRejected,
    /// Keystone says the account is disabled; nothing was changed.
    AccountDisabled,
}

#[derive(Debug)]
pub enum Login {
    Token(IssuedToken),
    /// The password was right, but the user's MFA rules want another factor.
    Receipt(Receipt),
    Rejected,
}

/// An auth receipt (`Openstack-Auth-Receipt`): the factors given so far were right, the MFA
/// rules want more. A login with the next factor and this receipt completes it. `Debug` hides it.
pub struct Receipt(pub secrecy::SecretString);

impl std::fmt::Debug for Receipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Receipt([redacted])")
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum TotpLogin {
    Accepted,
    Rejected,
    /// Keystone's `[auth] methods` lacks `totp`; these are the methods it has.
    MethodDisabled(Vec<String>),
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
struct UserBody {
    user: KeystoneUser,
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

/// The methods Keystone lists when it refuses an auth method it does not have enabled.
fn enabled_methods(body: &Value) -> Option<Vec<String>> {
    let methods = body["error"]["identity"]["methods"].as_array()?;
    Some(methods.iter().filter_map(|m| m.as_str().map(str::to_owned)).collect())
}

impl KeystoneClient {
    /// `GET /v3/users/{id}` with `token`; `None` if Keystone has no such user.
    pub async fn get_user(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Option<KeystoneUser>, KeystoneError> {
        const OP: &str = "user lookup";
        let request = self.request(Method::GET, &["users", user_id.as_str()]).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Some(Self::json::<UserBody>(OP, response).await?.user)),
            StatusCode::NOT_FOUND => Ok(None),
            status => Err(refusal(OP, status)),
        }
    }

    /// Keystone's own description of its password rule (`[security_compliance]
    /// password_regex_description`), as it answers for `domain_id`; `None` when it has none.
    /// Keystone answers only for its default domain (403 for any other).
    pub async fn password_rule(&self, token: &str, domain_id: &str) -> Result<Option<String>, KeystoneError> {
        const OP: &str = "password rule lookup";
        let request = self
            .request(Method::GET, &["domains", domain_id, "config", "security_compliance"])
            .header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        if response.status() != StatusCode::OK {
            return Err(refusal(OP, response.status()));
        }
        let body: Value = Self::json(OP, response).await?;
        let config = &body["config"];
        let description = config["security_compliance"]["password_regex_description"]
            .as_str()
            .or_else(|| config["password_regex_description"].as_str());
        Ok(description.map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned))
    }

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
        let request = self.request(Method::POST, &["users", user_id.as_str(), "password"]).json(&body);
        let response = self.send(OP, request).await?;
        match response.status() {
            status if status.is_success() => Ok(PasswordChange::Changed),
            StatusCode::BAD_REQUEST => Ok(PasswordChange::Refused(keystone_message(response).await)),
            StatusCode::UNAUTHORIZED => {
                // Keystone names this one case in its answer (30.0.0: "The account is disabled
                // for user: <id>."); every other refusal is the generic 401.
                let message = keystone_message(response).await;
                if message.contains("is disabled") {
                    Ok(PasswordChange::AccountDisabled)
                } else {
                    Ok(PasswordChange::OriginalRejected)
                }
            }
            StatusCode::NOT_FOUND => Ok(PasswordChange::OriginalRejected),
            status => Err(unexpected(OP, status)),
        }
    }

    /// `POST /v3/auth/tokens`; a 401 body is returned for the caller to read.
    async fn auth(&self, operation: &'static str, identity: Value) -> Result<(Login, Value), KeystoneError> {
        self.auth_with(operation, identity, None).await
    }

    pub(super) async fn auth_with(
        &self,
        operation: &'static str,
        identity: Value,
        receipt: Option<&Receipt>,
    ) -> Result<(Login, Value), KeystoneError> {
        let mut request =
            self.request_url(Method::POST, self.tokens_url()).json(&json!({"auth": {"identity": identity}}));
        if let Some(Receipt(receipt)) = receipt {
            request = request.header(RECEIPT_HEADER, secrecy::ExposeSecret::expose_secret(receipt));
        }
        let response = self.send(operation, request).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                let value = subject_token(operation, &response)?;
                let body: Value = Self::json(operation, response).await?;
                let expiry: TokenExpiry = serde_json::from_value(body.clone())
                    .map_err(|_| KeystoneError::Unexpected { operation, status: StatusCode::CREATED })?;
                Ok((Login::Token(IssuedToken { value, expires_at: expiry.token.expires_at }), body))
            }
            StatusCode::UNAUTHORIZED if response.headers().contains_key(RECEIPT_HEADER) => {
                let receipt = response
                    .headers()
                    .get(RECEIPT_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = response.json().await.unwrap_or(Value::Null);
                Ok((Login::Receipt(Receipt(receipt.into())), body))
            }
            StatusCode::UNAUTHORIZED => Ok((Login::Rejected, response.json().await.unwrap_or(Value::Null))),
            status => Err(unexpected(operation, status)),
        }
    }

    pub(super) async fn login(
        &self,
        operation: &'static str,
        identity: Value,
    ) -> Result<Login, KeystoneError> {
        Ok(self.auth(operation, identity).await?.0)
    }

    /// Completes `receipt` with a TOTP code: a token when the rules are now met.
    pub async fn complete_receipt(
        &self,
        receipt: &Receipt,
        user_id: &UserId,
        code: &str,
    ) -> Result<Login, KeystoneError> {
        let identity =
            json!({"methods": ["totp"], "totp": {"user": {"id": user_id.as_str(), "passcode": code}}});
        Ok(self.auth_with("receipt completion", identity, Some(receipt)).await?.0)
    }

    /// A token for an application credential.
    pub async fn application_credential_login(&self, id: &str, secret: &str) -> Result<Login, KeystoneError> {
        let identity = json!({"methods": ["application_credential"], "application_credential": {
            "id": id, "secret": secret}});
        self.login("service credential login", identity).await
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
        Ok(match self.auth("TOTP login", identity).await? {
            (Login::Token(_) | Login::Receipt(_), _) => TotpLogin::Accepted,
            (Login::Rejected, body) => match enabled_methods(&body) {
                Some(methods) if !methods.iter().any(|m| m == "totp") => TotpLogin::MethodDisabled(methods),
                _ => TotpLogin::Rejected,
            },
        })
    }

    /// Whether Keystone's `[auth] methods` has `totp`: a TOTP login for a user that does not
    /// exist is refused either way, but only a disabled method makes Keystone list its methods.
    pub async fn totp_method_enabled(&self) -> Result<bool, KeystoneError> {
        let identity = json!({"methods": ["totp"], "totp": {"user": {"id": "setpass-readiness-probe", "passcode": "000000"}}});
        Ok(match self.auth("TOTP method check", identity).await? {
            (Login::Rejected, body) => enabled_methods(&body).is_none_or(|m| m.iter().any(|m| m == "totp")),
            _ => true,
        })
    }
}
