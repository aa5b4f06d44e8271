//! A login by user name in a domain, for people setpass has no record of (self-enrollment,
//! recovery): who Keystone says it is, and whether the password alone was enough.
use super::{IssuedToken, KeystoneClient, KeystoneError, Login, Receipt};
use crate::domain::UserId;
use serde_json::{json, Value};

/// What a login by name answered.
#[derive(Debug)]
pub enum NamedLogin {
    /// The password alone was enough (no MFA rule wants more).
    Token { user_id: UserId, token: IssuedToken },
    /// The password is right; the user's MFA rules want another factor.
    Receipt { user_id: UserId, receipt: Receipt },
    /// Keystone has locked the account after too many failed logins.
    Locked,
    /// A wrong password, an unknown user or domain, a disabled user: Keystone says no more.
    Rejected,
}

/// A domain named by id when it looks like one (Keystone's `default`, or 32 hex digits), else by name.
pub fn domain_ref(domain: &str) -> Value {
    let is_id = domain == "default" || (domain.len() == 32 && domain.bytes().all(|b| b.is_ascii_hexdigit()));
    if is_id {
        json!({"id": domain})
    } else {
        json!({"name": domain})
    }
}

impl KeystoneClient {
    /// `POST /v3/auth/tokens` with the password method, the user by name in `domain`.
    pub async fn password_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        let identity = json!({"methods": ["password"], "password": {"user": {
            "name": user_name, "domain": domain_ref(domain), "password": password}}});
        self.named("password login by name", identity).await
    }

    /// The password and a TOTP code together, the user by name in `domain` (what MFA rules such
    /// as `["password", "totp"]` want): a wrong code is refused like a wrong password.
    pub async fn password_totp_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
        code: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        let user = json!({"name": user_name, "domain": domain_ref(domain)});
        let mut with_password = user.clone();
        with_password["password"] = json!(password);
        let mut with_code = user;
        with_code["passcode"] = json!(code);
        let identity = json!({"methods": ["password", "totp"],
            "password": {"user": with_password}, "totp": {"user": with_code}});
        self.named("password and TOTP login by name", identity).await
    }

    async fn named(&self, operation: &'static str, identity: Value) -> Result<NamedLogin, KeystoneError> {
        let (login, body) = self.auth_with(operation, identity, None).await?;
        let user_id = |at: &str| {
            body[at]["user"]["id"]
                .as_str()
                .and_then(|id| UserId::parse(id).ok())
                .ok_or(KeystoneError::Unexpected { operation, status: reqwest::StatusCode::UNAUTHORIZED })
        };
        Ok(match login {
            Login::Token(token) => NamedLogin::Token { user_id: user_id("token")?, token },
            Login::Receipt(receipt) => NamedLogin::Receipt { user_id: user_id("receipt")?, receipt },
            Login::Rejected => {
                // Keystone names this one case (`AccountLocked`: "The account is locked for user: <id>.").
                let message = body["error"]["message"].as_str().unwrap_or("");
                if message.contains("is locked") {
                    NamedLogin::Locked
                } else {
                    NamedLogin::Rejected
                }
            }
        })
    }
}
