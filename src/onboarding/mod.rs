//! The user's onboarding flow: open a link, set the password, enroll TOTP. Keystone work runs
//! under a lease on the record, so two submissions of the same form never both act.
pub mod admin_check;
mod issue;
pub mod mfa;
pub mod notices;
pub mod outbox;
mod password;
mod pending;
mod reset;
pub mod rules;
mod totp;

#[cfg(test)]
mod tests;

pub use issue::{issue, issue_error, IssueRequest, Issued};
pub use password::{submit_password, PasswordInput};
pub use pending::PendingLogins;
pub use reset::{forward_reset_request, ResetInput};
pub use totp::{resume, submit_totp, TotpInput};

use crate::crypto::Purpose;
use crate::domain::{OneTimeToken, Refusal, Stage, TotpSecret, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::FlowRecord;
use std::time::Duration;

/// What the user's page shows now.
#[derive(Debug)]
pub enum View {
    Password {
        attempts_left: u32,
        /// The Keystone user name, so a password manager files the new password under it.
        account: String,
        /// Keystone's description of its password rule, when it has one.
        rules: Option<String>,
    },
    Totp(TotpView),
    /// The password is set, but enrollment needs the operator (MFA on, no service credential).
    NeedsOperator,
    Complete,
}

pub struct TotpView {
    pub secret: TotpSecret,
    pub otpauth_uri: String,
    pub account: String,
    /// The kept Keystone token is gone: the form must ask for the password again.
    pub needs_password: bool,
    pub attempts_left: u32,
}

/// The secret and the URI that carries it stay out of `Debug`.
impl std::fmt::Debug for TotpView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpView")
            .field("account", &self.account)
            .field("needs_password", &self.needs_password)
            .field("attempts_left", &self.attempts_left)
            .finish_non_exhaustive()
    }
}

/// Opens a secret sealed in the record of `user_id`.
pub(crate) fn open_secret(
    state: &AppState,
    sealed: &[u8],
    user_id: &UserId,
    purpose: Purpose,
) -> Result<zeroize::Zeroizing<String>, AppError> {
    let bytes = state.secret_box.open_for(purpose, user_id.as_str(), sealed).map_err(AppError::internal)?;
    String::from_utf8(bytes.to_vec()).map(zeroize::Zeroizing::new).map_err(AppError::internal)
}

/// The record behind a link, if the link can still be used: 404 unknown, 410 expired or
/// already complete, 423 locked.
pub async fn open(state: &AppState, token: &OneTimeToken) -> Result<FlowRecord, AppError> {
    let flow = state.store.flow_by_token(&token.hash()).await?.ok_or(Refusal::LinkUnknown)?;
    usable(state, flow)
}

/// The page for a link and the language the admin chose for it, from one read of the record.
pub async fn current_with_locale(
    state: &AppState,
    token: &OneTimeToken,
) -> (Result<View, AppError>, Option<crate::domain::Locale>) {
    let found = state.store.flow_by_token(&token.hash()).await;
    let locale = found.as_ref().ok().and_then(Option::as_ref).and_then(|flow| flow.locale);
    let page = found
        .map_err(AppError::from)
        .and_then(|flow| flow.ok_or_else(|| Refusal::LinkUnknown.into()))
        .and_then(|flow| usable(state, flow))
        .and_then(|flow| view(state, &flow));
    (page, locale)
}

/// A link the user can still act on: not used up, expired or locked.
fn usable(state: &AppState, flow: FlowRecord) -> Result<FlowRecord, AppError> {
    if flow.record.stage == Stage::Complete {
        return Err(Refusal::LinkUsed.into());
    }
    if flow.record.is_expired(state.clock.now()) {
        return Err(Refusal::LinkExpired.into());
    }
    if flow.record.is_locked(state.limits()) {
        return Err(locked());
    }
    Ok(flow)
}

/// The page for the record's current stage.
pub async fn current(state: &AppState, token: &OneTimeToken) -> Result<View, AppError> {
    let flow = open(state, token).await?;
    view(state, &flow)
}

/// The language the admin chose for this link, if any (and if the link is known).
pub async fn link_locale(state: &AppState, token: &OneTimeToken) -> Option<crate::domain::Locale> {
    state.store.flow_by_token(&token.hash()).await.ok().flatten().and_then(|flow| flow.locale)
}

