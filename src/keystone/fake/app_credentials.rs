//! The fake's command-line access: a login with password and code, the user's projects, tokens
//! scoped to them, and application credentials made with such a token, with Keystone's checks.
use super::{FakeKeystone, Holder, TOKEN_LIFETIME};
use crate::domain::admin::{ProjectScope, TokenScope};
use crate::domain::UserId;
use crate::keystone::{
    AppCredentialCreate, IssuedToken, KeystoneError, NamedLogin, NewAppCredential, Project,
};
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

/// An application credential a user made (its secret is answered once, never kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MadeAppCredential {
    pub name: String,
    pub project_id: String,
    pub expires_at: Option<DateTime<Utc>>,
}

impl FakeKeystone {
    /// The user gets a role on a project (`id`, `name`) in the default domain.
    pub fn add_membership(&self, user_id: &UserId, id: &str, name: &str) {
        let project = Project { id: id.to_owned(), name: name.to_owned(), domain_id: "default".into() };
        self.state().memberships.entry(user_id.as_str().to_owned()).or_default().push(project);
    }

    /// The application credentials the user made, in creation order.
    pub fn application_credentials_of(&self, user_id: &UserId) -> Vec<MadeAppCredential> {
        let state = self.state();
        state
            .made_app_credentials
            .iter()
            .filter(|(id, _)| id == user_id.as_str())
            .map(|(_, c)| c.clone())
            .collect()
    }

    /// A login by user name in a domain given by id (or `Default`, the default domain's name),
    /// with the password and, when given, a TOTP code. As in Keystone, a locked account is
    /// refused before anything is checked, and a wrong password or code counts a failure.
    pub(super) fn login_by_name(
        &self,
        operation: &'static str,
        user_name: &str,
        domain: &str,
        password: &str,
        code: Option<&str>,
    ) -> Result<NamedLogin, KeystoneError> {
        let mut state = self.enter(operation)?;
        let domain_id = if domain == "Default" { "default" } else { domain };
        let found = state.users.iter().find(|(_, u)| u.name == user_name && u.domain_id == domain_id);
        let Some(id) = found.map(|(id, _)| id.clone()) else { return Ok(NamedLogin::Rejected) };
        let now = self.now();
        let code_ok = code.is_none_or(|code| state.totp_accepts(&id, code, now));
        let lockout = state.lockout_after;
        let user = state.users.get_mut(&id).ok_or(KeystoneError::NotFound("user"))?;
        if lockout.is_some_and(|after| user.failed_auths >= after) {
            return Ok(NamedLogin::Locked);
        }
        if user.password != password || !code_ok {
            user.failed_auths += 1;
            return Ok(NamedLogin::Rejected);
        }
        if !user.enabled {
            return Ok(NamedLogin::Rejected);
        }
        user.failed_auths = 0;
        let user_id = UserId::parse(&id).map_err(|_| KeystoneError::NotFound("user"))?;
        let methods: &[&str] = if code.is_some() { &["password", "totp"] } else { &["password"] };
        let done = methods.iter().map(|&m| m.to_owned()).collect();
        Ok(match state.conclude(&id, done, now, self.wall_now()) {
            crate::keystone::Login::Token(token) => NamedLogin::Token { user_id, token },
            crate::keystone::Login::Receipt(receipt) => NamedLogin::Receipt { user_id, receipt },
            crate::keystone::Login::Rejected => NamedLogin::Rejected,
        })
    }

    pub(super) fn projects_of_token(&self, token: &str) -> Result<Vec<Project>, KeystoneError> {
        let state = self.enter("project list")?;
        match state.holder(token, self.now())? {
            Holder::User(id) => Ok(state.memberships.get(&id).cloned().unwrap_or_default()),
            _ => Ok(Vec::new()),
        }
    }

    pub(super) fn scope_token(
        &self,
        token: &str,
        project_id: &str,
    ) -> Result<Option<IssuedToken>, KeystoneError> {
        let mut state = self.enter("token scope to project")?;
        let Ok(Holder::User(id)) = state.holder(token, self.now()) else { return Ok(None) };
        let Some(project) =
            state.memberships.get(&id).and_then(|p| p.iter().find(|p| p.id == project_id)).cloned()
        else {
            return Ok(None);
        };
        let expires_at = state.tokens[token].expires_at.min(self.now() + TOKEN_LIFETIME);
        let scope = TokenScope {
            roles: vec!["member".into()],
            project: Some(ProjectScope {
                name: project.name,
                domain_id: project.domain_id,
                domain_name: "Default".into(),
            }),
            ..TokenScope::default()
        };
        let issued = state.mint(Holder::User(id), scope, self.wall_now(), expires_at);
        state.project_tokens.insert(issued.value.expose_secret().to_owned(), project.id);
        Ok(Some(issued))
    }

    /// As Keystone: only the user's own project-scoped token; names unique per user; no expiry
    /// in the past.
    pub(super) fn make_app_credential(
        &self,
        token: &str,
        user_id: &UserId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<AppCredentialCreate, KeystoneError> {
        let mut state = self.enter("application credential creation")?;
        if state.holder(token, self.now())? != Holder::User(user_id.as_str().to_owned()) {
            return Err(KeystoneError::Forbidden);
        }
        let Some(project_id) = state.project_tokens.get(token).cloned() else {
            return Ok(AppCredentialCreate::Refused("the token is not scoped to a project".into()));
        };
        if expires_at.is_some_and(|at| at <= self.now()) {
            return Ok(AppCredentialCreate::Refused("expires_at is in the past".into()));
        }
        let taken = state.made_app_credentials.iter().any(|(id, c)| id == user_id.as_str() && c.name == name);
        if taken {
            return Ok(AppCredentialCreate::NameTaken);
        }
        let made = MadeAppCredential { name: name.to_owned(), project_id: project_id.clone(), expires_at };
        state.made_app_credentials.push((user_id.as_str().to_owned(), made));
        Ok(AppCredentialCreate::Created(NewAppCredential {
            id: uuid::Uuid::new_v4().simple().to_string(),
            secret: format!("fake-app-secret-{}", uuid::Uuid::new_v4().simple()).into(),
            expires_at,
            project_id,
        }))
    }
}
