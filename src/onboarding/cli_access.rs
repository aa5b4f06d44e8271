//! Command-line access: a user signs in with their password and a current code (what the seed's
//! rule `["password", "totp"]` wants), picks one of their projects, and gets an application
//! credential made with their own token scoped to it: restricted, with only their roles there,
//! never the service identity's. setpass keeps nothing of it; between the page's two steps the
//! token travels sealed in the page (`Handle`), valid for minutes.
use super::enroll::sign_in_form;
use super::{Deps, Error};
use crate::crypto::Purpose;
use crate::domain::cli_access::{CliFiles, Expiry, ExpiryRefusal};
use crate::domain::totp::parse_code;
use crate::domain::{Refusal, UserId};
use crate::keystone::{AppCredentialCreate, IssuedToken, NamedLogin, Project};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// What the user typed to sign in.
pub struct CliSignIn<'a> {
    pub user_name: &'a str,
    pub domain: Option<&'a str>,
    pub password: &'a str,
    pub code: &'a str,
}

/// Signed in: who, their projects, and their token (unscoped; `Debug` hides it).
pub struct SignedIn {
    pub user_id: UserId,
    pub user_name: String,
    pub projects: Vec<Project>,
    token: IssuedToken,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignedIn({}, {} projects, [redacted])", self.user_id, self.projects.len())
    }
}

/// What the user chose.
pub struct CliChoice<'a> {
    pub project_id: &'a str,
    /// `None` or empty: `cli-<date>`.
    pub name: Option<&'a str>,
    /// `None` or empty: `cli.default_expiry`; `never`; or `YYYY-MM-DD`.
    pub expires: Option<&'a str>,
}

/// The new credential and the files that use it, shown once. `Debug` hides the secret.
pub struct CliAccess {
    pub credential_id: String,
    pub name: String,
    pub secret: SecretString,
    pub expires_at: Option<DateTime<Utc>>,
    pub project_id: String,
    pub project_name: String,
    pub cloud_name: String,
    pub clouds_yaml: Zeroizing<String>,
    pub openrc: Zeroizing<String>,
}

impl std::fmt::Debug for CliAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CliAccess({}, project {}, [redacted])", self.credential_id, self.project_id)
    }
}

/// Signs in with the password and the code together; the user must have a project.
pub async fn cli_sign_in(deps: &Deps, input: CliSignIn<'_>) -> Result<SignedIn, Error> {
    let (user_name, domain) = sign_in_form(deps, input.user_name, input.domain, input.password)?;
    let code = parse_code(input.code).map_err(|_| Refusal::CodeMalformed)?;
    let (user_id, token) = match deps
        .identity
        .password_totp_login_named(user_name, domain, input.password, &code)
        .await?
    {
        NamedLogin::Token { user_id, token } => (user_id, token),
        NamedLogin::Receipt { user_id, .. } => {
            log::warn!("command-line access for user {user_id}: their MFA rules want more than the password and a TOTP code");
            return Err(Refusal::CliNeedsOperator.into());
        }
        NamedLogin::Locked => return Err(Refusal::AccountLockedByKeystone.into()),
        NamedLogin::Rejected => {
            log::info!(
                "command-line access: Keystone refused a sign-in with password and code in domain {domain}"
            );
            return Err(Refusal::CliSignInRefused.into());
        }
    };
    let projects = deps.identity.user_projects(token.value.expose_secret()).await?;
    if projects.is_empty() {
        log::info!("command-line access for user {user_id}: they have a role on no project");
        return Err(Refusal::NoProjects.into());
    }
    Ok(SignedIn { user_id, user_name: user_name.to_owned(), projects, token })
}

/// Makes the application credential on the chosen project, one of the user's.
pub async fn create_cli_access(
    deps: &Deps,
    signed: &SignedIn,
    choice: CliChoice<'_>,
) -> Result<CliAccess, Error> {
    let now = deps.clock.now();
    let project = chosen_project(signed, choice.project_id)?;
    let (name, defaulted) = match choice.name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) if name.chars().count() <= 255 && !name.chars().any(char::is_control) => {
            (name.to_owned(), false)
        }
        Some(_) => return Err(Refusal::CredentialNameUnusable.into()),
        None => (format!("cli-{}", now.format("%Y-%m-%d")), true),
    };
    let expiry = Expiry::parse(choice.expires).map_err(|_| Refusal::ExpiryMalformed)?;
    let expires_at = expiry.resolve(deps.policy.cli.expiry, now).map_err(|refused| match refused {
        ExpiryRefusal::NotInTheFuture => Refusal::ExpiryNotInTheFuture,
        ExpiryRefusal::TooLate { max_days } => Refusal::ExpiryTooLate { max_days },
        ExpiryRefusal::NeverNotAllowed { max_days } => Refusal::NoExpiryNotAllowed { max_days },
    })?;
    if signed.token.expires_at <= now {
        return Err(Refusal::CliSignInExpired.into());
    }
    let identity = &deps.identity;
    let Some(scoped) = identity.scope_to_project(signed.token.value.expose_secret(), &project.id).await?
    else {
        log::warn!(
            "command-line access for user {}: Keystone refused a token on project {}",
            signed.user_id,
            project.id
        );
        return Err(Refusal::ProjectNotYours.into());
    };
    let scoped = &scoped;
    let make = |name: String| async move {
        let made = identity.create_application_credential(
            scoped.value.expose_secret(),
            &signed.user_id,
            &name,
            expires_at,
        );
        made.await.map(|made| (name, made))
    };
    let (name, created) = match make(name).await? {
        // A second one the same day: the default name gets the time too.
        (_, AppCredentialCreate::NameTaken) if defaulted => {
            make(format!("cli-{}", now.format("%Y-%m-%d-%H%M%S"))).await?
        }
        other => other,
    };
    let credential = match created {
        AppCredentialCreate::Created(credential) => credential,
        AppCredentialCreate::NameTaken => return Err(Refusal::CredentialNameTaken.into()),
        AppCredentialCreate::Refused(message) => {
            log::warn!("Keystone refused an application credential for user {}: {message}", signed.user_id);
            return Err(Refusal::KeystoneRefusedCredential.into());
        }
    };
    log::info!(
        "application credential {} created for user {} on project {} (expires {:?})",
        credential.id,
        signed.user_id,
        credential.project_id,
        credential.expires_at
    );
    Ok(access(deps, credential, name, project, expires_at))
}

