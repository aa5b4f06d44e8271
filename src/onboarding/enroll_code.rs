//! Self-enrollment and recovery, second half: the code from the app. Checked here first (counted before it is
//! checked, like the link's), then the `totp` credential is created in Keystone and confirmed by
//! Keystone itself: a TOTP login with the user's token's way, or the receipt completed with the
//! code. An unconfirmed credential is withdrawn; only after the confirmation may other
//! credentials go (a lost phone's), the MFA rules be switched on and the enrollment end (once,
//! on any replica), with a new set of recovery codes.
use super::{mfa, notices, outbox, recovery_codes, Deps, Error};
use crate::crypto::Purpose;
use crate::domain::totp::parse_code;
use crate::domain::{CodeCheck, Event, Refusal, TotpSecret, UserId};
use crate::keystone::{KeystoneError, Login, Receipt, TotpLogin};
use crate::notify::AddedMail;
use crate::store::{EnrollKind, Enrollment};
use secrecy::{ExposeSecret, SecretString};

/// The enrollment is over: the authenticator is the user's, and these recovery codes (shown
/// once; empty when codes are off). `Debug` shows no code.
pub struct Finished {
    pub user_name: String,
    pub recovery_codes: Vec<zeroize::Zeroizing<String>>,
}

impl std::fmt::Debug for Finished {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Finished({}, {} recovery codes)", self.user_name, self.recovery_codes.len())
    }
}

/// Checks the code and, when it is right, enrolls it in Keystone.
pub async fn finish_enrollment(deps: &Deps, enrollment: &str, code: &str) -> Result<Finished, Error> {
    let now = deps.clock.now();
    let found = deps.store.enrollment(enrollment, now).await?.ok_or(Refusal::EnrollmentUnknown)?;
    let code = parse_code(code).map_err(|_| Refusal::CodeMalformed)?;
    let secret = check_code(deps, &found, &code).await?;
    let until = now + deps.policy.lease;
    if !deps.store.lease_enrollment(&found.id, now, until).await? {
        return Err(Refusal::Busy.into());
    }
    let result = enroll(deps, &found, &secret, &code).await;
    if let Err(err) = deps.store.release_enrollment(&found.id, until).await {
        log::error!("releasing the enrollment of user {}: {err}", found.user_id);
    }
    result
}

async fn check_code(deps: &Deps, found: &Enrollment, code: &str) -> Result<TotpSecret, Error> {
    let user_id = &found.user_id;
    let max = deps.policy.limits.max_totp_attempts;
    let now = deps.clock.now();
    let Some(failures) = deps.store.claim_enrollment_attempt(&found.id, max, now).await? else {
        return Err(Refusal::EnrollmentLocked.into());
    };
    let secret = TotpSecret::parse(&open(deps, user_id, &found.secret_ct, Purpose::TotpSecret)?)
        .map_err(Error::internal)?;
    let skew_secs = match secret.check(code, now.timestamp(), deps.policy.totp.previous_windows) {
        CodeCheck::Accepted => {
            deps.store.refund_enrollment_attempt(&found.id).await?;
            return Ok(secret);
        }
        CodeCheck::Skewed(secs) => Some(secs),
        CodeCheck::Rejected => None,
    };
    deps.metrics.totp_failures.inc();
    let left = max.saturating_sub(failures);
    if left == 0 {
        log::warn!("self-enrollment of user {user_id} ended after {failures} wrong codes");
        deps.store.finish_enrollment(&found.id, None, now).await?;
        return Err(Refusal::EnrollmentLocked.into());
    }
    Err(Refusal::WrongCode { left, skew_secs }.into())
}

/// Who acts in Keystone: the user (their token), or the service credential (with the receipt).
enum Acting {
    User(SecretString),
    Service(Receipt),
}

async fn enroll(deps: &Deps, found: &Enrollment, secret: &TotpSecret, code: &str) -> Result<Finished, Error> {
    let user_id = &found.user_id;
    let acting = match (&found.token_ct, &found.receipt_ct) {
        (Some(sealed), _) => {
            Acting::User(open(deps, user_id, sealed, Purpose::UserToken)?.to_string().into())
        }
        (None, Some(sealed)) => {
            Acting::Service(Receipt(open(deps, user_id, sealed, Purpose::Receipt)?.to_string().into()))
        }
        (None, None) => return Err(Error::internal(super::Missing("token or receipt"))),
    };
    let credential = create(deps, &acting, user_id, secret.expose()).await?;
    log::info!("TOTP credential {credential} created for user {user_id} (self-enrollment)");
    if let Err(refused) = confirm(deps, found, &acting, code).await {
        withdraw(deps, &acting, user_id, &credential).await;
        return Err(refused);
    }
    for other in list(deps, &acting, user_id).await?.into_iter().filter(|id| *id != credential) {
        delete(deps, &acting, &other).await?;
        log::info!("removed another TOTP credential {other} of user {user_id}");
    }
    if deps.policy.mfa.enforce {
        mfa::enforce(deps, user_id).await?;
    }
    let event = match found.kind {
        EnrollKind::SelfEnroll => Event::Enrolled,
        EnrollKind::Recovery => Event::Recovered,
    };
    let announce = outbox::announcing(deps).then_some(event);
    if !deps.store.finish_enrollment(&found.id, announce, deps.clock.now()).await? {
        return Err(Refusal::EnrollmentUnknown.into());
    }
    outbox::announced(deps);
    deps.metrics.totp_enrolled.inc();
    deps.metrics.self_enrolled.inc();
    log::info!("{} complete for user {user_id}", found.kind.as_str());
    let mail = AddedMail {
        user_name: &found.user_name,
        added_at: deps.clock.now(),
        recovered: found.kind == EnrollKind::Recovery,
        locale: found.locale.unwrap_or(deps.policy.default_locale),
    };
    let recovery_codes = recovery_codes::new_set(deps, user_id).await?;
    // Last: the enrollment stands whatever the mail does.
    notices::mail_added(deps, user_id, || email_of(deps, &acting, user_id), &mail).await;
    Ok(Finished { user_name: found.user_name.clone(), recovery_codes })
}

