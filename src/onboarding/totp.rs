//! Step 2: a correct code from the app → the Keystone `totp` credential, checked by a login.
use super::mfa::{self, UserLogin};
use super::Deps;
use super::Error;
use super::{open, open_secret, reopen_at, stage_conflict, with_lease, View};
use crate::crypto::Purpose;
use crate::domain::totp::parse_code;
use crate::domain::{CodeCheck, OneTimeToken, Password, Refusal, Stage, TotpSecret, UserId};
use crate::keystone::{KeystoneError, TotpLogin};
use crate::store::FlowRecord;
use secrecy::{ExposeSecret, SecretString};

pub struct TotpInput<'a> {
    pub code: &'a str,
    /// Only needed when the token kept from step 1 has expired.
    pub password: Option<&'a str>,
}

pub async fn submit_totp(deps: &Deps, token: &OneTimeToken, input: TotpInput<'_>) -> Result<View, Error> {
    let flow = open(deps, token).await?;
    if flow.record.stage != Stage::Totp {
        return Err(stage_conflict(flow.record.stage));
    }
    let flow = super::after_pending_login(deps, token, flow).await?;
    let authenticator_only = flow.record.authenticator_only;
    if flow.mfa_receipt && deps.service.is_none() && input.password.is_none_or(str::is_empty) {
        return Ok(View::NeedsOperator { authenticator_only });
    }
    let code = parse_code(input.code).map_err(|_| Refusal::CodeMalformed)?;
    let password = input
        .password
        .filter(|p| !p.is_empty())
        .map(Password::parse)
        .transpose()
        .map_err(|_| Refusal::PasswordUnusable)?;
    let user_id = flow.record.user_id.clone();
    let secret = check_code(deps, &flow, &code).await?;
    with_lease(deps, &user_id, async {
        let flow = reopen_at(deps, token, Stage::Totp).await?;
        enroll(deps, &flow, &secret, &code, password.as_ref()).await
    })
    .await?;
    // Enrolled: the link is used up whatever happens here, so codes that cannot be made are
    // logged, not a failed step (recovery then needs an admin's link).
    let recovery_codes = match super::recovery_codes::new_set(deps, &user_id).await {
        Ok(codes) => codes,
        Err(err) => {
            log::error!("no recovery codes for user {user_id}: {}", crate::cause::chain(&err));
            Vec::new()
        }
    };
    Ok(View::Complete { recovery_codes, authenticator_only })
}

async fn check_code(deps: &Deps, flow: &FlowRecord, code: &str) -> Result<TotpSecret, Error> {
    let user_id = &flow.record.user_id;
    let limits = deps.policy.limits;
    let now = deps.clock.now();
    let Some(failures) = deps.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, now).await? else {
        return Err(super::replaced_or(deps, flow, super::locked()).await);
    };
    let sealed =
        flow.totp_secret_ct.as_deref().ok_or_else(|| Error::internal(super::Missing("TOTP secret")))?;
    let secret = TotpSecret::parse(&open_secret(deps, sealed, user_id, Purpose::TotpSecret)?)
        .map_err(Error::internal)?;
    let skew_secs = match secret.check(code, now.timestamp(), deps.policy.totp.previous_windows) {
        CodeCheck::Accepted => {
            deps.store.refund_attempt(&flow.issuance(), Stage::Totp).await?;
            return Ok(secret);
        }
        CodeCheck::Skewed(secs) => Some(secs),
        CodeCheck::Rejected => None,
    };
    deps.metrics.totp_failures.inc();
    let attempts_left = limits.max_totp_attempts.saturating_sub(failures);
    if attempts_left == 0 {
        super::lock_out(deps, user_id, &format!("{failures} wrong authenticator codes")).await;
        return Err(Refusal::LockedAfterCode.into());
    }
    log::info!("wrong authenticator code for user {user_id}; clock skew {skew_secs:?} s");
    Err(Refusal::WrongCode { left: attempts_left, skew_secs }.into())
}