/// One of the user's projects; a project that is not (a tampered form) is refused.
fn chosen_project<'a>(signed: &'a SignedIn, project_id: &str) -> Result<&'a Project, Error> {
    let project_id = project_id.trim();
    if project_id.is_empty() {
        return Err(Refusal::ProjectMissing.into());
    }
    let found = signed.projects.iter().find(|p| p.id == project_id);
    Ok(found.ok_or_else(|| {
        log::warn!(
            "command-line access for user {}: project {project_id:?} is not one of theirs",
            signed.user_id
        );
        Refusal::ProjectNotYours
    })?)
}

/// The credential and the files that use it.
fn access(
    deps: &Deps,
    credential: crate::keystone::NewAppCredential,
    name: String,
    project: &Project,
    asked: Option<DateTime<Utc>>,
) -> CliAccess {
    let policy = &deps.policy.cli;
    let files = CliFiles {
        cloud: &policy.cloud_name,
        auth_url: &policy.auth_url,
        region_name: policy.region_name.as_deref(),
        interface: &policy.interface,
        credential_id: &credential.id,
        secret: credential.secret.expose_secret(),
    };
    CliAccess {
        clouds_yaml: Zeroizing::new(files.clouds_yaml()),
        openrc: Zeroizing::new(files.openrc()),
        credential_id: credential.id,
        name,
        expires_at: credential.expires_at.or(asked),
        project_id: credential.project_id,
        project_name: project.name.clone(),
        cloud_name: policy.cloud_name.clone(),
        secret: credential.secret,
    }
}

/// The sign-in sealed for the page's second step: the user's id in the clear (the sealed part's
/// associated data), their name and token sealed with the service key, so any replica can open
/// it. The projects are listed again when it is opened (a long list would not fit a form).
#[derive(Serialize, Deserialize)]
struct Sealed {
    until: i64,
    user_name: String,
    token: String,
    token_expires_at: i64,
}

/// Seals `signed` into a handle for the page's form, valid for 10 minutes
/// (`CliPolicy::sign_in_lifetime`), at most the token's own life; usable more than once in that
/// time (a second credential, or a mistake corrected).
pub fn seal_sign_in(deps: &Deps, signed: &SignedIn) -> String {
    let until = (deps.clock.now() + deps.policy.cli.sign_in_lifetime).min(signed.token.expires_at);
    let sealed = Sealed {
        until: until.timestamp(),
        user_name: signed.user_name.clone(),
        token: signed.token.value.expose_secret().to_owned(),
        token_expires_at: signed.token.expires_at.timestamp(),
    };
    let plain = Zeroizing::new(serde_json::to_vec(&sealed).unwrap_or_default());
    let ct = deps.sealer.seal_for(Purpose::CliSignIn, signed.user_id.as_str(), &plain);
    format!("{}.{}", signed.user_id, URL_SAFE_NO_PAD.encode(ct))
}

/// Opens a handle from `seal_sign_in` and lists the user's projects again; expired, altered,
/// foreign, or a token Keystone no longer takes: `CliSignInExpired`.
pub async fn open_sign_in(deps: &Deps, handle: &str) -> Result<SignedIn, Error> {
    let expired = || Error::from(Refusal::CliSignInExpired);
    let (user_id, ct) = handle.trim().split_once('.').ok_or_else(expired)?;
    let user_id = UserId::parse(user_id).map_err(|_| expired())?;
    let ct = URL_SAFE_NO_PAD.decode(ct).map_err(|_| expired())?;
    let plain = deps.sealer.open_for(Purpose::CliSignIn, user_id.as_str(), &ct).map_err(|_| expired())?;
    let sealed: Sealed = serde_json::from_slice(&plain).map_err(|_| expired())?;
    if deps.clock.now().timestamp() >= sealed.until {
        return Err(expired());
    }
    let expires_at = DateTime::from_timestamp(sealed.token_expires_at, 0).ok_or_else(expired)?;
    let token = IssuedToken { value: sealed.token.into(), expires_at };
    let projects = match deps.identity.user_projects(token.value.expose_secret()).await {
        Ok(projects) => projects,
        Err(crate::keystone::KeystoneError::InvalidToken) => return Err(expired()),
        Err(err) => return Err(err.into()),
    };
    Ok(SignedIn { user_id, user_name: sealed.user_name, projects, token })
}
