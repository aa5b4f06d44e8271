//! The fake's answers to each `Identity` call, named by the HTTP client's operation names so an
//! injected fault reads the same as a real one.
use super::{rules, Credential, FakeKeystone, Holder};
use crate::domain::UserId;
use crate::keystone::{
    AppCredentialCreate, Identity, IssuedToken, KeystoneError, KeystoneUser, Login, MfaOptions, NamedLogin,
    PasswordChange, Project, Receipt, Rescoped, TotpLogin, ValidatedToken,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use std::collections::BTreeSet;

/// The version `GET /v3` answers.
const VERSION_ID: &str = "v3.14";

fn methods(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|&m| m.to_owned()).collect()
}

#[async_trait]
impl Identity for FakeKeystone {
    async fn version(&self) -> Result<(), KeystoneError> {
        self.enter("version check").map(drop)
    }

    async fn version_id(&self) -> Result<Option<String>, KeystoneError> {
        drop(self.enter("version check")?);
        Ok(Some(VERSION_ID.to_owned()))
    }

    async fn validate_token(&self, token: &str) -> Result<ValidatedToken, KeystoneError> {
        let state = self.enter("token validation")?;
        state.holder(token, self.now())?;
        let token = &state.tokens[token];
        Ok(ValidatedToken { scope: token.scope.clone(), expires_at: token.expires_at })
    }

    /// An admin's (or an admin user's) valid token rescopes to a project scope the test added; anything else is
    /// refused (`None`), as Keystone refuses a user with no role on the project.
    async fn rescope(
        &self,
        token: &str,
        project: &str,
        domain: &str,
    ) -> Result<Option<Rescoped>, KeystoneError> {
        let mut state = self.enter("token rescope")?;
        let admin = match state.holder(token, self.now()) {
            Ok(Holder::Admin) => true,
            Ok(Holder::User(id)) => state.admins.contains(&id),
            _ => false,
        };
        if !admin {
            return Ok(None);
        }
        let found = state.project_scopes.iter().find(|scope| {
            scope
                .project
                .as_ref()
                .is_some_and(|p| p.name == project && (p.domain_id == domain || p.domain_name == domain))
        });
        let Some(scope) = found.cloned() else { return Ok(None) };
        // Keystone keeps the original token's expiry on a rescoped one.
        let expires_at = state.tokens[token].expires_at;
        let token = state.mint(Holder::Admin, scope.clone(), self.wall_now(), expires_at);
        Ok(Some(Rescoped { token, validated: ValidatedToken { scope, expires_at } }))
    }

    async fn get_user(&self, token: &str, user_id: &UserId) -> Result<Option<KeystoneUser>, KeystoneError> {
        let state = self.enter("user lookup")?;
        state.may_act_for(token, self.now(), user_id.as_str())?;
        Ok(state.users.get(user_id.as_str()).map(|user| {
            let mut answer =
                KeystoneUser::new(user_id.as_str(), &user.name, &user.domain_id, user.enabled, &user.mfa);
            answer.email = user.email.clone();
            answer
        }))
    }

    /// Keystone answers its domain config for the default domain only.
    async fn password_rule(&self, token: &str, domain_id: &str) -> Result<Option<String>, KeystoneError> {
        let state = self.enter("password rule lookup")?;
        state.holder(token, self.now())?;
        if domain_id != "default" {
            return Err(KeystoneError::Forbidden);
        }
        Ok(state.password_rule.as_ref().map(|rule| rule.description.clone()))
    }

    /// As `identity/core.py`: the original password is checked first (an unknown user and a
    /// wrong password look the same), then whether the user is enabled, then the rule; a change
    /// revokes the user's tokens through the current second.
    async fn change_password(
        &self,
        user_id: &UserId,
        original: &str,
        new: &str,
    ) -> Result<PasswordChange, KeystoneError> {
        let mut guard = self.enter("password change")?;
        let state = &mut *guard;
        let Some(user) = state.users.get_mut(user_id.as_str()) else {
            return Ok(PasswordChange::OriginalRejected);
        };
        if user.password != original {
            user.failed_auths += 1;
            return Ok(PasswordChange::OriginalRejected);
        }
        if !user.enabled {
            return Ok(PasswordChange::AccountDisabled);
        }
        if let Some(rule) = state.password_rule.as_ref().filter(|rule| !(rule.accepts)(new)) {
            let message = format!("The password does not match the requirements: {}.", rule.description);
            return Ok(PasswordChange::Refused(message));
        }
        user.password = new.to_owned();
        user.failed_auths = 0;
        state.revoke_tokens_of(user_id.as_str(), self.wall_now());
        Ok(PasswordChange::Changed)
    }

    async fn password_login(&self, user_id: &UserId, password: &str) -> Result<Login, KeystoneError> {
        self.pass_hold("password login").await;
        let mut state = self.enter("password login")?;
        let Some(user) = state.users.get_mut(user_id.as_str()) else { return Ok(Login::Rejected) };
        if user.password != password {
            user.failed_auths += 1;
            return Ok(Login::Rejected);
        }
        if !user.enabled {
            return Ok(Login::Rejected);
        }
        user.failed_auths = 0;
        Ok(state.conclude(user_id.as_str(), methods(&["password"]), self.now(), self.wall_now()))
    }