/// The user's Keystone `email`, read with the token the enrollment acts with.
async fn email_of(deps: &Deps, acting: &Acting, user_id: &UserId) -> Option<String> {
    let identity = &deps.identity;
    let user =
        with_acting(deps, acting, |t| async move { identity.get_user(t.expose_secret(), user_id).await });
    match user.await {
        Ok(user) => user.and_then(|user| user.email),
        Err(err) => {
            log::warn!("reading the email of user {user_id} failed: {err}");
            None
        }
    }
}

/// Keystone's own word that the code works.
async fn confirm(deps: &Deps, found: &Enrollment, acting: &Acting, code: &str) -> Result<(), Error> {
    let user_id = &found.user_id;
    let accepted = match acting {
        Acting::User(_) => match deps.identity.totp_login(user_id, code).await? {
            TotpLogin::Accepted => true,
            TotpLogin::Rejected => false,
            TotpLogin::MethodDisabled(methods) => {
                log::error!("Keystone does not have the `totp` auth method enabled (its [auth] methods are {methods:?})");
                return Err(Refusal::TotpUnavailable.into());
            }
        },
        // Another receipt: the code was right and the rules want still more; it works.
        Acting::Service(receipt) => match deps.identity.complete_receipt(receipt, user_id, code).await? {
            Login::Token(_) | Login::Receipt(_) => true,
            Login::Rejected => false,
        },
    };
    if accepted {
        return Ok(());
    }
    log::warn!("Keystone refused a TOTP code for user {user_id} that setpass accepted (self-enrollment); an expired receipt, or Keystone's [totp] included_previous_windows smaller than totp.previous_windows?");
    let max = deps.policy.limits.max_totp_attempts;
    let failures = deps.store.claim_enrollment_attempt(&found.id, max, deps.clock.now()).await?;
    Err(Refusal::CodeNotAccepted { left: failures.map_or(0, |f| max.saturating_sub(f)) }.into())
}

/// Runs `op` with the token the enrollment acts with: the user's own, or a service token (which
/// `with_service` renews once if Keystone rejects it).
async fn with_acting<T, F, Fut>(deps: &Deps, acting: &Acting, op: F) -> Result<T, Error>
where
    F: Fn(SecretString) -> Fut,
    Fut: std::future::Future<Output = Result<T, KeystoneError>>,
{
    match acting {
        Acting::User(token) => Ok(op(token.clone()).await?),
        Acting::Service(_) => mfa::with_service(deps, op).await,
    }
}

async fn create(deps: &Deps, acting: &Acting, user_id: &UserId, blob: &str) -> Result<String, Error> {
    let identity = &deps.identity;
    let created = with_acting(deps, acting, |t| async move {
        identity.create_totp_credential(t.expose_secret(), user_id, blob).await
    })
    .await;
    match created {
        // Keystone 30 refuses delegated (application-credential) tokens here.
        Err(Error::KeystoneUnavailable(KeystoneError::Forbidden)) if matches!(acting, Acting::Service(_)) => {
            log::error!("Keystone refused the service credential's token to create a TOTP credential for user {user_id} (403; Keystone 30 refuses every application-credential token on its credentials API: \"Delegated tokens cannot access credentials directly\"): configure a service user (keystone.service_user_name) instead, enroll this user with a link (PUT /token/{user_id}), or clear their MFA rules so their own token can");
            Err(Refusal::SelfEnrollNeedsOperator.into())
        }
        other => other,
    }
}

async fn list(deps: &Deps, acting: &Acting, user_id: &UserId) -> Result<Vec<String>, Error> {
    let identity = &deps.identity;
    with_acting(
        deps,
        acting,
        |t| async move { identity.list_totp_credentials(t.expose_secret(), user_id).await },
    )
    .await
}

async fn delete(deps: &Deps, acting: &Acting, credential: &str) -> Result<(), Error> {
    let identity = &deps.identity;
    with_acting(
        deps,
        acting,
        |t| async move { identity.delete_credential(t.expose_secret(), credential).await },
    )
    .await
}

async fn withdraw(deps: &Deps, acting: &Acting, user_id: &UserId, credential: &str) {
    match delete(deps, acting, credential).await {
        Ok(()) => log::info!("removed TOTP credential {credential} of user {user_id}: it was not confirmed"),
        Err(err) => log::error!(
            "could not remove the unconfirmed TOTP credential {credential} of user {user_id}: {err}"
        ),
    }
}

fn open(
    deps: &Deps,
    user_id: &UserId,
    sealed: &[u8],
    purpose: Purpose,
) -> Result<zeroize::Zeroizing<String>, Error> {
    super::open_secret(deps, sealed, user_id, purpose)
}
