//! The admin's GET and DELETE: a link's status (never a secret), and revoking it. The caller
//! passed the admin check (`access`) before these run.
use super::{Deps, Error};
use crate::domain::admin::AdminRefusal;
use crate::domain::{Onboarding, UserId};
use crate::store::Revoke;

/// What the admin may know of a user's link.
#[derive(Debug)]
pub struct LinkStatus {
    pub record: Onboarding,
    pub expired: bool,
    pub attempts_left: u32,
    pub locked: bool,
    /// setpass switched the user's MFA rules off and has not yet managed to switch them back on.
    pub mfa_restore_pending: bool,
}

/// The status of `user_id`'s link.
pub async fn status(deps: &Deps, user_id: &UserId) -> Result<LinkStatus, Error> {
    let record = deps.store.find(user_id).await?.ok_or_else(|| AdminRefusal::NoRecord(user_id.clone()))?;
    let mfa_restore_pending = deps.store.mfa_owed(user_id).await?.is_some();
    let limits = deps.policy.limits;
    Ok(LinkStatus {
        expired: record.is_expired(deps.clock.now()),
        attempts_left: record.attempts_left(limits.max_pin_attempts),
        locked: record.is_locked(limits),
        mfa_restore_pending,
        record,
    })
}

/// Deletes `user_id`'s record: the link dies at once. Refused while MFA rules setpass switched
/// off are still owed back (the record is what remembers them).
pub async fn revoke(deps: &Deps, user_id: &UserId) -> Result<(), Error> {
    match deps.store.revoke(user_id).await? {
        Revoke::Done => {}
        Revoke::NoRecord => return Err(AdminRefusal::NoRecord(user_id.clone()).into()),
        Revoke::MfaOwed => return Err(AdminRefusal::MfaOwed(user_id.clone()).into()),
    }
    deps.metrics.links_revoked.inc();
    log::info!("revoked onboarding link for user {user_id}");
    Ok(())
}