pub(crate) fn view(state: &AppState, flow: &FlowRecord) -> Result<View, AppError> {
    let user_id = &flow.record.user_id;
    match flow.record.stage {
        Stage::Password => Ok(View::Password {
            attempts_left: flow.record.attempts_left(state.settings.onboarding.max_pin_attempts),
            account: account(flow),
            rules: flow.password_rules.clone(),
        }),
        Stage::Complete => Ok(View::Complete),
        // Blocked by MFA rules with no service credential: the operator must act. Once one is
        // configured, the TOTP page asks for the password and gets past the rules itself.
        Stage::Totp if flow.mfa_receipt && state.service.is_none() => Ok(View::NeedsOperator),
        Stage::Totp => {
            let sealed =
                flow.totp_secret_ct.as_deref().ok_or_else(|| AppError::internal(Missing("TOTP secret")))?;
            let secret = TotpSecret::parse(&open_secret(state, sealed, user_id, Purpose::TotpSecret)?)
                .map_err(AppError::internal)?;
            let account = account(flow);
            let now = state.clock.now();
            let token_alive = flow.user_token_ct.is_some()
                && flow.user_token_expires_at.is_some_and(|t| t > now + chrono::Duration::seconds(60));
            // A login still running brings the token: the TOTP step waits for it.
            let token_coming = state.logins.is_running(&flow.token_hash);
            Ok(View::Totp(TotpView {
                otpauth_uri: secret.otpauth_uri(state.settings.totp_issuer(), &account),
                secret,
                account,
                needs_password: !token_alive && !token_coming,
                attempts_left: state.settings.totp.max_attempts.saturating_sub(flow.record.totp_failures),
            }))
        }
    }
}

/// A guarded write found nothing to change. If the link is gone (the admin renewed or revoked it
/// meanwhile), that is what the user hears; otherwise `otherwise`.
pub(crate) async fn replaced_or(state: &AppState, flow: &FlowRecord, otherwise: AppError) -> AppError {
    match state.store.flow_by_token(&flow.token_hash).await {
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
pub(crate) async fn lock_out(state: &AppState, user_id: &UserId, after: &str) {
    state.metrics.lockouts.inc();
    log::warn!("onboarding link of user {user_id} locked after {after}");
    outbox::announce(state, crate::domain::Event::Locked, user_id, state.clock.now()).await;
}

/// The link has had its last wrong guess.
pub(crate) fn locked() -> AppError {
    Refusal::LinkLocked.into()
}

/// Enrollment cannot go on without the operator (MFA rules on, no way past them).
pub(crate) fn needs_operator() -> AppError {
    Refusal::NeedsOperator.into()
}

fn account(flow: &FlowRecord) -> String {
    if flow.user_name.is_empty() {
        flow.record.user_id.to_string()
    } else {
        flow.user_name.clone()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the record has no {0}")]
pub(crate) struct Missing(pub &'static str);

/// Runs `work` holding the record's lease, after putting back any MFA rules still owed to the
/// user. Waits while another request holds it (a double submission), then gives the caller the
/// chance to see what that request did.
pub(crate) async fn with_lease<T>(
    state: &AppState,
    user_id: &UserId,
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    with_lease_raw(state, user_id, true, async {
        mfa::restore_if_owed(state, user_id).await?;
        work.await
    })
    .await
}

/// The lease alone. With `wait` false, a lease held elsewhere is `Refusal::Busy` at once.
pub(crate) async fn with_lease_raw<T>(
    state: &AppState,
    user_id: &UserId,
    wait: bool,
    work: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    // Long enough for the longest step: about 15 Keystone calls, each up to two timeouts (the
    // retry on a new connection). A crash leaves the record busy for this long at most.
    let lease = state.settings.keystone.timeout.as_chrono() * 30 + chrono::Duration::seconds(10);
    // A second request waits for the first (a double submission) a while, not the whole lease.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let until = loop {
        let now = state.clock.now();
        if state.store.acquire_lease(user_id, now, now + lease).await? {
            break now + lease;
        }
        if !wait || tokio::time::Instant::now() >= deadline {
            return Err(Refusal::Busy.into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let result = work.await;
    if let Err(err) = state.store.release_lease(user_id, until).await {
        log::error!("releasing the lease of user {user_id}: {err}");
    }
    result
}

/// The record once the login the password step left running in this process (if any) is over:
/// the token it brings, or the MFA receipt, is read with it.
pub(crate) async fn after_pending_login(
    state: &AppState,
    token: &OneTimeToken,
    flow: FlowRecord,
) -> Result<FlowRecord, AppError> {
    if !state.logins.is_running(&flow.token_hash) {
        return Ok(flow);
    }
    state.logins.wait(&flow.token_hash).await;
    open(state, token).await
}

/// After a lease wait the record may have moved on; re-read it and insist on `stage`.
pub(crate) async fn reopen_at(
    state: &AppState,
    token: &OneTimeToken,
    stage: Stage,
) -> Result<FlowRecord, AppError> {
    let flow = open(state, token).await?;
    if flow.record.stage != stage {
        return Err(stage_conflict(flow.record.stage));
    }
    Ok(flow)
}

pub(crate) fn stage_conflict(actual: Stage) -> AppError {
    Refusal::StageMoved(actual).into()
}
