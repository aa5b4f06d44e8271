//! Command-line access: the user's projects, a token scoped to one of them, and an application
//! credential made with that token (the user's own, never the service identity's).
use super::{refusal, subject_token, IssuedToken, KeystoneClient, KeystoneError, TokenBody};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::json;

/// A project the user has a role on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub domain_id: String,
}

/// A new application credential; its secret is shown once and never kept. `Debug` hides it.
pub struct NewAppCredential {
    pub id: String,
    pub secret: SecretString,
    pub expires_at: Option<DateTime<Utc>>,
    pub project_id: String,
}

impl std::fmt::Debug for NewAppCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewAppCredential({}, [redacted], expires {:?})", self.id, self.expires_at)
    }
}

/// What Keystone answered to the creation.
#[derive(Debug)]
pub enum AppCredentialCreate {
    Created(NewAppCredential),
    /// The user has an application credential of that name already (409).
    NameTaken,
    /// Keystone refused the request as given (400: an expiry in the past, say), with its words.
    Refused(String),
}

#[derive(Deserialize)]
struct Projects {
    projects: Vec<Project>,
}

#[derive(Deserialize)]
struct Created {
    application_credential: CreatedBody,
}

#[derive(Deserialize)]
struct CreatedBody {
    id: String,
    secret: String,
    /// Keystone writes it without a zone (`2027-03-06T00:00:00.000000`), meaning UTC.
    expires_at: Option<String>,
    project_id: String,
}

/// Keystone's timestamp, with or without a zone and fractions of a second.
fn keystone_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
        chrono::NaiveDateTime::parse_from_str(text.trim_end_matches('Z'), "%Y-%m-%dT%H:%M:%S%.f")
            .ok()
            .map(|naive| naive.and_utc())
    })
}

impl KeystoneClient {
    /// `GET /v3/auth/projects`: the projects `token`'s user may scope to.
    pub async fn user_projects(&self, token: &str) -> Result<Vec<Project>, KeystoneError> {
        const OP: &str = "project list";
        let request = self.request(Method::GET, &["auth", "projects"]).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Self::json::<Projects>(OP, response).await?.projects),
            status => Err(refusal(OP, status)),
        }
    }

    /// `token` rescoped to the project with id `project_id` (the token method keeps the
    /// original's methods, so MFA rules it met stay met); `None` when Keystone refuses (no role).
    pub async fn scope_to_project(
        &self,
        token: &str,
        project_id: &str,
    ) -> Result<Option<IssuedToken>, KeystoneError> {
        const OP: &str = "token scope to project";
        let body = json!({"auth": {
            "identity": {"methods": ["token"], "token": {"id": token}},
            "scope": {"project": {"id": project_id}},
        }});
        let response = self.send(OP, self.request_url(Method::POST, self.tokens_url()).json(&body)).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                let value = subject_token(OP, &response)?;
                let expires_at = Self::json::<TokenBody>(OP, response).await?.token.expires_at;
                Ok(Some(IssuedToken { value, expires_at }))
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => Ok(None),
            status => Err(refusal(OP, status)),
        }
    }

    /// `POST /v3/users/{id}/application_credentials` with the user's project-scoped token: the
    /// credential gets the token's roles on that project, restricted (not `unrestricted`).
    pub async fn create_application_credential(
        &self,
        token: &str,
        user_id: &UserId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<AppCredentialCreate, KeystoneError> {
        const OP: &str = "application credential creation";
        let mut credential = json!({"name": name, "unrestricted": false,
            "description": "command-line access, made by setpass"});
        if let Some(at) = expires_at {
            credential["expires_at"] = json!(at.format("%Y-%m-%dT%H:%M:%S").to_string());
        }
        let request = self
            .request(Method::POST, &["users", user_id.as_str(), "application_credentials"])
            .header("X-Auth-Token", token)
            .json(&json!({"application_credential": credential}));
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => {
                let body = Self::json::<Created>(OP, response).await?.application_credential;
                Ok(AppCredentialCreate::Created(NewAppCredential {
                    id: body.id,
                    secret: body.secret.into(),
                    expires_at: body.expires_at.as_deref().and_then(keystone_time),
                    project_id: body.project_id,
                }))
            }
            StatusCode::CONFLICT => Ok(AppCredentialCreate::NameTaken),
            StatusCode::BAD_REQUEST => {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let message = body["error"]["message"].as_str().unwrap_or("the request was refused");
                Ok(AppCredentialCreate::Refused(message.chars().take(300).collect()))
            }
            status => Err(refusal(OP, status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::keystone_time;

    #[test]
    fn keystones_timestamps_are_read_with_or_without_a_zone() {
        let at = keystone_time("2027-03-06T10:20:30.000000").unwrap();
        assert_eq!(at.to_rfc3339(), "2027-03-06T10:20:30+00:00");
        assert_eq!(keystone_time("2027-03-06T10:20:30Z"), Some(at));
        assert_eq!(keystone_time("soon"), None);
    }
}
