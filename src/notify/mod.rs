//! Telling people and systems: the link mail, the helpdesk's reset requests, and signed webhook
//! events (completed, locked, expired). All optional; none of it can fail a user's request.
mod mail;
mod reset;
mod template;
pub mod webhook;

pub use mail::{LinkMail, MailError, Mailer, ResetRequest};
pub use reset::{forward_reset_request, ResetInput};
pub use template::{html_escape, in_words, Escape, Template, TemplateError};
pub use webhook::{Event, Webhook};

use crate::config::{ConfigError, Settings};
use crate::domain::{EmailAddress, UserId};
use crate::state::AppState;
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

/// Announces links that expired unfinished since the last call (called by the purge task).
pub async fn announce_expired(state: &AppState) {
    match state.store.mark_expired(state.clock.now()).await {
        Ok(expired) => {
            for (user_id, expires_at) in expired {
                log::info!("onboarding link of user {user_id} expired unfinished");
                state.notify.event(Event::Expired, &user_id, expires_at);
            }
        }
        Err(err) => log::error!("finding expired links failed: {err}"),
    }
}

/// Mails the link after a PUT, if asked to and able to; `None` when email is off and no address
/// was given. A failure is reported in the outcome, never as an error: the link was issued.
pub async fn mail_link(
    state: &AppState,
    user_id: &UserId,
    requested: Option<&EmailAddress>,
    keystone_email: Option<&str>,
    mail: &LinkMail<'_>,
) -> Option<EmailOutcome> {
    let not_sent = |to: Option<&EmailAddress>, reason: &str| EmailOutcome {
        sent: false,
        to: to.map(ToString::to_string),
        reason: Some(reason.to_owned()),
    };
    let Some(mailer) = state.notify.mailer() else {
        return requested
            .map(|to| not_sent(Some(to), "email is off on this service ([email] enabled = false)"));
    };
    let looked_up = match (requested, state.settings.email.lookup_keystone) {
        (None, true) => keystone_email.and_then(|text| EmailAddress::parse(text).ok()),
        _ => None,
    };
    let Some(to) = requested.or(looked_up.as_ref()) else {
        return Some(not_sent(
            None,
            if state.settings.email.lookup_keystone {
                "no `email` in the body, and the Keystone user has no usable `email` attribute"
            } else {
                "no `email` in the body"
            },
        ));
    };
    match mailer.send_link(to, mail).await {
        Ok(()) => {
            log::info!("mailed the onboarding link of user {user_id} to {to}");
            Some(EmailOutcome { sent: true, to: Some(to.to_string()), reason: None })
        }
        Err(err) => {
            log::warn!(
                "mailing the onboarding link of user {user_id} to {to} failed: {}",
                crate::error::chain(&err)
            );
            Some(not_sent(Some(to), &err.reason()))
        }
    }
}
