//! Token calls for the admin check: validate a token, rescope an unscoped one.
use super::{refusal, subject_token, IssuedToken, KeystoneClient, KeystoneError, TokenBody, ValidatedToken};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A project-scoped token made from the caller's unscoped one, and what it carries.
#[derive(Debug)]
pub struct Rescoped {
    pub token: IssuedToken,
    pub validated: ValidatedToken,
}

impl KeystoneClient {
    /// Validates `token` with itself as the subject (Keystone's policy lets a token read itself).
    pub async fn validate_token(&self, token: &str) -> Result<ValidatedToken, KeystoneError> {
        const OP: &str = "token validation";
        let request = self
            .request_url(Method::GET, self.tokens_url())
            .header("X-Auth-Token", token)
            .header("X-Subject-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Self::json::<TokenBody>(OP, response).await?.token.into()),
            StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND => Err(KeystoneError::InvalidToken),
            status => Err(refusal(OP, status)),
        }
    }

    /// Exchanges an unscoped token for one scoped to `project` in `domain` (id or name, as the
    /// admin policy names it). `Ok(None)`: the token's user has no role there.
    pub async fn rescope(
        &self,
        token: &str,
        project: &str,
        domain: &str,
    ) -> Result<Option<Rescoped>, KeystoneError> {
        const OP: &str = "token rescope";
        for domain_ref in [json!({"id": domain}), json!({"name": domain})] {
            let body = json!({"auth": {
                "identity": {"methods": ["token"], "token": {"id": token}},
                "scope": {"project": {"name": project, "domain": domain_ref}},
            }});
            let response =
                self.send(OP, self.request_url(Method::POST, self.tokens_url()).json(&body)).await?;
            match response.status() {
                StatusCode::CREATED | StatusCode::OK => {
                    let value = subject_token(OP, &response)?;
                    let validated: ValidatedToken = Self::json::<TokenBody>(OP, response).await?.token.into();
                    let token = IssuedToken { value, expires_at: validated.expires_at };
                    return Ok(Some(Rescoped { token, validated }));
                }
                // No such project in a domain of that id: try the domain's name.
                StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND => continue,
                StatusCode::FORBIDDEN => return Ok(None),
                status => return Err(refusal(OP, status)),
            }
        }
        Ok(None)
    }
}
