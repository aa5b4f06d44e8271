//! One invitation: check the row, find its domain, project and role, create the Keystone user
//! with a random password (or find the one who exists), assign the role, then ask the setpass
//! service for the link. A user made here whose link was refused is deleted again, so a re-run
//! starts from nothing rather than skipping a user without a link.
use super::rows::Invitation;
use super::service::{IssueBody, IssuedLink, Service};
use crate::keystone::{KeystoneClient, NewUser, OperatorError, OperatorToken};
use rand::Rng;
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use tokio::sync::Mutex;

/// What to do with a user who already exists in the row's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Leave them alone: nothing is sent to setpass.
    Skip,
    /// Renew their link with a PUT without a password: the PIN, address and language are the
    /// row's, the password in Keystone is never touched. setpass refuses it for a user who
    /// finished (409) or who has no record (they were not invited by setpass).
    Renew,
}

/// How a row ended.
#[derive(Clone)]
pub enum Outcome {
    Created(IssuedLink),
    Renewed(IssuedLink),
    Skipped,
    Failed(String),
}

impl Outcome {
    pub fn word(&self) -> &'static str {
        match self {
            Outcome::Created(_) => "created",
            Outcome::Renewed(_) => "renewed",
            Outcome::Skipped => "skipped",
            Outcome::Failed(_) => "failed",
        }
    }
}

/// A row's result, as printed and written to the results file.
#[derive(Clone)]
pub struct RowResult {
    pub row: usize,
    pub name: String,
    pub user_id: Option<String>,
    pub outcome: Outcome,
}

/// What every invitation of a run shares: the clients, the operator's token, the lookups made.
pub struct Context {
    pub keystone: KeystoneClient,
    pub service: Service,
    pub token: OperatorToken,
    pub existing: Existing,
    /// Domain, project and role ids by what the rows call them (a CSV names the same ones often).
    lookups: Mutex<HashMap<String, Result<String, String>>>,
}

impl Context {
    pub fn new(keystone: KeystoneClient, service: Service, token: OperatorToken, existing: Existing) -> Self {
        Self { keystone, service, token, existing, lookups: Mutex::new(HashMap::new()) }
    }

    async fn lookup<F, Fut>(&self, key: String, find: F) -> Result<String, String>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<String, crate::keystone::OperatorError>>,
    {
        if let Some(found) = self.lookups.lock().await.get(&key) {
            return found.clone();
        }
        let found = find().await.map_err(|err| err.to_string());
        self.lookups.lock().await.insert(key, found.clone());
        found
    }
}

/// A random password nobody sees: 32 characters with every class in it, from the OS's RNG.
pub fn random_password() -> SecretString {
    const CLASSES: [&[u8]; 4] =
        [b"ABCDEFGHJKLMNPQRSTUVWXYZ", b"abcdefghijkmnopqrstuvwxyz", b"23456789", b"-_.!#%+=@^~"];
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = CLASSES.iter().map(|class| class[rng.gen_range(0..class.len())]).collect();
    let all: Vec<u8> = CLASSES.concat();
    while chars.len() < 32 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    rand::seq::SliceRandom::shuffle(chars.as_mut_slice(), &mut rng);
    SecretString::from(String::from_utf8_lossy(&chars).into_owned())
}

/// Runs one invitation; every failure becomes the row's `Failed` with a sentence.
pub async fn invite(ctx: &Context, invitation: &Invitation) -> RowResult {
    let mut result = RowResult {
        row: invitation.row,
        name: invitation.name.clone(),
        user_id: None,
        outcome: Outcome::Skipped,
    };
    result.outcome = match run(ctx, invitation, &mut result.user_id).await {
        Ok(outcome) => outcome,
        Err(message) => Outcome::Failed(message),
    };
    result
}

async fn run(ctx: &Context, inv: &Invitation, user_id: &mut Option<String>) -> Result<Outcome, String> {
    if let Some(problem) = inv.problem() {
        return Err(problem);
    }
    let (keystone, token) = (&ctx.keystone, ctx.token.value.expose_secret());
    let domain = inv.domain.clone().unwrap_or_else(|| ctx.token.home_domain.clone());
    let domain_id = if domain == ctx.token.home_domain {
        domain
    } else {
        ctx.lookup(format!("domain {domain}"), || keystone.find_domain(token, &domain)).await?
    };
    if let Some(scope) = ctx.token.domain_scope.as_ref().filter(|scope| **scope != domain_id) {
        return Err(format!(
            "your credentials are scoped to domain {scope}: domain {domain_id} is out of their reach"
        ));
    }
    let grant = match (&inv.project, &inv.role) {
        (Some(project), Some(role)) => {
            let project_id = ctx
                .lookup(format!("project {domain_id} {project}"), || {
                    keystone.find_project(token, project, &domain_id)
                })
                .await?;
            let role_id = ctx.lookup(format!("role {role}"), || keystone.find_role(token, role)).await?;
            Some((project_id, role_id))
        }
        _ => None,
    };
    let body =
        |password| IssueBody { password, pin: &inv.pin, email: &inv.email, locale: inv.locale.as_deref() };
    // Create first: Keystone's 409 says the name is taken, and only then is it looked up. One
    // call a row fewer than asking first (the one Keystone worker is what bounds a large CSV).
    let password = random_password();
    let new_user = NewUser { name: &inv.name, domain_id: &domain_id, email: &inv.email, password: &password };
    let created = match keystone.create_user(token, &new_user).await {
        Ok(created) => created,
        Err(OperatorError::Refused { status: StatusCode::CONFLICT, .. }) => {
            let existing = keystone
                .find_user_named(token, &inv.name, &domain_id)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| {
                    format!(
                        "Keystone says the name is taken, but finds no user `{}` in domain {domain_id}",
                        inv.name
                    )
                })?;
            *user_id = Some(existing.clone());
            return match ctx.existing {
                Existing::Skip => Ok(Outcome::Skipped),
                Existing::Renew => {
                    let (_, link) = ctx
                        .service
                        .issue(&ctx.token.value, &existing, &body(None))
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok(Outcome::Renewed(link))
                }
            };
        }
        Err(err) => return Err(err.to_string()),
    };
    *user_id = Some(created.clone());
    let issued = async {
        if let Some((project_id, role_id)) = &grant {
            keystone
                .assign_project_role(token, project_id, &created, role_id)
                .await
                .map_err(|e| e.to_string())?;
        }
        ctx.service.issue(&ctx.token.value, &created, &body(Some(&password))).await.map_err(|e| e.to_string())
    }
    .await;
    match issued {
        Ok((_, link)) => Ok(Outcome::Created(link)),
        Err(message) => {
            *user_id = None;
            match keystone.delete_user(token, &created).await {
                Ok(()) => Err(format!("{message} (the new user was deleted again)")),
                Err(err) => Err(format!("{message}; the new user {created} could not be deleted: {err}")),
            }
        }
    }
}
