//! Self-enrollment, first half: a user setpass has no link for signs in with their Keystone
//! password and gets a QR code. Keystone's answer decides the way: a token (no MFA rule wants
//! more) enrolls with the user's own token; a receipt (the rules want TOTP) needs the service
//! credential and is completed with the code. What the second half needs waits in the store,
//! sealed, so any replica can finish it (`enroll_code.rs`).
use super::{mfa, Deps, Error, TotpView};
use crate::crypto::Purpose;
use crate::domain::{Locale, Refusal, TotpSecret, UserId};
use crate::keystone::{IssuedToken, NamedLogin, Receipt};
use crate::store::{EnrollKind, NewEnrollment};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

/// Longer user names are refused before Keystone is asked (Keystone's own limit is 255).
const MAX_USER_NAME: usize = 255;

/// What the user typed on the sign-in form.
pub struct EnrollInput<'a> {
    pub user_name: &'a str,
    /// One of `self_enroll.domains`; `None`: the first.
    pub domain: Option<&'a str>,
    pub password: &'a str,
    /// The page's language, for later mail.
    pub locale: Option<Locale>,
}

/// An enrollment started: its id (the form carries it to the second half) and the QR code.
#[derive(Debug)]
pub struct Started {
    pub enrollment: String,
    pub totp: TotpView,
    pub expires_at: DateTime<Utc>,
}

/// Signs the user in and, when they may enroll, starts an enrollment.
pub async fn start_enrollment(deps: &Deps, input: EnrollInput<'_>) -> Result<Started, Error> {
    let (user_id, user_name, way) = sign_in(deps, input.user_name, input.domain, input.password).await?;
    match &way {
        Way::Token(_) if deps.policy.self_enroll.require_mfa_rules => {
            log::info!("self-enrollment refused for user {user_id}: their MFA rules do not ask for TOTP (self_enroll.require_mfa_rules)");
            return Err(Refusal::NotOptedIn.into());
        }
        Way::Receipt(_) if deps.service.is_none() => {
            log::warn!("self-enrollment of user {user_id}: their MFA rules want TOTP, so their password gives only a receipt; configure a service user (keystone.service_user_name) so setpass can create the credential");
            return Err(Refusal::SelfEnrollNeedsOperator.into());
        }
        _ => {}
    }
    if has_authenticator(deps, &user_id, &way).await? {
        log::info!("self-enrollment refused for user {user_id}: they already have a TOTP credential");
        return Err(Refusal::AlreadyEnrolled.into());
    }
    begin(deps, user_id, &user_name, way, EnrollKind::SelfEnroll, input.locale).await
}

/// The form checked, then Keystone's sign-in by name: who it is (the name as typed, trimmed)
/// and how to act for them. Keystone's refusal is one answer for a wrong password and an
/// unknown user; its lockout is told as such.
pub(super) async fn sign_in(
    deps: &Deps,
    user_name: &str,
    domain: Option<&str>,
    password: &str,
) -> Result<(UserId, String, Way), Error> {
    let (user_name, domain) = sign_in_form(deps, user_name, domain, password)?;
    match deps.identity.password_login_named(user_name, domain, password).await? {
        NamedLogin::Rejected => {
            deps.metrics.self_enroll_refused.inc();
            log::info!("sign-in by name refused by Keystone in domain {domain}");
            Err(Refusal::SignInRefused.into())
        }
        NamedLogin::Locked => {
            log::warn!("sign-in by name: Keystone has locked the account of a user in domain {domain}");
            Err(Refusal::AccountLockedByKeystone.into())
        }
        NamedLogin::Token { user_id, token } => Ok((user_id, user_name.to_owned(), Way::Token(token))),
        NamedLogin::Receipt { user_id, receipt } => {
            Ok((user_id, user_name.to_owned(), Way::Receipt(receipt)))
        }
    }
}

/// The sign-in form's checks, before Keystone is asked: the name trimmed, one of the offered
/// domains (the first by default), a password.
pub(super) fn sign_in_form<'a>(
    deps: &'a Deps,
    user_name: &'a str,
    domain: Option<&str>,
    password: &str,
) -> Result<(&'a str, &'a str), Error> {
    let domains = &deps.policy.self_enroll.domains;
    let user_name = user_name.trim();
    if user_name.is_empty() || user_name.chars().count() > MAX_USER_NAME {
        return Err(Refusal::UserNameMissing.into());
    }
    let domain = match domain.map(str::trim).filter(|d| !d.is_empty()) {
        Some(asked) => domains.iter().find(|d| d.as_str() == asked).ok_or(Refusal::DomainNotOffered)?,
        None => domains.first().ok_or(Refusal::DomainNotOffered)?,
    };
    if password.is_empty() {
        return Err(Refusal::PasswordNeeded.into());
    }
    Ok((user_name, domain.as_str()))
}

/// How the second half acts in Keystone: with the user's token, or with the service credential
/// and the receipt the code completes.
pub(super) enum Way {
    Token(IssuedToken),
    Receipt(Receipt),
}

async fn has_authenticator(deps: &Deps, user_id: &UserId, way: &Way) -> Result<bool, Error> {
    let found = match way {
        Way::Token(token) => {
            deps.identity.list_totp_credentials(token.value.expose_secret(), user_id).await?
        }
        Way::Receipt(_) => {
            let identity = &deps.identity;
            mfa::with_service(deps, |t| async move {
                identity.list_totp_credentials(t.expose_secret(), user_id).await
            })
            .await?
        }
    };
    Ok(!found.is_empty())
}

pub(super) async fn begin(
    deps: &Deps,
    user_id: UserId,
    user_name: &str,
    way: Way,
    kind: EnrollKind,
    locale: Option<Locale>,
) -> Result<Started, Error> {
    let now = deps.clock.now();
    let expires_at = now + deps.policy.self_enroll.lifetime;
    let secret = TotpSecret::generate();
    let seal = |text: &str, purpose| deps.sealer.seal_for(purpose, user_id.as_str(), text.as_bytes());
    let (token_ct, token_expires_at, receipt_ct) = match &way {
        Way::Token(token) => {
            (Some(seal(token.value.expose_secret(), Purpose::UserToken)), Some(token.expires_at), None)
        }
        Way::Receipt(receipt) => (None, None, Some(seal(receipt.0.expose_secret(), Purpose::Receipt))),
    };
    let id = hex_id();
    let new = NewEnrollment {
        id: id.clone(),
        user_id: user_id.clone(),
        user_name: user_name.to_owned(),
        kind,
        secret_ct: seal(secret.expose(), Purpose::TotpSecret),
        token_ct,
        token_expires_at,
        receipt_ct,
        locale,
        now,
        expires_at,
    };
    deps.store.start_enrollment(new).await?;
    log::info!("{} started for user {user_id}", kind.as_str());
    let totp = TotpView {
        otpauth_uri: secret.otpauth_uri(&deps.policy.totp.issuer, user_name),
        secret,
        account: user_name.to_owned(),
        needs_password: false,
        attempts_left: deps.policy.limits.max_totp_attempts,
        // The enroll pages word their own step.
        authenticator_only: false,
    };
    Ok(Started { enrollment: id, totp, expires_at })
}

/// 32 hex digits from 16 random bytes: the enrollment's id, as unguessable as a link's token.
fn hex_id() -> String {
    crate::crypto::random_bytes(16).iter().map(|b| format!("{b:02x}")).collect()
}
