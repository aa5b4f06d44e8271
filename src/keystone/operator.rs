//! The operator's Keystone calls for `setpass invite`: find a domain, project, role or user by
//! name or id (as the `openstack` client does: the id first, then the name), create a user,
//! delete one it just made, and assign a role on a project.
use super::operator_auth::{refused, OperatorError};
use super::KeystoneClient;
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

/// A new user's fields. `Debug` hides the password.
pub struct NewUser<'a> {
    pub name: &'a str,
    pub domain_id: &'a str,
    pub email: &'a str,
    pub password: &'a SecretString,
}

impl std::fmt::Debug for NewUser<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewUser({} in {}, [redacted])", self.name, self.domain_id)
    }
}

impl KeystoneClient {
    /// `GET /v3/{collection}/{id}`, else `GET /v3/{collection}?name=..` (and `domain_id`):
    /// the id of the one match.
    async fn find(
        &self,
        token: &str,
        kind: &'static str,
        collection: &'static str,
        name_or_id: &str,
        domain_id: Option<&str>,
    ) -> Result<String, OperatorError> {
        const OP: &str = "a lookup by id or name";
        let one = kind;
        let request = self.request(Method::GET, &[collection, name_or_id]).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        if response.status() == StatusCode::OK {
            let body: Value = Self::json(OP, response).await?;
            let same_domain = domain_id.is_none_or(|d| body[one]["domain_id"].as_str() == Some(d));
            if let (Some(id), true) = (body[one]["id"].as_str(), same_domain) {
                return Ok(id.to_owned());
            }
        } else if !matches!(response.status(), StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) {
            return Err(refused(OP, response).await);
        }
        let mut url = self.url(&[collection]);
        url.query_pairs_mut().append_pair("name", name_or_id);
        if let Some(domain) = domain_id {
            url.query_pairs_mut().append_pair("domain_id", domain);
        }
        let response =
            self.send(OP, self.request_url(Method::GET, url).header("X-Auth-Token", token)).await?;
        if response.status() != StatusCode::OK {
            return Err(refused(OP, response).await);
        }
        let body: Value = Self::json(OP, response).await?;
        let found = body[collection].as_array().cloned().unwrap_or_default();
        match found.as_slice() {
            [only] => only["id"].as_str().map(str::to_owned).ok_or(OperatorError::NotFound {
                kind: one,
                name: name_or_id.to_owned(),
                where_: String::new(),
            }),
            _ => Err(OperatorError::NotFound {
                kind: one,
                name: name_or_id.to_owned(),
                where_: domain_id.map(|d| format!(" in domain {d}")).unwrap_or_default(),
            }),
        }
    }

    /// A domain's id, from its id or name.
    pub async fn find_domain(&self, token: &str, name_or_id: &str) -> Result<String, OperatorError> {
        self.find(token, "domain", "domains", name_or_id, None).await
    }

    /// A project's id, from its id or its name in `domain_id`.
    pub async fn find_project(
        &self,
        token: &str,
        name_or_id: &str,
        domain_id: &str,
    ) -> Result<String, OperatorError> {
        self.find(token, "project", "projects", name_or_id, Some(domain_id)).await
    }

    /// A role's id, from its id or name (global roles).
    pub async fn find_role(&self, token: &str, name_or_id: &str) -> Result<String, OperatorError> {
        self.find(token, "role", "roles", name_or_id, None).await
    }

    /// The id of the user named `name` in `domain_id`, if there is one.
    pub async fn find_user_named(
        &self,
        token: &str,
        name: &str,
        domain_id: &str,
    ) -> Result<Option<String>, OperatorError> {
        const OP: &str = "the user lookup";
        let mut url = self.url(&["users"]);
        url.query_pairs_mut().append_pair("name", name).append_pair("domain_id", domain_id);
        let response =
            self.send(OP, self.request_url(Method::GET, url).header("X-Auth-Token", token)).await?;
        if response.status() != StatusCode::OK {
            return Err(refused(OP, response).await);
        }
        let body: Value = Self::json(OP, response).await?;
        let users = body["users"].as_array().cloned().unwrap_or_default();
        Ok(users
            .iter()
            .find(|u| u["name"].as_str() == Some(name))
            .and_then(|u| u["id"].as_str().map(str::to_owned)))
    }

    /// `POST /v3/users`: the new user's id.
    pub async fn create_user(&self, token: &str, user: &NewUser<'_>) -> Result<String, OperatorError> {
        const OP: &str = "the user creation";
        let body = json!({"user": {"name": user.name, "domain_id": user.domain_id, "email": user.email,
            "password": user.password.expose_secret(), "enabled": true}});
        let request = self.request(Method::POST, &["users"]).header("X-Auth-Token", token).json(&body);
        let response = self.send(OP, request).await?;
        if response.status() != StatusCode::CREATED {
            return Err(refused(OP, response).await);
        }
        let body: Value = Self::json(OP, response).await?;
        body["user"]["id"].as_str().map(str::to_owned).ok_or(OperatorError::Keystone(
            super::KeystoneError::Unexpected { operation: OP, status: StatusCode::CREATED },
        ))
    }

    /// `DELETE /v3/users/{id}`: undoes a creation whose invitation failed.
    pub async fn delete_user(&self, token: &str, user_id: &str) -> Result<(), OperatorError> {
        const OP: &str = "the user deletion";
        let request = self.request(Method::DELETE, &["users", user_id]).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::NOT_FOUND => Ok(()),
            _ => Err(refused(OP, response).await),
        }
    }

    /// `PUT /v3/projects/{project}/users/{user}/roles/{role}`.
    pub async fn assign_project_role(
        &self,
        token: &str,
        project_id: &str,
        user_id: &str,
        role_id: &str,
    ) -> Result<(), OperatorError> {
        const OP: &str = "the role assignment";
        let segments = ["projects", project_id, "users", user_id, "roles", role_id];
        let response =
            self.send(OP, self.request(Method::PUT, &segments).header("X-Auth-Token", token)).await?;
        match response.status() {
            StatusCode::NO_CONTENT | StatusCode::OK | StatusCode::CREATED => Ok(()),
            _ => Err(refused(OP, response).await),
        }
    }
}
