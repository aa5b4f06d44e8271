//! Step 1: PIN + new password → Keystone password change → (after the answer) a user token for
//! step 2. (An authenticator-only link's step 1 is in `confirm`.)
use super::mfa::{self, UserLogin};
use super::pending::{self, LoginLater};
use super::Deps;
use super::Error;
use super::{open, reopen_at, stage_conflict, with_lease, View};
use crate::crypto::Purpose;
use crate::domain::{OneTimeToken, Password, Pin, Refusal, Stage, TotpSecret, UserId};
use crate::keystone::{IssuedToken, Login, PasswordChange};
use crate::store::{FlowRecord, PasswordDone};
use secrecy::ExposeSecret;
use std::sync::Arc;

pub struct PasswordInput<'a> {
    pub pin: &'a str,
    pub password: &'a str,
    /// The HTML form sends a confirmation; the JSON API does not.
    pub confirm: Option<&'a str>,
}

/// Checks, in order: the link, the PIN (counted before it is checked), the confirmation, the
/// local length rule; then changes the password in Keystone and moves on to the TOTP step. The
/// user's token for that step is taken after the answer (see `pending`). An authenticator-only
/// link takes the current password instead (`confirm`; no confirmation, no password rule).
pub async fn submit_password(
    deps: &Arc<Deps>,
    token: &OneTimeToken,
    input: PasswordInput<'_>,
) -> Result<View, Error> {
    let flow = open(deps, token).await?;
    if flow.record.stage != Stage::Password {
        return Err(stage_conflict(flow.record.stage));
    }
    if flow.record.authenticator_only {
        return super::confirm::confirm_current_password(deps, token, flow, input.pin, input.password).await;
    }
    let user_id = flow.record.user_id.clone();
    let policy = deps.policy.pin;
    let pin = Pin::parse(input.pin, policy)
        .map_err(|_| Refusal::PinMalformed { min: policy.min_digits, max: policy.max_digits })?;
    check_pin(deps, &flow, &pin).await?;
    if input.confirm.is_some_and(|confirm| confirm != input.password) {
        return Err(Refusal::PasswordsDiffer.into());
    }
    let min = deps.policy.password.min_chars;
    if input.password.chars().count() < min {
        return Err(Refusal::PasswordTooShort { min }.into());
    }
    // Keystone's bcrypt reads only the first 72 bytes: a longer password protects no better.
    let max_bytes = deps.policy.password.max_bytes;
    if max_bytes > 0 && input.password.len() > max_bytes {
        return Err(Refusal::PasswordTooLong { max_bytes }.into());
    }
    let password = Password::parse(input.password).map_err(|_| Refusal::PasswordUnusable)?;
    let done = with_lease(deps, &user_id, async {
        let flow = reopen_at(deps, token, Stage::Password).await?;
        change_in_keystone(deps, &flow, &password).await
    })
    .await?;
    match done {
        Done::At(Stage::Complete) => {
            return Ok(View::Complete { recovery_codes: Vec::new(), authenticator_only: false })
        }
        Done::At(_) => {}
        // After the lease is given back: the login takes it.
        Done::LoginLater(later) => later.spawn(Arc::clone(deps), password),
    }
    super::current(deps, token).await
}

/// Where the password step left the record, and what it left to do.
enum Done {
    At(Stage),
    LoginLater(LoginLater),
}

async fn check_pin(deps: &Deps, flow: &FlowRecord, pin: &Pin) -> Result<(), Error> {
    claim_and_check_pin(deps, flow, pin).await?;
    deps.store.refund_attempt(&flow.issuance(), Stage::Password).await?;
    Ok(())
}

/// Counts one attempt, then checks the PIN. A right PIN answers the failures counted, this
/// attempt included, and leaves the attempt counted: the caller gives it back (`refund_attempt`)
/// once nothing else it guards can be wrong.
pub(super) async fn claim_and_check_pin(deps: &Deps, flow: &FlowRecord, pin: &Pin) -> Result<u32, Error> {
    let user_id = &flow.record.user_id;
    let limits = deps.policy.limits;
    let Some(failures) =
        deps.store.claim_attempt(&flow.issuance(), Stage::Password, limits, deps.clock.now()).await?
    else {
        return Err(super::replaced_or(deps, flow, super::locked()).await);
    };
    if deps.hasher.verify(pin.expose().as_bytes(), &flow.pin_hash).await? {
        return Ok(failures);
    }
    deps.metrics.pin_failures.inc();
    let attempts_left = limits.max_pin_attempts.saturating_sub(failures);
    if attempts_left == 0 {
        super::lock_out(deps, user_id, &format!("{failures} wrong PINs")).await;
        return Err(Refusal::LockedAfterPin.into());
    }
    log::info!("wrong PIN for user {user_id}; {attempts_left} attempts left");
    Err(Refusal::WrongPin { left: attempts_left }.into())
}

