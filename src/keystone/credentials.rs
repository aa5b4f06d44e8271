//! TOTP credentials and MFA options: enrollment's writes to Keystone.
use super::{refusal, KeystoneClient, KeystoneError, MfaOptions};
use crate::domain::UserId;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

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

impl KeystoneClient {
    pub async fn create_totp_credential(
        &self,
        token: &str,
        user_id: &UserId,
        secret: &str,
    ) -> Result<String, KeystoneError> {
        const OP: &str = "credential creation";
        let body = json!({"credential": {"type": "totp", "user_id": user_id.as_str(), "blob": secret}});
        let request = self.request(Method::POST, &["credentials"]).header("X-Auth-Token", token).json(&body);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                Ok(Self::json::<CredentialBody>(OP, response).await?.credential.id)
            }
            status => Err(refusal(OP, status)),
        }
    }

    pub async fn list_totp_credentials(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Vec<String>, KeystoneError> {
        const OP: &str = "credential list";
        let mut url = self.url(&["credentials"]);
        url.query_pairs_mut().append_pair("user_id", user_id.as_str()).append_pair("type", "totp");
        let response =
            self.send(OP, self.request_url(Method::GET, url).header("X-Auth-Token", token)).await?;
        match response.status() {
            StatusCode::OK => Ok(Self::json::<Credentials>(OP, response)
                .await?
                .credentials
                .into_iter()
                .map(|c| c.id)
                .collect()),
            status => Err(refusal(OP, status)),
        }
    }

    /// Deletes a credential; one already gone counts as deleted (a retried delete meets 404).
    pub async fn delete_credential(&self, token: &str, credential_id: &str) -> Result<(), KeystoneError> {
        const OP: &str = "credential deletion";
        let request =
            self.request(Method::DELETE, &["credentials", credential_id]).header("X-Auth-Token", token);
        match self.send(OP, request).await?.status() {
            status if status.is_success() || status == StatusCode::NOT_FOUND => Ok(()),
            status => Err(refusal(OP, status)),
        }
    }

    /// Sets the user's MFA options. An admin's call: a user cannot change these on themselves.
    pub async fn set_mfa(
        &self,
        token: &str,
        user_id: &UserId,
        mfa: &MfaOptions,
    ) -> Result<(), KeystoneError> {
        const OP: &str = "MFA rules update";
        let mut options = json!({"multi_factor_auth_enabled": mfa.enabled});
        if !mfa.rules.is_null() {
            options["multi_factor_auth_rules"] = mfa.rules.clone();
        }
        let body = json!({"user": {"options": options}});
        let request = self
            .request(Method::PATCH, &["users", user_id.as_str()])
            .header("X-Auth-Token", token)
            .json(&body);
        match self.send(OP, request).await?.status() {
            StatusCode::OK => Ok(()),
            status => Err(refusal(OP, status)),
        }
    }
}
