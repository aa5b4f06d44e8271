//! Step 1 of an authenticator-only link ("Confirm it's you"): PIN + the user's current password →
//! a login with it (nothing changes in Keystone) → the TOTP step with that login's token.
//!
//! The password is a second guess behind the PIN: the attempt the PIN claimed stays counted until
//! Keystone accepts the password, so a wrong password uses up an attempt like a wrong PIN, and
//! whoever holds a link and its PIN cannot guess passwords without limit (Keystone's own lockout
//! counts each refusal too).
use super::mfa::{self, UserLogin};
use super::password::{claim_and_check_pin, finish};
use super::{stage_conflict, with_lease, Deps, Error, View};
use crate::domain::{OneTimeToken, Password, Pin, Refusal, Stage};
use crate::store::FlowRecord;

/// Checks, in order: the PIN's shape and the password's, the PIN (counted before it is checked),
/// then the password by a login under the record's lease. A token (or, past MFA rules, the
/// service credential's way to one, see `mfa`) moves the record to the TOTP step.
pub(super) async fn confirm_current_password(
    deps: &Deps,
    token: &OneTimeToken,
    flow: FlowRecord,
    pin: &str,
    password: &str,
) -> Result<View, Error> {
    let policy = deps.policy.pin;
    let pin = Pin::parse(pin, policy)
        .map_err(|_| Refusal::PinMalformed { min: policy.min_digits, max: policy.max_digits })?;
    let password = Password::parse(password).map_err(|_| Refusal::PasswordUnusable)?;
    let failures = claim_and_check_pin(deps, &flow, &pin).await?;
    let user_id = flow.record.user_id.clone();
    let confirmed = with_lease(deps, &user_id, async {
        let flow = reopen_holding_attempt(deps, token).await?;
        log_in(deps, &flow, &password, failures).await
    })
    .await;
    // One place gives the attempt back: whatever did not turn out to be a wrong password.
    if !is_wrong_password(&confirmed) {
        deps.store.refund_attempt(&flow.issuance(), Stage::Password).await?;
    }
    confirmed?;
    super::current(deps, token).await
}

/// After the lease wait, the record again: still at step 1, of this link, unexpired. Not
/// `reopen_at`: the attempt this step holds may be the link's last, which already makes the
/// record look locked.
async fn reopen_holding_attempt(deps: &Deps, token: &OneTimeToken) -> Result<FlowRecord, Error> {
    let flow = deps.store.flow_by_token(&token.hash()).await?.ok_or(Refusal::Replaced)?;
    if flow.record.stage != Stage::Password {
        return Err(stage_conflict(flow.record.stage));
    }
    if flow.record.is_expired(deps.clock.now()) {
        return Err(Refusal::LinkExpired.into());
    }
    Ok(flow)
}

fn is_wrong_password<T>(result: &Result<T, Error>) -> bool {
    matches!(
        result,
        Err(Error::Refused(
            Refusal::WrongCurrentPassword { .. }
                | Refusal::WrongCurrentPasswordOrAccount { .. }
                | Refusal::LockedAfterPassword
        ))
    )
}

/// The login with the current password, and the step's record of it.
async fn log_in(deps: &Deps, flow: &FlowRecord, password: &Password, failures: u32) -> Result<Stage, Error> {
    let user_id = &flow.record.user_id;
    match mfa::user_login(deps, user_id, password).await? {
        UserLogin::Token(token) => {
            log::info!("user {user_id} confirmed their current password for an authenticator-only link");
            finish(deps, flow, Some(token), false).await
        }
        // The password is right (Keystone answered a receipt); the rules need the operator.
        UserLogin::NeedsOperator => finish(deps, flow, None, true).await,
        UserLogin::Rejected => Err(rejected(deps, flow, failures).await),
    }
}

/// Keystone refused the password. With the service credential, a disabled or deleted account
/// is told as such (no password would help, so nothing is used up); otherwise it is a wrong
/// password, or, without the credential (or if the lookup fails), one of the two.
async fn rejected(deps: &Deps, flow: &FlowRecord, failures: u32) -> Error {
    let user_id = &flow.record.user_id;
    let looked_up = match deps.service {
        Some(_) => Some(mfa::service_user(deps, user_id).await),
        None => None,
    };
    let unclear = match looked_up {
        Some(Ok(None)) => {
            log::warn!("user {user_id} no longer exists in Keystone (user lookup answered 404); the authenticator-only link stays at step 1");
            return Refusal::AccountGone.into();
        }
        Some(Ok(Some(user))) if !user.enabled => {
            log::warn!("user {user_id} is disabled in Keystone (enabled = false); the authenticator-only link stays at step 1");
            return Refusal::AccountDisabled.into();
        }
        Some(Ok(Some(_))) => false,
        Some(Err(err)) => {
            log::warn!("Keystone refused the current password of user {user_id}, and reading the user with the service credential failed, so a disabled or deleted account cannot be told apart: {err}");
            true
        }
        None => true,
    };
    deps.metrics.pin_failures.inc();
    let left = deps.policy.limits.max_pin_attempts.saturating_sub(failures);
    if left == 0 {
        super::lock_out(deps, user_id, &format!("{failures} wrong PINs and current passwords")).await;
        return Refusal::LockedAfterPassword.into();
    }
    log::info!("current password refused for user {user_id}; {left} attempts left");
    match unclear {
        true => Refusal::WrongCurrentPasswordOrAccount { left }.into(),
        false => Refusal::WrongCurrentPassword { left }.into(),
    }
}