async fn enroll(
    deps: &Deps,
    flow: &FlowRecord,
    secret: &TotpSecret,
    code: &str,
    password: Option<&Password>,
) -> Result<(), Error> {
    let user_id = &flow.record.user_id;
    let keystone = &deps.identity;
    let mut acting = acting_token(deps, flow, password).await?;
    let credential =
        match keystone.create_totp_credential(acting.expose_secret(), user_id, secret.expose()).await {
            Err(KeystoneError::InvalidToken) => {
                // The kept token was revoked or has lapsed: the password brings a fresh one.
                if !deps.store.store_user_token(&flow.issuance(), None, None, false).await? {
                    return Err(super::replaced_or(deps, flow, Refusal::Replaced.into()).await);
                }
                let password = password.ok_or_else(|| password_needed(flow))?;
                // A token taken in the same second as the password change (on another replica,
                // just before it died) is revoked with it: the next one must come after.
                tokio::time::sleep_until(super::pending::after_revocation_window()).await;
                acting = fresh_user_token(deps, flow, password).await?;
                keystone.create_totp_credential(acting.expose_secret(), user_id, secret.expose()).await?
            }
            other => other?,
        };
    deps.metrics.totp_enrolled.inc();
    log::info!("TOTP credential {credential} created for user {user_id}");
    confirm(deps, flow, acting.expose_secret(), &credential, code).await?;
    // Confirmed: now only the new credential may stay (an older one may be on a lost phone, and a
    // retried creation may have left a twin). Not before, or a refused code would leave none.
    if let Err(err) = remove_other_credentials(deps, user_id, acting.expose_secret(), &credential).await {
        log::warn!(
            "could not remove other TOTP credentials of user {user_id}; enrollment is not complete: {err}"
        );
        return Err(err.into());
    }
    if deps.policy.mfa.enforce {
        mfa::enforce(deps, user_id).await?;
    }
    if !deps.store.complete(&flow.issuance(), deps.clock.now(), super::outbox::announcing(deps)).await? {
        // The link is still there: completion waits for MFA rules still owed.
        return Err(super::replaced_or(deps, flow, Refusal::Busy.into()).await);
    }
    deps.metrics.completions.inc();
    log::info!("onboarding complete for user {user_id}");
    super::outbox::announced(deps);
    Ok(())
}

/// Keystone must accept the code with the new credential; if it does not, the credential goes.
async fn confirm(
    deps: &Deps,
    flow: &FlowRecord,
    token: &str,
    credential: &str,
    code: &str,
) -> Result<(), Error> {
    let user_id = &flow.record.user_id;
    let refused = match deps.identity.totp_login(user_id, code).await {
        Ok(TotpLogin::Accepted) => return Ok(()),
        Ok(TotpLogin::Rejected) => code_not_accepted(deps, flow).await?,
        Ok(TotpLogin::MethodDisabled(methods)) => {
            log::error!("Keystone does not have the `totp` auth method enabled (its [auth] methods are {methods:?}): add totp there, or set totp.enabled = false");
            Refusal::TotpUnavailable.into()
        }
        Err(err) => err.into(),
    };
    withdraw(deps, user_id, token, credential).await;
    Err(refused)
}

/// Takes back the credential just made when its code could not be confirmed.
async fn withdraw(deps: &Deps, user_id: &UserId, token: &str, credential: &str) {
    match deps.identity.delete_credential(token, credential).await {
        Ok(()) => log::info!("removed TOTP credential {credential} of user {user_id}: it was not confirmed"),
        Err(err) => log::error!(
            "could not remove the unconfirmed TOTP credential {credential} of user {user_id}: {err}"
        ),
    }
}

/// Our check accepted the code but Keystone's login did not: Keystone looks back fewer windows
/// than `totp.previous_windows` (its `[totp] included_previous_windows`). Counted as a wrong code.
async fn code_not_accepted(deps: &Deps, flow: &FlowRecord) -> Result<Error, Error> {
    let user_id = &flow.record.user_id;
    log::warn!("Keystone refused a TOTP code for user {user_id} that setpass accepted: is Keystone's [totp] included_previous_windows smaller than totp.previous_windows ({})?", deps.policy.totp.previous_windows);
    deps.metrics.totp_failures.inc();
    let limits = deps.policy.limits;
    let Some(failures) =
        deps.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, deps.clock.now()).await?
    else {
        return Ok(super::replaced_or(deps, flow, super::locked()).await);
    };
    Ok(Refusal::CodeNotAccepted { left: limits.max_totp_attempts.saturating_sub(failures) }.into())
}

/// The user's own token: kept from step 1, or fresh from the password typed again. (Keystone lets
/// no delegated token, such as an application credential's, create credentials.)
async fn acting_token(
    deps: &Deps,
    flow: &FlowRecord,
    password: Option<&Password>,
) -> Result<SecretString, Error> {
    let user_id = &flow.record.user_id;
    let now = deps.clock.now();
    let kept = flow
        .user_token_ct
        .as_deref()
        .filter(|_| flow.user_token_expires_at.is_some_and(|t| t > now + chrono::Duration::seconds(60)));
    if let Some(sealed) = kept {
        return Ok(SecretString::from(open_secret(deps, sealed, user_id, Purpose::UserToken)?.to_string()));
    }
    fresh_user_token(deps, flow, password.ok_or_else(|| password_needed(flow))?).await
}

