//! The user's token for the TOTP step, taken in the background once the password step has
//! answered: Keystone revokes tokens issued in the same second as a password change, so the login
//! waits for the next wall-clock second, and the user does not wait with it.
//!
//! `PendingLogins` is what this process knows of those logins, so the TOTP page does not ask for
//! the password while one runs and the TOTP step waits for it. Another process (or this one after
//! a restart) does not know: the record has no token, and the TOTP page asks for the password
//! again, as it does when the login failed.
use super::mfa::{self, UserLogin};
use super::with_lease;
use super::Deps;
use super::Error;
use crate::crypto::Purpose;
use crate::domain::{Password, Stage, TokenHash};
use crate::keystone::IssuedToken;
use crate::store::Issuance;
use secrecy::ExposeSecret;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// How long the TOTP step waits for a login still running: the same-second wait (at most 1 s)
/// and a login past MFA rules (a few Keystone calls) fit well within it.
const WAIT_FOR_LOGIN: Duration = Duration::from_secs(5);

/// The logins this process is running, by the link (token hash) they were started for.
#[derive(Default)]
pub struct PendingLogins {
    running: Mutex<HashMap<[u8; 32], watch::Receiver<()>>>,
}

/// Held by the login while it runs; dropping it (done, failed, or the task gone) ends the wait.
pub(crate) struct Pending {
    _done: watch::Sender<()>,
}

impl PendingLogins {
    pub(crate) fn begin(&self, link: &TokenHash) -> Pending {
        let (done, running) = watch::channel(());
        let mut map = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|_, login| login.has_changed().is_ok());
        map.insert(link.0, running);
        Pending { _done: done }
    }

    /// A login for this link is running in this process.
    pub(crate) fn is_running(&self, link: &TokenHash) -> bool {
        self.get(link).is_some_and(|login| login.has_changed().is_ok())
    }

    /// Waits, at most `WAIT_FOR_LOGIN`, for a login running for this link.
    pub(crate) async fn wait(&self, link: &TokenHash) {
        let Some(mut login) = self.get(link) else { return };
        // `changed` fails once the login's `Pending` is dropped; nothing is ever sent.
        let ended = async { while login.changed().await.is_ok() {} };
        if tokio::time::timeout(WAIT_FOR_LOGIN, ended).await.is_err() {
            log::warn!(
                "the login for the TOTP step is still running after {WAIT_FOR_LOGIN:?}; going on without it"
            );
        }
    }

    fn get(&self, link: &TokenHash) -> Option<watch::Receiver<()>> {
        self.running.lock().unwrap_or_else(PoisonError::into_inner).get(&link.0).cloned()
    }
}

/// A login the password step leaves to run after it has answered.
pub(crate) struct LoginLater {
    pub issuance: Issuance,
    /// Past Keystone's same-second revocation window.
    pub not_before: Instant,
    pub pending: Pending,
}

/// When a token issued now would be past the revocation window of a password change Keystone
/// has just confirmed: the next second of the wall clock (Keystone's, not the injected one).
pub(crate) fn after_revocation_window() -> Instant {
    let wait = 1_000 - i64::from(chrono::Utc::now().timestamp_subsec_millis()) + 20;
    Instant::now() + Duration::from_millis(wait.max(0) as u64)
}

impl LoginLater {
    pub(crate) fn spawn(self, deps: Arc<Deps>, password: Password) {
        tokio::spawn(async move {
            let LoginLater { issuance, not_before, pending } = self;
            tokio::time::sleep_until(not_before).await;
            let user_id = issuance.user_id.clone();
            let result = with_lease(&deps, &user_id, login_and_keep(&deps, &issuance, &password)).await;
            if let Err(err) = result {
                log::warn!("no token for the TOTP step of user {user_id}; the TOTP page asks for the password again: {}", crate::cause::chain(&err));
            }
            drop(pending);
        });
    }
}

/// Under the record's lease: the login, its outcome kept in the record it was started for.
async fn login_and_keep(deps: &Deps, issuance: &Issuance, password: &Password) -> Result<(), Error> {
    let user_id = &issuance.user_id;
    let Some(flow) = deps.store.flow_by_token(&issuance.token_hash).await? else {
        log::info!(
            "the link of user {user_id} was renewed or revoked before the login for the TOTP step; no login"
        );
        return Ok(());
    };
    if flow.record.stage != Stage::Totp || flow.user_token_ct.is_some() || flow.mfa_receipt {
        // Another request (another process) got on with the TOTP step meanwhile.
        return Ok(());
    }
    let kept = match mfa::user_login(deps, user_id, password).await? {
        UserLogin::Token(token) => keep_token(deps, issuance, &token).await?,
        UserLogin::NeedsOperator => deps.store.store_user_token(issuance, None, None, true).await?,
        UserLogin::Rejected => {
            log::warn!("Keystone changed the password of user {user_id} but refused a login with it (the user was disabled or deleted meanwhile?); the TOTP page asks for the password again");
            return Ok(());
        }
    };
    if !kept {
        log::warn!("the link of user {user_id} was renewed or revoked during the login for the TOTP step; the admin's change stands");
    }
    Ok(())
}

/// Keeps the user's token, sealed, in the record of `issuance`; false if it was renewed or revoked.
pub(crate) async fn keep_token(deps: &Deps, issuance: &Issuance, token: &IssuedToken) -> Result<bool, Error> {
    let user_id = issuance.user_id.as_str();
    let sealed = deps.sealer.seal_for(Purpose::UserToken, user_id, token.value.expose_secret().as_bytes());
    Ok(deps.store.store_user_token(issuance, Some(sealed), Some(token.expires_at), false).await?)
}
