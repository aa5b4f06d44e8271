//! Step 2: a correct code from the app → the Keystone `totp` credential, checked by a login.
use super::mfa::{self, UserLogin};
use super::{open, open_secret, reopen_at, stage_conflict, with_lease, View};
use crate::crypto::Purpose;
use crate::domain::totp::parse_code;
use crate::domain::{CodeCheck, OneTimeToken, Password, Refusal, Stage, TotpSecret, UserId};
use crate::error::AppError;
use crate::keystone::{KeystoneError, TotpLogin};
use crate::state::AppState;
use crate::store::FlowRecord;
use secrecy::{ExposeSecret, SecretString};

pub struct TotpInput<'a> {
    pub code: &'a str,
    /// Only needed when the token kept from step 1 has expired.
    pub password: Option<&'a str>,
}

pub async fn submit_totp(
    state: &AppState,
    token: &OneTimeToken,
    input: TotpInput<'_>,
) -> Result<View, AppError> {
    let flow = open(state, token).await?;
    if flow.record.stage != Stage::Totp {
        return Err(stage_conflict(flow.record.stage));
    }
    let flow = super::after_pending_login(state, token, flow).await?;
    if flow.mfa_receipt && state.service.is_none() && input.password.is_none_or(str::is_empty) {
        return Ok(View::NeedsOperator);
    }
    let code = parse_code(input.code).map_err(|_| Refusal::CodeMalformed)?;
    let password = input
        .password
        .filter(|p| !p.is_empty())
        .map(Password::parse)
        .transpose()
        .map_err(|_| Refusal::PasswordUnusable)?;
    let user_id = flow.record.user_id.clone();
    let secret = check_code(state, &flow, &code).await?;
    with_lease(state, &user_id, async {
        let flow = reopen_at(state, token, Stage::Totp).await?;
        enroll(state, &flow, &secret, &code, password.as_ref()).await
    })
    .await?;
    Ok(View::Complete)
}

async fn check_code(state: &AppState, flow: &FlowRecord, code: &str) -> Result<TotpSecret, AppError> {
    let user_id = &flow.record.user_id;
    let limits = state.limits();
    let now = state.clock.now();
    let Some(failures) = state.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, now).await? else {
        return Err(super::replaced_or(state, flow, super::locked()).await);
    };
    let sealed =
        flow.totp_secret_ct.as_deref().ok_or_else(|| AppError::internal(super::Missing("TOTP secret")))?;
    let secret = TotpSecret::parse(&open_secret(state, sealed, user_id, Purpose::TotpSecret)?)
        .map_err(AppError::internal)?;
    let skew_secs = match secret.check(code, now.timestamp(), state.settings.totp.previous_windows) {
        CodeCheck::Accepted => {
            state.store.refund_attempt(&flow.issuance(), Stage::Totp).await?;
            return Ok(secret);
        }
        CodeCheck::Skewed(secs) => Some(secs),
        CodeCheck::Rejected => None,
    };
    state.metrics.totp_failures.inc();
    let attempts_left = limits.max_totp_attempts.saturating_sub(failures);
    if attempts_left == 0 {
        super::lock_out(state, user_id, &format!("{failures} wrong authenticator codes")).await;
        return Err(Refusal::LockedAfterCode.into());
    }
    log::info!("wrong authenticator code for user {user_id}; clock skew {skew_secs:?} s");
    Err(Refusal::WrongCode { left: attempts_left, skew_secs }.into())
}

