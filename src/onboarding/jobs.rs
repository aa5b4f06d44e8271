//! Every background loop, in one place: expired links announced, old records and expired
//! self-enrollments purged, link reminders mailed, MFA rules still owed put back, webhook events
//! delivered from the outbox. Startup spawns them.
use super::{mfa, notices, outbox, reminders, Deps};
use std::sync::Arc;
use std::time::Duration;

/// How often MFA rules still owed to users (a failed switch-on, a crash) are put back.
const RESTORE_EVERY: Duration = Duration::from_secs(30);
/// How often the outbox is read when no event of this process woke it.
const OUTBOX_POLL: Duration = Duration::from_millis(200);

/// Every `policy.purge_every`: announces links that expired unfinished (each claimed once across
/// processes), mails the link reminders that are due (each claimed once too), deletes records that expired more than `policy.retention` ago, and calls
/// `also` (the web layer forgets rate-limit state of quiet clients there).
pub async fn purge_forever(deps: Arc<Deps>, also: impl Fn() + Send + 'static) {
    let mut ticks = tokio::time::interval(deps.policy.purge_every);
    loop {
        ticks.tick().await;
        also();
        notices::announce_expired(&deps).await;
        reminders::send_due(&deps).await;
        let cutoff = deps.clock.now() - deps.policy.retention;
        match deps.store.purge_expired(cutoff).await {
            Ok(0) => {}
            Ok(n) => log::info!("purged {n} expired onboarding records"),
            Err(err) => log::error!("purging expired records failed: {err}"),
        }
        match deps.store.purge_enrollments(deps.clock.now()).await {
            Ok(0) => {}
            Ok(n) => log::info!("purged {n} expired self-enrollments"),
            Err(err) => log::error!("purging expired self-enrollments failed: {err}"),
        }
    }
}

/// Puts back owed MFA rules at startup and then every `RESTORE_EVERY`.
pub async fn restore_forever(deps: Arc<Deps>) {
    let mut ticks = tokio::time::interval(RESTORE_EVERY);
    loop {
        ticks.tick().await;
        mfa::restore_all_owed(&deps).await;
    }
}

/// Delivers the webhook events waiting in the outbox, whichever process put them there; ends at
/// once when no webhook is configured.
pub async fn deliver_forever(deps: Arc<Deps>) {
    if !outbox::announcing(&deps) {
        return;
    }
    loop {
        outbox::deliver_due(&deps).await;
        let _ = tokio::time::timeout(OUTBOX_POLL, deps.notifier.outbox_woken()).await;
    }
}
