//! The refusals steps share: the admin's change won, the link locked, the stage moved on, the
//! operator must act.
use super::{outbox, Deps, Error};
use crate::domain::{Refusal, Stage, UserId};
use crate::store::FlowRecord;

/// A guarded write found nothing to change. If the link is gone (the admin renewed or revoked it
/// meanwhile), that is what the user hears; otherwise `otherwise`.
pub(crate) async fn replaced_or(deps: &Deps, flow: &FlowRecord, otherwise: Error) -> Error {
    match deps.store.flow_by_token(&flow.token_hash).await {
        Ok(None) => {
            let user_id = &flow.record.user_id;
            log::warn!("the link of user {user_id} was renewed or revoked while a step was in flight; the admin's change stands");
            Refusal::Replaced.into()
        }
        Ok(Some(_)) => otherwise,
        Err(err) => err.into(),
    }
}

/// The last wrong guess (`after`, for the log) locked the link: counted, logged, announced.
pub(crate) async fn lock_out(deps: &Deps, user_id: &UserId, after: &str) {
    deps.metrics.lockouts.inc();
    log::warn!("onboarding link of user {user_id} locked after {after}");
    outbox::announce(deps, crate::domain::Event::Locked, user_id, deps.clock.now()).await;
}

/// The link has had its last wrong guess.
pub(crate) fn locked() -> Error {
    Refusal::LinkLocked.into()
}

/// Enrollment cannot go on without the operator (MFA rules on, no way past them).
pub(crate) fn needs_operator() -> Error {
    Refusal::NeedsOperator.into()
}

pub(crate) fn stage_conflict(actual: Stage) -> Error {
    Refusal::StageMoved(actual).into()
}
