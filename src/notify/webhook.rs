//! Event notices to a registration system: a small JSON POST, signed with HMAC-SHA256 over the
//! body. Events wait in the database's outbox (`onboarding/outbox.rs` delivers them).
use crate::config::{read_secret, ConfigError, WebhookSettings};
pub use crate::domain::Event;
use crate::domain::UserId;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use sha2::Sha256;
use std::time::Duration;

/// `sha256=<lower-case hex of HMAC-SHA256(secret, body)>`.
pub const SIGNATURE_HEADER: &str = "X-Setpass-Signature";

#[derive(Serialize)]
struct Payload<'a> {
    event: Event,
    user_id: &'a str,
    at: String,
}

pub struct Webhook {
    http: reqwest::Client,
    url: String,
    secret: SecretString,
    retries: u32,
}

impl Webhook {
    /// `None` when no `webhook.url` is set.
    pub fn new(settings: &WebhookSettings) -> Result<Option<Self>, ConfigError> {
        let Some(url) = settings.url.clone() else { return Ok(None) };
        let secret = read_secret(
            "webhook.secret",
            settings.secret.as_deref(),
            "webhook.secret_file",
            settings.secret_file.as_deref(),
        )?
        .ok_or_else(|| ConfigError::new("webhook.secret", "is missing"))?
        .to_string();
        if secret.chars().count() < 16 {
            return Err(ConfigError::new("webhook.secret_file", "the secret needs at least 16 characters"));
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout.as_std())
            .connect_timeout(settings.timeout.as_std().min(Duration::from_secs(5)))
            // A redirect would re-send the event somewhere the operator did not name.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("setpass/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| ConfigError::new("webhook.url", format!("cannot build the HTTP client: {err}")))?;
        Ok(Some(Self { http, url, secret: SecretString::from(secret), retries: settings.retries }))
    }

    /// The body and its signature header value.
    pub fn sign_event(&self, event: Event, user_id: &UserId, at: DateTime<Utc>) -> (Vec<u8>, String) {
        let payload =
            Payload { event, user_id: user_id.as_str(), at: at.to_rfc3339_opts(SecondsFormat::Secs, true) };
        // Serializing a struct of strings cannot fail.
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let signature = signature(self.secret.expose_secret().as_bytes(), &body);
        (body, signature)
    }

    /// How many times a failed delivery is tried again (`webhook.retry_base` apart, then twice that, four times ...).
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// One try; why it failed, if it did (no secret in it).
    pub async fn deliver_once(
        &self,
        event: Event,
        user_id: &UserId,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        let (body, signature) = self.sign_event(event, user_id, at);
        let result = self
            .http
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, &signature)
            .body(body)
            .send()
            .await;
        match result {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("the receiver answered {}", response.status())),
            Err(err) => Err(format!("the receiver could not be reached: {}", crate::cause::chain(&err))),
        }
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    // HMAC takes a key of any length.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature(b"Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn an_event_is_small_json_without_secrets() {
        let settings = WebhookSettings {
            url: Some("https://reg.example.com/hook".into()),
            secret: Some("webhook-secret-0123456789".into()),
            ..Default::default()
        };
        let hook = Webhook::new(&settings).unwrap().unwrap();
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();

        let (body, signed) = hook.sign_event(Event::Locked, &UserId::parse("u-1").unwrap(), at);

        let text = String::from_utf8(body.clone()).unwrap();
        assert_eq!(text, r#"{"event":"locked","user_id":"u-1","at":"2023-11-14T22:13:20Z"}"#);
        assert_eq!(signed, signature(b"webhook-secret-0123456789", &body));
    }
}
