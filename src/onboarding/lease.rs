//! The record's lease: one step of a user's flow at a time, across processes; MFA rules still
//! owed to the user are put back first.
use super::{mfa, Deps, Error};
use crate::domain::{Refusal, UserId};
use std::time::Duration;

/// Runs `work` holding the record's lease, after putting back any MFA rules still owed to the
/// user. Waits while another request holds it (a double submission), then gives the caller the
/// chance to see what that request did.
pub(crate) async fn with_lease<T>(
    deps: &Deps,
    user_id: &UserId,
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    with_lease_raw(deps, user_id, true, async {
        mfa::restore_if_owed(deps, user_id).await?;
        work.await
    })
    .await
}

/// The lease alone. With `wait` false, a lease held elsewhere is `Refusal::Busy` at once.
pub(crate) async fn with_lease_raw<T>(
    deps: &Deps,
    user_id: &UserId,
    wait: bool,
    work: impl std::future::Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    // Long enough for the longest step: about 15 Keystone calls, each up to two timeouts (the
    // retry on a new connection). A crash leaves the record busy for this long at most.
    let lease = deps.policy.lease;
    // A second request waits for the first (a double submission) a while, not the whole lease.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let until = loop {
        let now = deps.clock.now();
        if deps.store.acquire_lease(user_id, now, now + lease).await? {
            break now + lease;
        }
        if !wait || tokio::time::Instant::now() >= deadline {
            return Err(Refusal::Busy.into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let result = work.await;
    if let Err(err) = deps.store.release_lease(user_id, until).await {
        log::error!("releasing the lease of user {user_id}: {err}");
    }
    result
}
