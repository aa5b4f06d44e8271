//! The operator's own login for `setpass invite` and `setpass links`: a password or an
//! application credential, scoped as `clouds.yaml` or the `OS_*` variables say.
use super::{subject_token, KeystoneClient, KeystoneError};
use reqwest::{Method, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

/// Something Keystone knows by id or by name (a domain, a project, a user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    Id(String),
    Name(String),
}

impl Named {
    fn json(&self) -> Value {
        match self {
            Named::Id(id) => json!({"id": id}),
            Named::Name(name) => json!({"name": name}),
        }
    }
}

/// Who the operator is. `Debug` hides the secrets.
pub enum OperatorAuth {
    Password {
        user: Named,
        user_domain: Option<Named>,
        password: SecretString,
    },
    /// By id, or by name with the owning user (`user_domain` when the user is named).
    ApplicationCredential {
        credential: Named,
        user: Option<Named>,
        user_domain: Option<Named>,
        secret: SecretString,
    },
}

impl std::fmt::Debug for OperatorAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OperatorAuth::Password { user, .. } => write!(f, "Password({user:?}, [redacted])"),
            OperatorAuth::ApplicationCredential { credential, .. } => {
                write!(f, "ApplicationCredential({credential:?}, [redacted])")
            }
        }
    }
}

/// What the operator's token is scoped to (an application credential brings its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorScope {
    Project { project: Named, domain: Option<Named> },
    Domain(Named),
    System,
    Unscoped,
}

/// The operator's token and where it reaches. `Debug` hides the token.
#[derive(Clone)]
pub struct OperatorToken {
    pub value: SecretString,
    /// The domain of a domain-scoped token: such a token reaches only that domain's users.
    pub domain_scope: Option<String>,
    /// The domain invitations go to by default: the scope's domain (the project's, for a
    /// project-scoped token), else the operator's own.
    pub home_domain: String,
}

impl std::fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OperatorToken([redacted], domain scope {:?}, home {})",
            self.domain_scope, self.home_domain
        )
    }
}

/// Why an operator's call failed, with Keystone's own words when it gave some.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error(transparent)]
    Keystone(#[from] KeystoneError),
    #[error("Keystone refused {operation} ({status}): {message}")]
    Refused { operation: &'static str, status: StatusCode, message: String },
    #[error("no {kind} `{name}` in Keystone{where_}")]
    NotFound { kind: &'static str, name: String, where_: String },
}

/// Keystone's `error.message`, shortened; Keystone never puts a secret there.
pub(crate) async fn refused(operation: &'static str, response: Response) -> OperatorError {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let message: String = body["error"]["message"]
        .as_str()
        .unwrap_or("no message")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    OperatorError::Refused { operation, status, message }
}

impl KeystoneClient {
    /// `POST /v3/auth/tokens` as the operator.
    pub async fn operator_login(
        &self,
        auth: &OperatorAuth,
        scope: &OperatorScope,
    ) -> Result<OperatorToken, OperatorError> {
        const OP: &str = "the operator's login";
        let user = |who: &Named, domain: &Option<Named>| {
            let mut user = who.json();
            if let (Named::Name(_), Some(domain)) = (who, domain) {
                user["domain"] = domain.json();
            }
            user
        };
        let identity = match auth {
            OperatorAuth::Password { user: who, user_domain, password } => {
                let mut user = user(who, user_domain);
                user["password"] = json!(password.expose_secret());
                json!({"methods": ["password"], "password": {"user": user}})
            }
            OperatorAuth::ApplicationCredential { credential, user: owner, user_domain, secret } => {
                let mut credential = credential.json();
                credential["secret"] = json!(secret.expose_secret());
                if let Some(owner) = owner {
                    credential["user"] = user(owner, user_domain);
                }
                json!({"methods": ["application_credential"], "application_credential": credential})
            }
        };
        let mut body = json!({"auth": {"identity": identity}});
        let scope = match (auth, scope) {
            (OperatorAuth::ApplicationCredential { .. }, _) | (_, OperatorScope::Unscoped) => None,
            (_, OperatorScope::System) => Some(json!({"system": {"all": true}})),
            (_, OperatorScope::Domain(domain)) => Some(json!({"domain": domain.json()})),
            (_, OperatorScope::Project { project, domain }) => {
                let mut project = project.json();
                if let Some(domain) = domain.as_ref().filter(|_| project.get("name").is_some()) {
                    project["domain"] = domain.json();
                }
                Some(json!({"project": project}))
            }
        };
        if let Some(scope) = scope {
            body["auth"]["scope"] = scope;
        }
        let response = self.send(OP, self.request_url(Method::POST, self.tokens_url()).json(&body)).await?;
        if !matches!(response.status(), StatusCode::CREATED | StatusCode::OK) {
            return Err(refused(OP, response).await);
        }
        let value = subject_token(OP, &response)?;
        let body: Value = Self::json(OP, response).await?;
        let token = &body["token"];
        let text = |v: &Value| v.as_str().map(str::to_owned);
        let domain_scope = text(&token["domain"]["id"]);
        let home_domain = domain_scope
            .clone()
            .or_else(|| text(&token["project"]["domain"]["id"]))
            .or_else(|| text(&token["user"]["domain"]["id"]))
            .unwrap_or_else(|| "default".to_owned());
        Ok(OperatorToken { value, domain_scope, home_domain })
    }
}
