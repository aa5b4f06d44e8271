//! The one client for Keystone's Identity API v3: built once, with a timeout, typed JSON.
use crate::domain::admin::{ProjectScope, TokenScope};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde::Deserialize;
use std::time::Duration;

mod user_ops;

pub use user_ops::{Login, PasswordChange, ServiceCredential, TotpLogin};

#[derive(Debug, thiserror::Error)]
pub enum KeystoneError {
    #[error("Keystone could not be reached during {operation}: {}", crate::error::chain(source))]
    Unreachable {
        operation: &'static str,
        #[source]
        source: reqwest::Error,
    },
    #[error("Keystone answered {status} to {operation}")]
    Unexpected { operation: &'static str, status: StatusCode },
    #[error("Keystone rejected the token")]
    InvalidToken,
    #[error("Keystone refused the request (403)")]
    Forbidden,
}

/// A Keystone token and when it expires. `Debug` hides the token.
#[derive(Clone)]
pub struct IssuedToken {
    pub value: secrecy::SecretString,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuedToken([redacted], expires {})", self.expires_at)
    }
}

/// A validated token: its scope and roles, and when it stops being valid.
#[derive(Debug, Clone)]
pub struct ValidatedToken {
    pub scope: TokenScope,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct KeystoneUser {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Clone)]
pub struct KeystoneClient {
    http: reqwest::Client,
    base: String,
    latency: Option<prometheus::HistogramVec>,
}

impl KeystoneClient {
    /// `auth_url` is the v3 root, e.g. `http://127.0.0.1:5000/v3`.
    pub fn new(auth_url: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("setpass/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { http, base: auth_url.trim_end_matches('/').to_owned(), latency: None })
    }

    /// Records each call's latency, labelled by operation and status.
    pub fn with_latency_histogram(mut self, histogram: prometheus::HistogramVec) -> Self {
        self.latency = Some(histogram);
        self
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path)).header("Accept", "application/json")
    }

    /// Sends once; a GET that failed before any answer (a pooled connection the server had
    /// closed, say) is sent once more on a fresh connection. Timeouts are not retried.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        mut request: RequestBuilder,
    ) -> Result<Response, KeystoneError> {
        let ours = crate::request_id::current();
        if let Some(id) = &ours {
            // Keystone logs this as the global request id of its own request.
            request = request.header("X-OpenStack-Request-ID", format!("req-{id}"));
        }
        let started = std::time::Instant::now();
        let retry = request.try_clone().filter(|_| is_get(&request));
        let result = match (request.send().await, retry) {
            (Err(err), Some(retry)) if !err.is_timeout() => {
                log::debug!("keystone {operation}: retrying after {}", crate::error::chain(&err));
                retry.send().await
            }
            (result, _) => result,
        };
        let status = result.as_ref().map_or_else(|_| "error".to_owned(), |r| r.status().as_u16().to_string());
        if let Some(histogram) = &self.latency {
            histogram.with_label_values(&[operation, &status]).observe(started.elapsed().as_secs_f64());
        }
        let response = result.map_err(|source| KeystoneError::Unreachable { operation, source })?;
        let theirs =
            response.headers().get("x-openstack-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
        log::info!(
            "keystone {operation}: {status} in {} ms (request {}, keystone {theirs})",
            started.elapsed().as_millis(),
            ours.as_deref().unwrap_or("-")
        );
        Ok(response)
    }

    pub(crate) async fn json<T: serde::de::DeserializeOwned>(
        operation: &'static str,
        response: Response,
    ) -> Result<T, KeystoneError> {
        let status = response.status();
        response.json().await.map_err(|err| {
            log::warn!("keystone {operation}: unreadable answer: {err}");
            KeystoneError::Unexpected { operation, status }
        })
    }

    /// `GET /v3`: Keystone is up and answering.
    pub async fn version(&self) -> Result<(), KeystoneError> {
        let response = self.send("version check", self.request(Method::GET, "")).await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(KeystoneError::Unexpected { operation: "version check", status }),
        }
    }

    /// Validates `token` with itself as the subject (Keystone's policy lets a token read itself).
    pub async fn validate_token(&self, token: &str) -> Result<ValidatedToken, KeystoneError> {
        const OP: &str = "token validation";
        let request = self
            .request(Method::GET, "/auth/tokens?nocatalog")
            .header("X-Auth-Token", token)
            .header("X-Subject-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => {
                let body: TokenBody = Self::json(OP, response).await?;
                Ok(body.token.into())
            }
            StatusCode::UNAUTHORIZED | StatusCode::NOT_FOUND => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(KeystoneError::Unexpected { operation: OP, status }),
        }
    }

    /// `GET /v3/users/{id}` with the caller's token; `None` if Keystone has no such user.
    pub async fn get_user(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Option<KeystoneUser>, KeystoneError> {
        const OP: &str = "user lookup";
        let request = self.request(Method::GET, &format!("/users/{user_id}")).header("X-Auth-Token", token);
        let response = self.send(OP, request).await?;
        match response.status() {
            StatusCode::OK => Ok(Some(Self::json::<UserBody>(OP, response).await?.user)),
            StatusCode::NOT_FOUND => Ok(None),
            StatusCode::UNAUTHORIZED => Err(KeystoneError::InvalidToken),
            StatusCode::FORBIDDEN => Err(KeystoneError::Forbidden),
            status => Err(KeystoneError::Unexpected { operation: OP, status }),
        }
    }
}

fn is_get(request: &RequestBuilder) -> bool {
    request.try_clone().and_then(|r| r.build().ok()).is_some_and(|r| r.method() == Method::GET)
}

#[derive(Deserialize)]
struct UserBody {
    user: KeystoneUser,
}

#[derive(Deserialize)]
struct TokenBody {
    token: TokenJson,
}

#[derive(Deserialize)]
struct TokenJson {
    expires_at: DateTime<Utc>,
    #[serde(default)]
    roles: Vec<NamedRef>,
    #[serde(default)]
    project: Option<ProjectJson>,
    #[serde(default)]
    system: Option<SystemJson>,
}

#[derive(Deserialize)]
struct NamedRef {
    name: String,
}

#[derive(Deserialize)]
struct ProjectJson {
    name: String,
    domain: DomainJson,
}

#[derive(Deserialize)]
struct DomainJson {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct SystemJson {
    #[serde(default)]
    all: bool,
}

impl From<TokenJson> for ValidatedToken {
    fn from(token: TokenJson) -> Self {
        ValidatedToken {
            expires_at: token.expires_at,
            scope: TokenScope {
                roles: token.roles.into_iter().map(|role| role.name).collect(),
                project: token.project.map(|p| ProjectScope {
                    name: p.name,
                    domain_id: p.domain.id,
                    domain_name: p.domain.name,
                }),
                system_all: token.system.is_some_and(|s| s.all),
            },
        }
    }
}
