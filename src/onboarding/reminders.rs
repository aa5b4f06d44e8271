//! The one reminder of a mailed link: scheduled by the PUT that mailed it, mailed by whichever
//! process claims it once it is due, in the link's language, with the same working link.
//!
//! Only the token's hash identifies a link, so the reminder keeps the token itself, sealed with
//! the service key for this record and purpose (`Purpose::Reminder`), from the mail until the
//! reminder is sent, the link is renewed or finished, or it expires. That copy opens nothing the
//! PIN does not also guard, and it sits beside the sealed admin password, which is worth more.
use super::Deps;
use crate::crypto::Purpose;
use crate::domain::{EmailAddress, OneTimeToken};
use crate::notify::LinkMail;
use crate::store::{DueReminder, Issuance, ReminderPlan};
use chrono::{DateTime, Utc};

/// A claimed reminder is another process's to retry after this long, if its mail was not sent.
const CLAIM_FOR: chrono::Duration = chrono::Duration::minutes(5);
/// Reminders mailed per round at most.
const PER_ROUND: u32 = 50;

/// After a PUT mailed `token` to `to`: schedule its reminder, when reminders are on and the link
/// lives longer than `remind_before` (else the first mail is the reminder).
pub async fn schedule(
    deps: &Deps,
    issuance: &Issuance,
    to: &EmailAddress,
    token: &OneTimeToken,
    expires_at: DateTime<Utc>,
) {
    let Some(before) = deps.policy.remind_before else { return };
    let due_at = expires_at - before;
    if due_at <= deps.clock.now() {
        return;
    }
    let user_id = issuance.user_id.as_str();
    let token_ct = deps.sealer.seal_for(Purpose::Reminder, user_id, token.expose().as_bytes());
    let plan = ReminderPlan { to: to.to_string(), due_at, token_ct };
    match deps.store.schedule_reminder(issuance, plan).await {
        Ok(()) => log::info!("a reminder of the link of user {user_id} is due at {due_at}"),
        Err(err) => log::error!("scheduling the reminder of the link of user {user_id} failed: {err}"),
    }
}

/// Mails the reminders that are due (called by the purge task); each is claimed once across
/// processes, and one that fails to go out is tried again once its claim lapses.
pub async fn send_due(deps: &Deps) {
    let Some(mailer) = deps.notifier.mailer() else { return };
    if deps.policy.remind_before.is_none() {
        return;
    }
    let now = deps.clock.now();
    let due = match deps.store.claim_reminders(now, now + CLAIM_FOR, deps.policy.limits, PER_ROUND).await {
        Ok(due) => due,
        Err(err) => {
            log::error!("finding the link reminders due failed: {err}");
            return;
        }
    };
    for reminder in due {
        let user_id = reminder.issuance.user_id.clone();
        let Some((to, link)) = open(deps, &reminder) else {
            // Unreadable (another key, a damaged row): never sendable, so never tried again.
            log::error!("the reminder of the link of user {user_id} cannot be read; dropped");
            let _ = deps.store.reminder_sent(&reminder.issuance).await;
            continue;
        };
        let mail = LinkMail {
            user_name: &reminder.user_name,
            link: &link,
            // To the nearest minute: the few seconds a round takes do not make "1 day" read
            // "23 hours and 59 minutes".
            lifetime_secs: ((reminder.expires_at - now).num_seconds().max(0) as u64 + 30) / 60 * 60,
            expires_at: reminder.expires_at,
            locale: reminder.locale.unwrap_or(deps.policy.default_locale),
            authenticator_only: reminder.authenticator_only,
            reminder: true,
        };
        match mailer.send_link(&to, &mail).await {
            Ok(()) => {
                log::info!("mailed user {user_id} at {to} a reminder of their link");
                deps.metrics.reminders_sent.inc();
                if let Err(err) = deps.store.reminder_sent(&reminder.issuance).await {
                    log::error!("recording the reminder of user {user_id} as sent failed: {err}");
                }
            }
            Err(err) => log::warn!(
                "mailing user {user_id} at {to} a reminder of their link failed (tried again in {} minutes): {}",
                CLAIM_FOR.num_minutes(),
                crate::cause::chain(&err)
            ),
        }
    }
}

/// The address and the working link of a claimed reminder.
fn open(deps: &Deps, reminder: &DueReminder) -> Option<(EmailAddress, String)> {
    let user_id = reminder.issuance.user_id.as_str();
    let token = deps.sealer.open_for(Purpose::Reminder, user_id, &reminder.token_ct).ok()?;
    let token = std::str::from_utf8(&token).ok()?;
    let to = EmailAddress::parse(&reminder.to).ok()?;
    Some((to, deps.policy.link(token)))
}