    /// The user by name in a domain (see `login_by_name`).
    async fn password_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        self.login_by_name("password login by name", user_name, domain, password, None)
    }

    /// A receipt (the rules want the password too) also counts as accepted, as for the client.
    async fn totp_login(&self, user_id: &UserId, code: &str) -> Result<TotpLogin, KeystoneError> {
        let state = self.enter("TOTP login")?;
        if state.totp_disabled {
            return Ok(TotpLogin::MethodDisabled(rules::loaded_methods(false)));
        }
        Ok(if state.totp_accepts(user_id.as_str(), code, self.now()) {
            TotpLogin::Accepted
        } else {
            TotpLogin::Rejected
        })
    }

    /// The code is checked first, then the receipt (live, for this user); Keystone answers 401
    /// to both failures.
    async fn complete_receipt(
        &self,
        receipt: &Receipt,
        user_id: &UserId,
        code: &str,
    ) -> Result<Login, KeystoneError> {
        let mut state = self.enter("receipt completion")?;
        let now = self.now();
        if state.totp_disabled || !state.totp_accepts(user_id.as_str(), code, now) {
            return Ok(Login::Rejected);
        }
        let Some(mut done) = state.receipt_methods(receipt.0.expose_secret(), user_id.as_str(), now) else {
            return Ok(Login::Rejected);
        };
        done.insert("totp".to_owned());
        Ok(state.conclude(user_id.as_str(), done, now, self.wall_now()))
    }

    async fn application_credential_login(&self, id: &str, secret: &str) -> Result<Login, KeystoneError> {
        let mut state = self.enter("service credential login")?;
        let Some(scope) =
            state.app_credentials.get(id).filter(|c| c.secret == secret).map(|c| c.scope.clone())
        else {
            return Ok(Login::Rejected);
        };
        let now = self.now();
        let token: IssuedToken =
            state.mint(Holder::Delegated, scope, self.wall_now(), now + super::TOKEN_LIFETIME);
        Ok(Login::Token(token))
    }

    async fn totp_method_enabled(&self) -> Result<bool, KeystoneError> {
        Ok(!self.enter("TOTP method check")?.totp_disabled)
    }

    /// Keystone does not check that the user exists; the token must be theirs or an admin's.
    async fn create_totp_credential(
        &self,
        token: &str,
        user_id: &UserId,
        secret: &str,
    ) -> Result<String, KeystoneError> {
        let mut state = self.enter("credential creation")?;
        state.may_act_for(token, self.now(), user_id.as_str())?;
        if state.holder(token, self.now())? == Holder::Delegated {
            return Err(KeystoneError::Forbidden);
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        state.credentials.push(Credential {
            id: id.clone(),
            user_id: user_id.as_str().to_owned(),
            blob: secret.to_owned(),
        });
        Ok(id)
    }

    async fn list_totp_credentials(
        &self,
        token: &str,
        user_id: &UserId,
    ) -> Result<Vec<String>, KeystoneError> {
        let state = self.enter("credential list")?;
        state.may_act_for(token, self.now(), user_id.as_str())?;
        Ok(state.credentials.iter().filter(|c| c.user_id == user_id.as_str()).map(|c| c.id.clone()).collect())
    }

    async fn delete_credential(&self, token: &str, credential_id: &str) -> Result<(), KeystoneError> {
        let mut state = self.enter("credential deletion")?;
        let holder = state.holder(token, self.now())?;
        let Some(index) = state.credentials.iter().position(|c| c.id == credential_id) else { return Ok(()) };
        if holder != Holder::Admin && holder != Holder::User(state.credentials[index].user_id.clone()) {
            return Err(KeystoneError::Forbidden);
        }
        state.credentials.remove(index);
        Ok(())
    }

    /// `PATCH /v3/users/{id}` is an admin's call in Keystone's policy: a user's own token is
    /// refused. Null rules leave the rules as they are, as the client omits them.
    async fn set_mfa(&self, token: &str, user_id: &UserId, mfa: &MfaOptions) -> Result<(), KeystoneError> {
        const OP: &str = "MFA rules update";
        let mut state = self.enter(OP)?;
        if !matches!(state.holder(token, self.now())?, Holder::Admin | Holder::Delegated) {
            return Err(KeystoneError::Forbidden);
        }
        let user = state.users.get_mut(user_id.as_str()).ok_or(KeystoneError::NotFound(OP))?;
        user.mfa.enabled = mfa.enabled;
        if !mfa.rules.is_null() {
            user.mfa.rules = mfa.rules.clone();
        }
        Ok(())
    }

    async fn password_totp_login_named(
        &self,
        user_name: &str,
        domain: &str,
        password: &str,
        code: &str,
    ) -> Result<NamedLogin, KeystoneError> {
        self.login_by_name("password and TOTP login by name", user_name, domain, password, Some(code))
    }

    async fn user_projects(&self, token: &str) -> Result<Vec<Project>, KeystoneError> {
        self.projects_of_token(token)
    }

    async fn scope_to_project(
        &self,
        token: &str,
        project_id: &str,
    ) -> Result<Option<IssuedToken>, KeystoneError> {
        self.scope_token(token, project_id)
    }

    async fn create_application_credential(
        &self,
        token: &str,
        user_id: &UserId,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<AppCredentialCreate, KeystoneError> {
        self.make_app_credential(token, user_id, name, expires_at)
    }
}