async fn enroll(
    state: &AppState,
    flow: &FlowRecord,
    secret: &TotpSecret,
    code: &str,
    password: Option<&Password>,
) -> Result<(), AppError> {
    let user_id = &flow.record.user_id;
    let keystone = &state.keystone;
    let mut acting = acting_token(state, flow, password).await?;
    let credential =
        match keystone.create_totp_credential(acting.expose_secret(), user_id, secret.expose()).await {
            Err(KeystoneError::InvalidToken) => {
                // The kept token was revoked or has lapsed: the password brings a fresh one.
                if !state.store.store_user_token(&flow.issuance(), None, None, false).await? {
                    return Err(super::replaced_or(state, flow, Refusal::Replaced.into()).await);
                }
                let password = password.ok_or(AppError::from(Refusal::PasswordNeeded))?;
                // A token taken in the same second as the password change (on another replica,
                // just before it died) is revoked with it: the next one must come after.
                tokio::time::sleep_until(super::pending::after_revocation_window()).await;
                acting = fresh_user_token(state, flow, password).await?;
                keystone.create_totp_credential(acting.expose_secret(), user_id, secret.expose()).await?
            }
            other => other?,
        };
    state.metrics.totp_enrolled.inc();
    log::info!("TOTP credential {credential} created for user {user_id}");
    confirm(state, flow, acting.expose_secret(), &credential, code).await?;
    // Confirmed: now only the new credential may stay (an older one may be on a lost phone, and a
    // retried creation may have left a twin). Not before, or a refused code would leave none.
    if let Err(err) = remove_other_credentials(state, user_id, acting.expose_secret(), &credential).await {
        log::warn!(
            "could not remove other TOTP credentials of user {user_id}; enrollment is not complete: {err}"
        );
        return Err(err.into());
    }
    if state.settings.keystone.enforce_mfa {
        mfa::enforce(state, user_id).await?;
    }
    if !state.store.complete(&flow.issuance(), state.clock.now(), super::outbox::announcing(state)).await? {
        // The link is still there: completion waits for MFA rules still owed.
        return Err(super::replaced_or(state, flow, Refusal::Busy.into()).await);
    }
    state.metrics.completions.inc();
    log::info!("onboarding complete for user {user_id}");
    super::outbox::announced(state);
    Ok(())
}

/// Keystone must accept the code with the new credential; if it does not, the credential goes.
async fn confirm(
    state: &AppState,
    flow: &FlowRecord,
    token: &str,
    credential: &str,
    code: &str,
) -> Result<(), AppError> {
    let user_id = &flow.record.user_id;
    let refused = match state.keystone.totp_login(user_id, code).await {
        Ok(TotpLogin::Accepted) => return Ok(()),
        Ok(TotpLogin::Rejected) => code_not_accepted(state, flow).await?,
        Ok(TotpLogin::MethodDisabled(methods)) => {
            log::error!("Keystone does not have the `totp` auth method enabled (its [auth] methods are {methods:?}): add totp there, or set totp.enabled = false");
            Refusal::TotpUnavailable.into()
        }
        Err(err) => err.into(),
    };
    withdraw(state, user_id, token, credential).await;
    Err(refused)
}

/// Takes back the credential just made when its code could not be confirmed.
async fn withdraw(state: &AppState, user_id: &UserId, token: &str, credential: &str) {
    match state.keystone.delete_credential(token, credential).await {
        Ok(()) => log::info!("removed TOTP credential {credential} of user {user_id}: it was not confirmed"),
        Err(err) => log::error!(
            "could not remove the unconfirmed TOTP credential {credential} of user {user_id}: {err}"
        ),
    }
}

/// Our check accepted the code but Keystone's login did not: Keystone looks back fewer windows
/// than `totp.previous_windows` (its `[totp] included_previous_windows`). Counted as a wrong code.
async fn code_not_accepted(state: &AppState, flow: &FlowRecord) -> Result<AppError, AppError> {
    let user_id = &flow.record.user_id;
    log::warn!("Keystone refused a TOTP code for user {user_id} that setpass accepted: is Keystone's [totp] included_previous_windows smaller than totp.previous_windows ({})?", state.settings.totp.previous_windows);
    state.metrics.totp_failures.inc();
    let limits = state.limits();
    let Some(failures) =
        state.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, state.clock.now()).await?
    else {
        return Ok(super::replaced_or(state, flow, super::locked()).await);
    };
    Ok(Refusal::CodeNotAccepted { left: limits.max_totp_attempts.saturating_sub(failures) }.into())
}

