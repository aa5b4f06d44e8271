//! Webhook events: written to the database's outbox with the change they announce (or right
//! after it), and delivered by whichever process claims them first, with backoff (`retry_base`,
//! doubling), across restarts and replicas. At least once: a process killed mid-delivery leaves
//! the event to be sent again once its claim lapses.
use super::Deps;
use crate::domain::{Event, UserId};
use chrono::{DateTime, Duration};

/// How long claimed events are this process's to deliver, besides each one's delivery time.
const CLAIM_MARGIN: Duration = Duration::seconds(30);
/// How often the outbox is looked at when nothing wakes the task (other replicas' events, retries).
const BATCH: u32 = 4;

/// Whether events are wanted at all (a webhook is configured).
pub fn announcing(deps: &Deps) -> bool {
    deps.notifier.webhook().is_some()
}

/// The change was written (with its event, when the store did it in the same transaction).
pub fn announced(deps: &Deps) {
    deps.notifier.wake_outbox();
}

/// An event the store did not write with its change (a lockout: the count and the failed check
/// are two steps). Never fails the user's request.
pub async fn announce(deps: &Deps, event: Event, user_id: &UserId, at: DateTime<chrono::Utc>) {
    if !announcing(deps) {
        return;
    }
    match deps.store.enqueue(event, user_id, at, deps.clock.now()).await {
        Ok(()) => deps.notifier.wake_outbox(),
        Err(err) => {
            log::error!("webhook: could not keep the `{}` event of user {user_id}: {err}", event.as_str())
        }
    }
}

/// Delivers due events until the process stops.
pub(super) async fn deliver_due(deps: &Deps) {
    let Some(webhook) = deps.notifier.webhook() else { return };
    let now = deps.clock.now();
    // Long enough for the whole batch to time out one by one: no other process takes them meanwhile.
    let claim = deps.policy.webhook_timeout * BATCH as i32 + CLAIM_MARGIN;
    let due = match deps.store.claim_outgoing(now, now + claim, BATCH).await {
        Ok(due) => due,
        Err(err) => {
            log::warn!("webhook: reading the outbox failed: {err}");
            return;
        }
    };
    for item in due {
        let (event, user_id) = (item.event.as_str(), &item.user_id);
        let result = match webhook.deliver_once(item.event, user_id, item.at).await {
            Ok(()) => {
                log::info!("webhook: delivered `{event}` for user {user_id}");
                deps.store.forget_outgoing(item.id).await
            }
            Err(problem) if item.attempts >= webhook.retries() => {
                log::error!(
                    "webhook: gave up on `{event}` for user {user_id} after {} tries; {problem}",
                    item.attempts + 1
                );
                deps.store.forget_outgoing(item.id).await
            }
            Err(problem) => {
                let delay = deps.policy.outbox_retry_base * (1 << item.attempts.min(16));
                log::warn!(
                    "webhook: `{event}` for user {user_id}: {problem}; trying again in {} ms",
                    delay.num_milliseconds()
                );
                deps.store.retry_outgoing(item.id, item.attempts + 1, deps.clock.now() + delay).await
            }
        };
        if let Err(err) = result {
            log::warn!("webhook: recording the delivery of `{event}` for user {user_id} failed: {err}");
        }
    }
}
