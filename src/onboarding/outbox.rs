//! Webhook events: written to the database's outbox with the change they announce (or right
//! after it), and delivered by whichever process claims them first, with backoff (`retry_base`,
//! doubling), across restarts and replicas. At least once: a process killed mid-delivery leaves
//! the event to be sent again once its claim lapses.
use crate::domain::{Event, UserId};
use crate::state::AppState;
use chrono::{DateTime, Duration};
use std::sync::Arc;

/// How long claimed events are this process's to deliver, besides each one's delivery time.
const CLAIM_MARGIN: Duration = Duration::seconds(30);
/// How often the outbox is looked at when nothing wakes the task (other replicas' events, retries).
const POLL: std::time::Duration = std::time::Duration::from_millis(200);
const BATCH: u32 = 4;

/// Whether events are wanted at all (a webhook is configured).
pub fn announcing(state: &AppState) -> bool {
    state.notify.webhook().is_some()
}

/// The change was written (with its event, when the store did it in the same transaction).
pub fn announced(state: &AppState) {
    state.notify.wake_outbox();
}

/// An event the store did not write with its change (a lockout: the count and the failed check
/// are two steps). Never fails the user's request.
pub async fn announce(state: &AppState, event: Event, user_id: &UserId, at: DateTime<chrono::Utc>) {
    if !announcing(state) {
        return;
    }
    match state.store.enqueue(event, user_id, at, state.clock.now()).await {
        Ok(()) => state.notify.wake_outbox(),
        Err(err) => {
            log::error!("webhook: could not keep the `{}` event of user {user_id}: {err}", event.as_str())
        }
    }
}

/// Delivers due events until the process stops.
pub async fn deliver_forever(state: Arc<AppState>) {
    if !announcing(&state) {
        return;
    }
    loop {
        deliver_due(&state).await;
        let _ = tokio::time::timeout(POLL, state.notify.outbox_woken()).await;
    }
}

async fn deliver_due(state: &AppState) {
    let Some(webhook) = state.notify.webhook() else { return };
    let now = state.clock.now();
    // Long enough for the whole batch to time out one by one: no other process takes them meanwhile.
    let claim = state.settings.webhook.timeout.as_chrono() * BATCH as i32 + CLAIM_MARGIN;
    let due = match state.store.claim_outgoing(now, now + claim, BATCH).await {
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
                state.store.forget_outgoing(item.id).await
            }
            Err(problem) if item.attempts >= webhook.retries() => {
                log::error!(
                    "webhook: gave up on `{event}` for user {user_id} after {} tries; {problem}",
                    item.attempts + 1
                );
                state.store.forget_outgoing(item.id).await
            }
            Err(problem) => {
                let delay = state.settings.webhook.retry_base.as_chrono() * (1 << item.attempts.min(16));
                log::warn!(
                    "webhook: `{event}` for user {user_id}: {problem}; trying again in {} ms",
                    delay.num_milliseconds()
                );
                state.store.retry_outgoing(item.id, item.attempts + 1, state.clock.now() + delay).await
            }
        };
        if let Err(err) = result {
            log::warn!("webhook: recording the delivery of `{event}` for user {user_id} failed: {err}");
        }
    }
}
