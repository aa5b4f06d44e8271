//! Opening a link: the record behind it if it can still be used, the page for it, the language
//! the admin chose; re-reading it after a wait.
use super::refusals::{locked, stage_conflict};
use super::view::{view, View};
use super::{Deps, Error};
use crate::crypto::Purpose;
use crate::domain::{OneTimeToken, Refusal, Stage, UserId};
use crate::store::FlowRecord;

/// Opens a secret sealed in the record of `user_id`.
pub(crate) fn open_secret(
    deps: &Deps,
    sealed: &[u8],
    user_id: &UserId,
    purpose: Purpose,
) -> Result<zeroize::Zeroizing<String>, Error> {
    let bytes = deps.sealer.open_for(purpose, user_id.as_str(), sealed).map_err(Error::internal)?;
    String::from_utf8(bytes.to_vec()).map(zeroize::Zeroizing::new).map_err(Error::internal)
}

/// The record behind a link, if the link can still be used: 404 unknown, 410 expired or
/// already complete, 423 locked.
pub async fn open(deps: &Deps, token: &OneTimeToken) -> Result<FlowRecord, Error> {
    let flow = deps.store.flow_by_token(&token.hash()).await?.ok_or(Refusal::LinkUnknown)?;
    usable(deps, flow)
}

/// The page for a link and the language the admin chose for it, from one read of the record.
pub async fn current_with_locale(
    deps: &Deps,
    token: &OneTimeToken,
) -> (Result<View, Error>, Option<crate::domain::Locale>) {
    let found = deps.store.flow_by_token(&token.hash()).await;
    let locale = found.as_ref().ok().and_then(Option::as_ref).and_then(|flow| flow.locale);
    let page = found
        .map_err(Error::from)
        .and_then(|flow| flow.ok_or_else(|| Refusal::LinkUnknown.into()))
        .and_then(|flow| usable(deps, flow))
        .and_then(|flow| view(deps, &flow));
    (page, locale)
}

/// A link the user can still act on: not used up, expired or locked.
fn usable(deps: &Deps, flow: FlowRecord) -> Result<FlowRecord, Error> {
    if flow.record.stage == Stage::Complete {
        return Err(Refusal::LinkUsed.into());
    }
    if flow.record.is_expired(deps.clock.now()) {
        return Err(Refusal::LinkExpired.into());
    }
    if flow.record.is_locked(deps.policy.limits) {
        return Err(locked());
    }
    Ok(flow)
}

/// The page for the record's current stage.
pub async fn current(deps: &Deps, token: &OneTimeToken) -> Result<View, Error> {
    let flow = open(deps, token).await?;
    view(deps, &flow)
}

/// The language the admin chose for this link, if any (and if the link is known).
pub async fn link_locale(deps: &Deps, token: &OneTimeToken) -> Option<crate::domain::Locale> {
    deps.store.flow_by_token(&token.hash()).await.ok().flatten().and_then(|flow| flow.locale)
}

/// The record once the login the password step left running in this process (if any) is over:
/// the token it brings, or the MFA receipt, is read with it.
pub(crate) async fn after_pending_login(
    deps: &Deps,
    token: &OneTimeToken,
    flow: FlowRecord,
) -> Result<FlowRecord, Error> {
    if !deps.logins.is_running(&flow.token_hash) {
        return Ok(flow);
    }
    deps.logins.wait(&flow.token_hash).await;
    open(deps, token).await
}

/// After a lease wait the record may have moved on; re-read it and insist on `stage`.
pub(crate) async fn reopen_at(deps: &Deps, token: &OneTimeToken, stage: Stage) -> Result<FlowRecord, Error> {
    let flow = open(deps, token).await?;
    if flow.record.stage != stage {
        return Err(stage_conflict(flow.record.stage));
    }
    Ok(flow)
}

#[derive(Debug, thiserror::Error)]
#[error("the record has no {0}")]
pub(crate) struct Missing(pub &'static str);
