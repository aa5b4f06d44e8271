//! Who is told what: the link mail after an admin's PUT, the user's mail when an authenticator
//! app was added, and the webhook's `expired` events. Optional, and none of it can fail a
//! user's request.
use super::Deps;
use crate::domain::{EmailAddress, UserId};
use crate::notify::{AddedMail, EmailOutcome, LinkMail};

/// Announces links that expired unfinished since the last call (called by the purge task).
pub async fn announce_expired(deps: &Deps) {
    match deps.store.mark_expired(deps.clock.now(), super::outbox::announcing(deps)).await {
        Ok(expired) => {
            for (user_id, _) in &expired {
                log::info!("onboarding link of user {user_id} expired unfinished");
            }
            if !expired.is_empty() {
                super::outbox::announced(deps);
            }
        }
        Err(err) => log::error!("finding expired links failed: {err}"),
    }
}

/// Mails the link after a PUT, if asked to and able to; `None` when email is off and no address
/// was given. A failure is reported in the outcome, never as an error: the link was issued.
pub async fn mail_link(
    deps: &Deps,
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
    let Some(mailer) = deps.notifier.mailer() else {
        return requested
            .map(|to| not_sent(Some(to), "email is off on this service ([email] enabled = false)"));
    };
    let looked_up = match (requested, deps.policy.mail_keystone_email) {
        (None, true) => keystone_email.and_then(|text| EmailAddress::parse(text).ok()),
        _ => None,
    };
    let Some(to) = requested.or(looked_up.as_ref()) else {
        return Some(not_sent(
            None,
            if deps.policy.mail_keystone_email {
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
                crate::cause::chain(&err)
            );
            Some(not_sent(Some(to), &err.reason()))
        }
    }
}

/// Mails the user that an authenticator app was added, to their Keystone `email`, when mail is
/// on; `email` is asked for only then. A failure is logged: the enrollment is done.
pub async fn mail_added<F, Fut>(deps: &Deps, user_id: &UserId, email: F, mail: &AddedMail<'_>)
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let Some(mailer) = deps.notifier.mailer() else { return };
    let Some(to) = email().await.and_then(|text| EmailAddress::parse(&text).ok()) else {
        log::info!(
            "user {user_id} has no usable `email` in Keystone: no mail about the new authenticator app"
        );
        return;
    };
    match mailer.send_added(&to, mail).await {
        Ok(()) => log::info!("mailed user {user_id} at {to} that an authenticator app was added"),
        Err(err) => log::warn!(
            "mailing user {user_id} at {to} that an authenticator app was added failed: {}",
            crate::cause::chain(&err)
        ),
    }
}