/// The user's own token: kept from step 1, or fresh from the password typed again. (Keystone lets
/// no delegated token, such as an application credential's, create credentials.)
async fn acting_token(
    state: &AppState,
    flow: &FlowRecord,
    password: Option<&Password>,
) -> Result<SecretString, AppError> {
    let user_id = &flow.record.user_id;
    let now = state.clock.now();
    let kept = flow
        .user_token_ct
        .as_deref()
        .filter(|_| flow.user_token_expires_at.is_some_and(|t| t > now + chrono::Duration::seconds(60)));
    if let Some(sealed) = kept {
        return Ok(SecretString::from(open_secret(state, sealed, user_id, Purpose::UserToken)?.to_string()));
    }
    fresh_user_token(state, flow, password.ok_or(AppError::from(Refusal::PasswordNeeded))?).await
}

async fn fresh_user_token(
    state: &AppState,
    flow: &FlowRecord,
    password: &Password,
) -> Result<SecretString, AppError> {
    let user_id = &flow.record.user_id;
    match mfa::user_login(state, user_id, password).await? {
        UserLogin::Token(token) => {
            if !super::pending::keep_token(state, &flow.issuance(), &token).await? {
                return Err(Refusal::Replaced.into());
            }
            Ok(token.value)
        }
        UserLogin::NeedsOperator => {
            if !state.store.store_user_token(&flow.issuance(), None, None, true).await? {
                return Err(Refusal::Replaced.into());
            }
            Err(super::needs_operator())
        }
        UserLogin::Rejected => Err(wrong_password(state, flow).await?),
    }
}

/// A wrong password on the TOTP or continue form counts with the wrong codes: the link must not
/// be a way to guess the password. The last one locks the link, like a wrong code.
async fn wrong_password(state: &AppState, flow: &FlowRecord) -> Result<AppError, AppError> {
    let user_id = &flow.record.user_id;
    let limits = state.limits();
    state.metrics.totp_failures.inc();
    let Some(failures) =
        state.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, state.clock.now()).await?
    else {
        return Ok(super::replaced_or(state, flow, super::locked()).await);
    };
    if failures < limits.max_totp_attempts {
        log::info!("wrong password on the authenticator step for user {user_id}");
        return Ok(Refusal::WrongPassword.into());
    }
    super::lock_out(state, user_id, &format!("{failures} wrong codes and passwords")).await;
    Ok(Refusal::LockedAfterPassword.into())
}

/// The user was told to come back once the operator acted: their password gets a token now
/// (rules cleared, or a service credential configured), and the flow goes on.
pub async fn resume(state: &AppState, token: &OneTimeToken, password: &str) -> Result<View, AppError> {
    let flow = open(state, token).await?;
    let flow = super::after_pending_login(state, token, flow).await?;
    if flow.record.stage == Stage::Totp && flow.mfa_receipt {
        let password = Password::parse(password).map_err(|_| Refusal::PasswordUnusable)?;
        let user_id = flow.record.user_id.clone();
        let tried = with_lease(state, &user_id, async {
            let flow = reopen_at(state, token, Stage::Totp).await?;
            fresh_user_token(state, &flow, &password).await
        })
        .await;
        match tried {
            // Still blocked: the same page, which says so.
            Ok(_) | Err(AppError::Refused(Refusal::NeedsOperator)) => {}
            Err(err) => return Err(err),
        }
    }
    super::current(state, token).await
}

/// Deletes every TOTP credential of the user but `keep`.
async fn remove_other_credentials(
    state: &AppState,
    user_id: &UserId,
    token: &str,
    keep: &str,
) -> Result<(), KeystoneError> {
    for id in state.keystone.list_totp_credentials(token, user_id).await? {
        if id != keep {
            state.keystone.delete_credential(token, &id).await?;
            log::info!("removed older TOTP credential {id} of user {user_id}");
        }
    }
    Ok(())
}
