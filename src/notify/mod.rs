//! Adapters for telling people and systems: SMTP mail (the link, "an authenticator app was
//! added", the helpdesk's reset requests),
//! signed webhook events, templates. Who is told what is decided in `onboarding/`.
mod mail;
mod template;
pub mod webhook;

pub use mail::{AddedMail, LinkMail, MailError, Mailer, ResetRequest};
pub use template::{html_escape, in_words, Escape, Template, TemplateError};
pub use webhook::{Event, Webhook};

use crate::config::{ConfigError, EmailSettings, ResetSettings, WebhookSettings};
use serde::Serialize;
use std::sync::Arc;

/// The mailer and the webhook, each present when configured.
pub struct Notifier {
    mailer: Option<Mailer>,
    webhook: Option<Arc<Webhook>>,
    /// Wakes the outbox's delivery task when this process put an event in.
    outbox: tokio::sync::Notify,
}

/// What the PUT answer says about the link mail.
#[derive(Debug, Serialize)]
pub struct EmailOutcome {
    pub sent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Notifier {
    /// Reads templates and secret files now, so a mistake stops startup, not a mail.
    pub fn new(
        email: &EmailSettings,
        reset: &ResetSettings,
        webhook: &WebhookSettings,
        cloud_name: &str,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            mailer: Mailer::new(email, reset, cloud_name)?,
            webhook: Webhook::new(webhook)?.map(Arc::new),
            outbox: tokio::sync::Notify::new(),
        })
    }

    /// No mail, no webhook (the use cases' tests, and a service configured with neither).
    pub fn silent() -> Self {
        Self { mailer: None, webhook: None, outbox: tokio::sync::Notify::new() }
    }

    pub fn mailer(&self) -> Option<&Mailer> {
        self.mailer.as_ref()
    }

    pub fn webhook(&self) -> Option<&Webhook> {
        self.webhook.as_deref()
    }

    /// An event is waiting in the outbox.
    pub fn wake_outbox(&self) {
        self.outbox.notify_one();
    }

    /// Returns when `wake_outbox` was called (or at once if it was since the last time).
    pub async fn outbox_woken(&self) {
        self.outbox.notified().await;
    }
}
