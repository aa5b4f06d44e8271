//! The setpass service as the operator's tools call it: `PUT /token/{id}` to issue or renew a
//! link, `GET /token` to list them, with the operator's Keystone token as `X-Auth-Token`.
use reqwest::{Method, StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// setpass's base URL and one pooled client.
#[derive(Clone)]
pub struct Service {
    http: reqwest::Client,
    base: Url,
}

/// What a PUT answered. The link is printed, never logged.
#[derive(Clone, Deserialize)]
pub struct IssuedLink {
    pub user_id: String,
    pub url: String,
    pub expires_at: String,
    /// `{"sent", "to", "reason"}` when mail is on.
    #[serde(default)]
    pub email: Option<MailOutcome>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
pub struct MailOutcome {
    pub sent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl std::fmt::Display for MailOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.sent, &self.to, &self.reason) {
            (true, Some(to), _) => write!(f, "mailed to {to}"),
            (true, None, _) => f.write_str("mailed"),
            (false, _, Some(reason)) => write!(f, "not mailed: {reason}"),
            (false, _, None) => f.write_str("not mailed"),
        }
    }
}

/// The body of a PUT. `Debug` is not derived: it holds the PIN and the password.
pub struct IssueBody<'a> {
    pub password: Option<&'a SecretString>,
    pub pin: &'a SecretString,
    pub email: &'a str,
    pub locale: Option<&'a str>,
}

/// Why the service said no (its own `error.message`), or could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("setpass refused ({status}): {message}")]
    Refused { status: StatusCode, message: String },
    #[error("setpass could not be reached: {0}")]
    Unreachable(String),
}

impl Service {
    pub fn new(base: &str, cacert: Option<&std::path::Path>) -> Result<Self, String> {
        let base = Url::parse(&format!("{}/", base.trim_end_matches('/')))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| format!("--url `{base}` is not an http(s) URL"))?;
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .user_agent(concat!("setpass-invite/", env!("CARGO_PKG_VERSION")))
            .use_rustls_tls();
        if let Some(path) = cacert {
            let pem = std::fs::read(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|err| format!("{}: {err}", path.display()))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder.build().map_err(|err| format!("cannot build the HTTP client: {err}"))?;
        Ok(Self { http, base })
    }

    /// `PUT /token/{user_id}`.
    pub async fn issue(
        &self,
        token: &SecretString,
        user_id: &str,
        body: &IssueBody<'_>,
    ) -> Result<(StatusCode, IssuedLink), ServiceError> {
        let mut json = serde_json::json!({"pin": body.pin.expose_secret(), "email": body.email});
        if let Some(password) = body.password {
            json["password"] = Value::String(password.expose_secret().to_owned());
        }
        if let Some(locale) = body.locale {
            json["locale"] = Value::String(locale.to_owned());
        }
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(["token", user_id]);
        }
        let response = self.send(Method::PUT, url, token, Some(json)).await?;
        let status = response.status();
        let link = response
            .json()
            .await
            .map_err(|err| ServiceError::Unreachable(format!("an unreadable answer: {err}")))?;
        Ok((status, link))
    }

    /// `GET` of an absolute URL the service gave (`links.next`) or of `/token?query`.
    pub async fn get(&self, token: &SecretString, url: Url) -> Result<Value, ServiceError> {
        let response = self.send(Method::GET, url, token, None).await?;
        response.json().await.map_err(|err| ServiceError::Unreachable(format!("an unreadable answer: {err}")))
    }

    /// `/token` with `query` appended.
    pub fn list_url(&self, query: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("token");
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        token: &SecretString,
        body: Option<Value>,
    ) -> Result<reqwest::Response, ServiceError> {
        let mut request = self
            .http
            .request(method, url)
            .header("X-Auth-Token", token.expose_secret())
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response =
            request.send().await.map_err(|err| ServiceError::Unreachable(crate::cause::chain(&err)))?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let message = body["error"]["message"].as_str().unwrap_or("no message").chars().take(300).collect();
        Err(ServiceError::Refused { status, message })
    }
}