/// The kept token is gone: the password brings a new one (the current one, for an
/// authenticator-only link).
fn password_needed(flow: &FlowRecord) -> Error {
    match flow.record.authenticator_only {
        true => Refusal::CurrentPasswordNeeded.into(),
        false => Refusal::PasswordNeeded.into(),
    }
}

pub(super) async fn fresh_user_token(
    deps: &Deps,
    flow: &FlowRecord,
    password: &Password,
) -> Result<SecretString, Error> {
    let user_id = &flow.record.user_id;
    match mfa::user_login(deps, user_id, password).await? {
        UserLogin::Token(token) => {
            if !super::pending::keep_token(deps, &flow.issuance(), &token).await? {
                return Err(Refusal::Replaced.into());
            }
            Ok(token.value)
        }
        UserLogin::NeedsOperator => {
            if !deps.store.store_user_token(&flow.issuance(), None, None, true).await? {
                return Err(Refusal::Replaced.into());
            }
            Err(super::needs_operator())
        }
        UserLogin::Rejected => Err(login_rejected(deps, flow).await?),
    }
}

/// Keystone refused the password, as it does for a user disabled or deleted since step 1. With
/// the service credential the user's state says which, and an account that cannot log in uses no
/// attempt up (no password would help). Without it, or if the lookup fails, the refusal names
/// both and counts: it may be a guess.
async fn login_rejected(deps: &Deps, flow: &FlowRecord) -> Result<Error, Error> {
    let user_id = &flow.record.user_id;
    if deps.service.is_none() {
        return wrong_password(deps, flow, Refusal::WrongPasswordOrAccount).await;
    }
    match mfa::service_user(deps, user_id).await {
        Ok(None) => {
            log::warn!("user {user_id} no longer exists in Keystone (user lookup answered 404); the link stays at the authenticator step");
            Ok(Refusal::AccountGone.into())
        }
        Ok(Some(user)) if !user.enabled => {
            log::warn!("user {user_id} is disabled in Keystone (enabled = false); the link stays at the authenticator step");
            Ok(Refusal::AccountDisabled.into())
        }
        Ok(Some(_)) => wrong_password(deps, flow, Refusal::WrongPassword).await,
        Err(err) => {
            log::warn!("Keystone refused the password of user {user_id}, and reading the user with the service credential failed, so a disabled or deleted account cannot be told apart: {err}");
            wrong_password(deps, flow, Refusal::WrongPasswordOrAccount).await
        }
    }
}

/// A wrong password on the TOTP or continue form counts with the wrong codes: the link must not
/// be a way to guess the password. The last one locks the link, like a wrong code; before it,
/// the user is told `refusal`.
async fn wrong_password(deps: &Deps, flow: &FlowRecord, refusal: Refusal) -> Result<Error, Error> {
    let user_id = &flow.record.user_id;
    let limits = deps.policy.limits;
    deps.metrics.totp_failures.inc();
    let Some(failures) =
        deps.store.claim_attempt(&flow.issuance(), Stage::Totp, limits, deps.clock.now()).await?
    else {
        return Ok(super::replaced_or(deps, flow, super::locked()).await);
    };
    if failures < limits.max_totp_attempts {
        log::info!("password refused on the authenticator step for user {user_id}: {refusal:?}");
        // The password an authenticator-only link asks again is the current one, never changed.
        let left = limits.max_totp_attempts - failures;
        return Ok(match (flow.record.authenticator_only, refusal) {
            (true, Refusal::WrongPassword) => Refusal::WrongCurrentPassword { left },
            (true, _) => Refusal::WrongCurrentPasswordOrAccount { left },
            (false, refusal) => refusal,
        }
        .into());
    }
    super::lock_out(deps, user_id, &format!("{failures} wrong codes and passwords")).await;
    Ok(Refusal::LockedAfterPassword.into())
}

/// Deletes every TOTP credential of the user but `keep`.
async fn remove_other_credentials(
    deps: &Deps,
    user_id: &UserId,
    token: &str,
    keep: &str,
) -> Result<(), KeystoneError> {
    for id in deps.identity.list_totp_credentials(token, user_id).await? {
        if id != keep {
            deps.identity.delete_credential(token, &id).await?;
            log::info!("removed older TOTP credential {id} of user {user_id}");
        }
    }
    Ok(())
}
