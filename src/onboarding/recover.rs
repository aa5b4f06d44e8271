//! Recovery after a lost phone, without an admin and without a password reset: the user's
//! password and one of their recovery codes start a new enrollment (`enroll_code.rs` finishes
//! it: the new authenticator confirmed by Keystone, then the old ones deleted, then new codes).
use super::enroll::{begin, sign_in, Way};
use super::{recovery_codes, Deps, Error, Started};
use crate::domain::{Locale, Refusal};
use crate::store::EnrollKind;

/// What the user typed on the recovery form.
pub struct RecoverInput<'a> {
    pub user_name: &'a str,
    pub domain: Option<&'a str>,
    pub password: &'a str,
    pub recovery_code: &'a str,
    pub locale: Option<Locale>,
}

/// Signs the user in, uses up one recovery code (atomically: of many tries at once with the
/// same code, one wins) and starts an enrollment that will replace their authenticator.
pub async fn start_recovery(deps: &Deps, input: RecoverInput<'_>) -> Result<Started, Error> {
    if input.recovery_code.trim().is_empty() {
        return Err(Refusal::RecoveryCodeMissing.into());
    }
    let (user_id, user_name, way) = sign_in(deps, input.user_name, input.domain, input.password).await?;
    if matches!(way, Way::Receipt(_)) && deps.service.is_none() {
        log::warn!("recovery for user {user_id}: their MFA rules want TOTP, so their password gives only a receipt; configure a service user (keystone.service_user_name)");
        return Err(Refusal::SelfEnrollNeedsOperator.into());
    }
    let policy = &deps.policy.recovery;
    let now = deps.clock.now();
    let Some(failures) =
        deps.store.claim_recovery_attempt(&user_id, policy.max_attempts, policy.lockout, now).await?
    else {
        log::warn!("recovery for user {user_id} refused: locked after too many wrong recovery codes");
        return Err(Refusal::RecoveryLocked.into());
    };
    let used = match recovery_codes::matching(deps, &user_id, input.recovery_code).await? {
        Some(code_id) => deps.store.use_recovery_code(&user_id, code_id, now).await?,
        None => false,
    };
    if !used {
        let left = policy.max_attempts.saturating_sub(failures);
        log::info!("wrong recovery code for user {user_id}; {left} attempts left");
        if left == 0 {
            return Err(Refusal::RecoveryLocked.into());
        }
        return Err(Refusal::WrongRecoveryCode { left }.into());
    }
    deps.store.clear_recovery_attempts(&user_id).await?;
    log::info!("recovery code used for user {user_id}");
    begin(deps, user_id, &user_name, way, EnrollKind::Recovery, input.locale).await
}