async fn change_in_keystone(deps: &Deps, flow: &FlowRecord, password: &Password) -> Result<Done, Error> {
    let user_id = &flow.record.user_id;
    let sealed =
        flow.password_ct.as_deref().ok_or_else(|| Error::internal(super::Missing("admin-set password")))?;
    let original = super::open_secret(deps, sealed, user_id, Purpose::AdminPassword)?;
    let changed = match deps
        .identity
        .change_password(user_id, &original, password.expose())
        .await
        .map_err(Error::KeystoneUnavailable)?
    {
        PasswordChange::Changed => {
            deps.metrics.passwords_set.inc();
            log::info!("password changed in Keystone for user {user_id}");
            true
        }
        PasswordChange::Refused(message) => return Err(Refusal::KeystoneRefusedPassword(message).into()),
        PasswordChange::AccountDisabled => {
            log::warn!("Keystone refused the password change of user {user_id} with 401 \"The account is disabled\"; nothing was changed and the link stays at the password step");
            return Err(Refusal::AccountDisabled.into());
        }
        // An earlier submission may have changed it and lost the answer (crash, timeout): the
        // login below tells.
        PasswordChange::OriginalRejected => false,
    };
    let not_before = pending::after_revocation_window();
    if changed && deps.policy.totp.enabled {
        // Registered before the record moves on, so the TOTP page never asks for the password
        // while the login is still to come.
        let running = deps.logins.begin(&flow.token_hash);
        finish(deps, flow, None, false).await?;
        let later = LoginLater { issuance: flow.issuance(), not_before, pending: running };
        return Ok(Done::LoginLater(later));
    }
    // The login decides: without enrollment, whether the account is usable; after a change lost
    // by an earlier submission, whether the password is the user's at all.
    tokio::time::sleep_until(not_before).await;
    let next = match login(deps, user_id, password).await? {
        UserLogin::Token(token) => {
            if !changed {
                log::info!("password of user {user_id} was already changed by an earlier submission");
            }
            finish(deps, flow, Some(token), false).await
        }
        UserLogin::NeedsOperator => finish(deps, flow, None, true).await,
        UserLogin::Rejected => Err(account_refused(deps, user_id, changed).await),
    };
    next.map(Done::At)
}

/// Keystone accepts neither the stored password nor the new one. Keystone changes the password
/// of a disabled user but refuses it a token; a deleted user has no password at all. With the
/// service credential the user's state says which; without it, only a fresh change tells.
async fn account_refused(deps: &Deps, user_id: &UserId, changed: bool) -> Error {
    let user = match deps.service {
        Some(_) => mfa::service_user(deps, user_id).await.ok(),
        None => None,
    };
    match (user, changed) {
        (Some(None), _) => {
            log::warn!("user {user_id} no longer exists in Keystone (user lookup answered 404)");
            Refusal::AccountGone.into()
        }
        (Some(Some(user)), _) if !user.enabled => {
            log::warn!("user {user_id} is disabled in Keystone (enabled = false); the link stays at the password step");
            Refusal::AccountDisabled.into()
        }
        (_, true) => {
            log::warn!("Keystone changed the password of user {user_id} but refused a login with it: the user is disabled (or was deleted meanwhile); the link stays at the password step");
            Refusal::AccountDisabled.into()
        }
        (_, false) => {
            log::warn!("Keystone refused the stored password of user {user_id}, and the submitted one: the password was changed elsewhere, or the user was deleted; renew the link with PUT /token/{user_id} and a new password");
            Refusal::ChangedElsewhere.into()
        }
    }
}

/// The user's login with the new password, once past Keystone's same-second revocation window.
async fn login(deps: &Deps, user_id: &UserId, password: &Password) -> Result<UserLogin, Error> {
    if !deps.policy.totp.enabled {
        // No enrollment follows, so no token is needed: a receipt already says the password
        // works, and MFA rules are left alone.
        return Ok(match deps.identity.password_login(user_id, password.expose()).await? {
            Login::Token(token) => UserLogin::Token(token),
            Login::Receipt(_) => UserLogin::NeedsOperator,
            Login::Rejected => UserLogin::Rejected,
        });
    }
    mfa::user_login(deps, user_id, password).await
}

/// Records the step; returns the stage the record is now at.
pub(super) async fn finish(
    deps: &Deps,
    flow: &FlowRecord,
    token: Option<IssuedToken>,
    mfa_receipt: bool,
) -> Result<Stage, Error> {
    let user_id = &flow.record.user_id;
    let now = deps.clock.now();
    let enabled = deps.policy.totp.enabled;
    let seal = |text: &str, purpose| deps.sealer.seal_for(purpose, user_id.as_str(), text.as_bytes());
    let done = PasswordDone {
        next: if enabled { Stage::Totp } else { Stage::Complete },
        totp_secret_ct: enabled.then(|| seal(TotpSecret::generate().expose(), Purpose::TotpSecret)),
        user_token_ct: token
            .as_ref()
            .filter(|_| enabled)
            .map(|t| seal(t.value.expose_secret(), Purpose::UserToken)),
        user_token_expires_at: token.as_ref().filter(|_| enabled).map(|t| t.expires_at),
        mfa_receipt,
        now,
    };
    let next = done.next;
    if !deps.store.finish_password_step(&flow.issuance(), done).await? {
        log::warn!("the link of user {user_id} was renewed or revoked during the password step; the admin's change stands");
        return Err(Refusal::Replaced.into());
    }
    if !enabled {
        if !deps.store.complete(&flow.issuance(), now, super::outbox::announcing(deps)).await? {
            // The link is still there: completion waits for MFA rules still owed.
            return Err(super::replaced_or(deps, flow, Refusal::Busy.into()).await);
        }
        deps.metrics.completions.inc();
        log::info!("onboarding complete for user {user_id} (TOTP enrollment is off)");
        super::outbox::announced(deps);
    }
    Ok(next)
}

/// The step's last write, for the use-case tests: what an in-flight step does once Keystone
/// answered.
#[cfg(test)]
pub(crate) async fn finish_for_test(deps: &Deps, flow: &FlowRecord) -> Result<(), Error> {
    finish(deps, flow, None, false).await.map(|_| ())
}
