//! Adapters for telling people and systems: SMTP mail (the link, the helpdesk's reset requests),
//! signed webhook events, templates. Who is told what is decided in `onboarding/`.
mod mail;
mod template;
pub mod webhook;

pub use mail::{LinkMail, MailError, Mailer, ResetRequest};
pub use template::{html_escape, in_words, Escape, Template, TemplateError};
pub use webhook::{Event, Webhook};

use crate::config::{ConfigError, Settings};
use crate::domain::UserId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;

/// The mailer and the webhook, each present when configured.
pub struct Notifier {
    mailer: Option<Mailer>,
    webhook: Option<Arc<Webhook>>,
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
    pub fn new(settings: &Settings) -> Result<Self, ConfigError> {
        Ok(Self { mailer: Mailer::new(settings)?, webhook: Webhook::new(&settings.webhook)?.map(Arc::new) })
    }

    pub fn mailer(&self) -> Option<&Mailer> {
        self.mailer.as_ref()
    }

    /// Sends the event to the webhook, if one is configured, in the background; returns at once.
    pub fn event(&self, event: Event, user_id: &UserId, at: DateTime<Utc>) {
        let Some(webhook) = self.webhook.clone() else { return };
        let (body, signature) = webhook.sign_event(event, user_id, at);
        let user_id = user_id.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move { webhook.deliver(event, user_id, body, signature).await });
            }
            Err(_) => log::error!("webhook: no runtime to deliver `{event:?}` for user {user_id}"),
        }
    }
}
