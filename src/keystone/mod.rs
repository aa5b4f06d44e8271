//! The one client for Keystone's Identity API v3: built once (timeout, TLS), one `send` that
//! survives servers closing idle connections, URLs built from percent-encoded path segments.
use crate::domain::admin::{ProjectScope, TokenScope};
use chrono::{DateTime, Utc};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;

mod app_credentials;
mod client;
mod credentials;
#[cfg(test)]
pub mod fake;
mod identity;
mod named_login;
mod operator;
mod operator_auth;
mod service;
mod tokens;
mod user_ops;

pub use app_credentials::{AppCredentialCreate, NewAppCredential, Project};
pub use client::ClientOptions;
pub use identity::Identity;
pub use named_login::NamedLogin;
pub use operator::NewUser;
pub use operator_auth::{Named, OperatorAuth, OperatorError, OperatorScope, OperatorToken};
pub use service::ServiceCredential;
pub use tokens::Rescoped;
pub use user_ops::{KeystoneUser, Login, MfaOptions, PasswordChange, Receipt, TotpLogin};

#[derive(Debug, thiserror::Error)]
pub enum KeystoneError {
    #[error("Keystone could not be reached during {operation}: {}", crate::cause::chain(source))]
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
    #[error("Keystone answered 404 to {0}")]
    NotFound(&'static str),
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

#[derive(Clone)]
pub struct KeystoneClient {
    /// Pooled connections, for servers that keep them alive.
    http: reqwest::Client,
    /// No pooling: each request on a new connection. Used for the one retry after a pooled
    /// connection turned out to be closed, so the retry cannot meet another stale one.
    fresh: reqwest::Client,
    base: Url,
    latency: Option<prometheus::HistogramVec>,
    retries: Option<prometheus::IntCounter>,
}

impl KeystoneClient {
    /// Records each call's latency, labelled by operation and status, and counts retries.
    pub fn with_metrics(
        mut self,
        latency: prometheus::HistogramVec,
        retries: prometheus::IntCounter,
    ) -> Self {
        self.latency = Some(latency);
        self.retries = Some(retries);
        self
    }

    /// The auth URL with `segments` appended, each percent-encoded as one path segment, so an
    /// id can never turn into `..` or a query.
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    pub(crate) fn request(&self, method: Method, segments: &[&str]) -> RequestBuilder {
        self.request_url(method, self.url(segments))
    }

    pub(crate) fn request_url(&self, method: Method, url: Url) -> RequestBuilder {
        self.http.request(method, url).header("Accept", "application/json")
    }

    /// Sends `request`; if it failed before any answer arrived for a reason other than a
    /// timeout (typically a pooled connection the server had closed: uwsgi's `--http-socket`,
    /// or an idle timeout racing our next call), sends it once more on a new connection.
    /// Every Keystone call setpass makes is safe to send twice; see docs/KEYSTONE.md.
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
        let result = match request.build() {
            Ok(request) => {
                let retry = request.try_clone();
                match (self.http.execute(request).await, retry) {
                    (Err(err), Some(retry)) if !err.is_timeout() => {
                        if let Some(retries) = &self.retries {
                            retries.inc();
                        }
                        log::info!(
                            "keystone {operation}: retrying on a new connection after {} (request {})",
                            crate::cause::chain(&err),
                            ours.as_deref().unwrap_or("-")
                        );
                        self.fresh.execute(retry).await
                    }
                    (result, _) => result,
                }
            }
            Err(err) => Err(err),
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

    /// `GET /v3`'s `version.id` (`v3.14`, say).
    pub async fn version_id(&self) -> Result<Option<String>, KeystoneError> {
        const OP: &str = "version check";
        let response = self.send(OP, self.request(Method::GET, &[])).await?;
        match response.status() {
            status if status.is_success() => {
                let body: serde_json::Value = Self::json(OP, response).await?;
                Ok(body["version"]["id"].as_str().map(str::to_owned))
            }
            status => Err(KeystoneError::Unexpected { operation: OP, status }),
        }
    }

    /// `GET /v3`: Keystone is up and answering.
    pub async fn version(&self) -> Result<(), KeystoneError> {
        let response = self.send("version check", self.request(Method::GET, &[])).await?;
        match response.status() {
            status if status.is_success() => Ok(()),
            status => Err(KeystoneError::Unexpected { operation: "version check", status }),
        }
    }
}

/// `POST /v3/auth/tokens`'s URL (`?nocatalog`: setpass never reads the catalog).
impl KeystoneClient {
    pub(crate) fn tokens_url(&self) -> Url {
        let mut url = self.url(&["auth", "tokens"]);
        url.set_query(Some("nocatalog"));
        url
    }
}

/// The token a successful `POST /v3/auth/tokens` issued, from its `X-Subject-Token` header.
pub(crate) fn subject_token(
    operation: &'static str,
    response: &Response,
) -> Result<secrecy::SecretString, KeystoneError> {
    response
        .headers()
        .get("x-subject-token")
        .and_then(|v| v.to_str().ok())
        .map(|v| secrecy::SecretString::from(v.to_owned()))
        .ok_or(KeystoneError::Unexpected { operation, status: response.status() })
}

/// The usual mapping of an error status for calls made with a token.
pub(crate) fn refusal(operation: &'static str, status: StatusCode) -> KeystoneError {
    match status {
        StatusCode::UNAUTHORIZED => KeystoneError::InvalidToken,
        StatusCode::FORBIDDEN => KeystoneError::Forbidden,
        StatusCode::NOT_FOUND => KeystoneError::NotFound(operation),
        status => KeystoneError::Unexpected { operation, status },
    }
}

#[derive(Deserialize)]
pub(crate) struct TokenBody {
    pub(crate) token: TokenJson,
}

#[derive(Deserialize)]
pub(crate) struct TokenJson {
    pub(crate) expires_at: DateTime<Utc>,
    #[serde(default)]
    roles: Vec<NamedRef>,
    #[serde(default)]
    project: Option<ProjectJson>,
    #[serde(default)]
    domain: Option<DomainJson>,
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
                domain_id: token.domain.map(|d| d.id),
                system_all: token.system.is_some_and(|s| s.all),
            },
        }
    }
}

#[cfg(test)]
mod tests;
