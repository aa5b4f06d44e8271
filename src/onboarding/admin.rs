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

/// What the admin's list asks for; `None` filters match every record.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub stage: Option<crate::domain::Stage>,
    pub expired: Option<bool>,
    pub locked: Option<bool>,
    pub domain_id: Option<String>,
    pub marker: Option<UserId>,
    pub limit: u32,
}

/// One page of the records the caller may see, in user id order, and whether more follow.
/// `domain`: the caller is an admin of this domain's users only (a filter for another domain
/// is refused, not answered empty).
pub async fn list(
    deps: &Deps,
    filter: ListFilter,
    domain: Option<&str>,
) -> Result<(Vec<crate::store::Listed>, bool), Error> {
    let domain_id = match (domain, filter.domain_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(AdminRefusal::OtherDomain { own: own.to_owned() }.into())
        }
        (Some(own), _) => Some(own.to_owned()),
        (None, asked) => asked,
    };
    let limit = filter.limit.max(1);
    let mut page = deps
        .store
        .list(crate::store::ListQuery {
            stage: filter.stage,
            expired: filter.expired,
            locked: filter.locked,
            domain_id,
            after: filter.marker,
            // One more than asked tells whether a next page exists.
            limit: limit + 1,
            now: deps.clock.now(),
            limits: deps.policy.limits,
        })
        .await?;
    let more = page.len() > limit as usize;
    page.truncate(limit as usize);
    Ok((page, more))
}
