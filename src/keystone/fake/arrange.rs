//! What a test does to the fake Keystone around the code under test: arrange users, tokens,
//! rules and faults; then read Keystone's state back to assert on it.
use super::{AppCredential, Credential, FakeKeystone, Holder, PasswordRule, User, TOKEN_LIFETIME};
use crate::domain::admin::TokenScope;
use crate::domain::UserId;
use crate::keystone::MfaOptions;
use chrono::{DateTime, Utc};

impl FakeKeystone {
    /// A new enabled user, MFA off, with a 32-hex-digit id as Keystone's SQL backend makes.
    pub fn add_user(&self, name: &str, domain_id: &str, password: &str) -> UserId {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let user = User {
            name: name.to_owned(),
            domain_id: domain_id.to_owned(),
            password: password.to_owned(),
            enabled: true,
            email: None,
            mfa: MfaOptions { enabled: false, rules: serde_json::Value::Null },
            failed_auths: 0,
        };
        self.state().users.insert(id.clone(), user);
        // Keystone's own ids always parse: 32 hex digits.
        UserId::parse(&id).expect("a uuid's 32 hex digits are a valid user id")
    }

    /// A user with the admin role on every project scope the test added (setpass's service user).
    pub fn add_admin_user(&self, name: &str, domain_id: &str, password: &str) -> UserId {
        let id = self.add_user(name, domain_id, password);
        self.state().admins.insert(id.as_str().to_owned());
        id
    }

    /// Disabling revokes the user's tokens through this second, as Keystone's `update_user` does.
    pub fn set_enabled(&self, user_id: &UserId, enabled: bool) {
        let mut state = self.state();
        if let Some(user) = state.users.get_mut(user_id.as_str()) {
            let was = std::mem::replace(&mut user.enabled, enabled);
            if was && !enabled {
                state.revoke_tokens_of(user_id.as_str(), self.wall_now());
            }
        }
    }

    /// Deletes the user and, as Keystone does, their credentials.
    pub fn delete_user(&self, user_id: &UserId) {
        let mut state = self.state();
        state.users.remove(user_id.as_str());
        state.credentials.retain(|c| c.user_id != user_id.as_str());
    }

    pub fn set_email(&self, user_id: &UserId, email: &str) {
        self.with_user(user_id, |user| user.email = Some(email.to_owned()));
    }

    /// The user's MFA options as an admin would set them beforehand (rules as given, null too).
    pub fn set_user_mfa(&self, user_id: &UserId, mfa: MfaOptions) {
        self.with_user(user_id, |user| user.mfa = mfa);
    }

    /// An admin's password reset; it revokes the user's tokens, as in Keystone.
    pub fn set_password(&self, user_id: &UserId, password: &str) {
        self.with_user(user_id, |user| user.password = password.to_owned());
        self.state().revoke_tokens_of(user_id.as_str(), self.wall_now());
    }

    /// A `totp` credential made outside the code under test (an earlier enrollment, say).
    pub fn add_totp_credential(&self, user_id: &UserId, blob: &str) -> String {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let credential =
            Credential { id: id.clone(), user_id: user_id.as_str().to_owned(), blob: blob.to_owned() };
        self.state().credentials.push(credential);
        id
    }

    /// A token of an admin (or any caller not among the fake's users) with `scope`, valid for
    /// an hour of the fake's clock. Admin tokens may read and write every user.
    pub fn admin_token(&self, scope: TokenScope) -> String {
        let (now, wall) = (self.now(), self.wall_now());
        let token = self.state().mint(Holder::Admin, scope, wall, now + TOKEN_LIFETIME);
        secrecy::ExposeSecret::expose_secret(&token.value).to_owned()
    }

    /// An unscoped token of the user as if issued at `issued_at` by the wall clock, to put it
    /// before, in or after the second of a revocation.
    pub fn user_token_issued_at(&self, user_id: &UserId, issued_at: DateTime<Utc>) -> String {
        let holder = Holder::User(user_id.as_str().to_owned());
        let expires_at = self.now() + TOKEN_LIFETIME;
        let token = self.state().mint(holder, TokenScope::default(), issued_at, expires_at);
        secrecy::ExposeSecret::expose_secret(&token.value).to_owned()
    }

    /// A project scope (`scope.project` set) an admin's token may be rescoped to, named by the
    /// project's name and its domain's id or name.
    pub fn add_project_scope(&self, scope: TokenScope) {
        self.state().project_scopes.push(scope);
    }

    /// An application credential whose login answers an admin token with `scope`.
    pub fn add_application_credential(&self, id: &str, secret: &str, scope: TokenScope) {
        let credential = AppCredential { secret: secret.to_owned(), scope };
        self.state().app_credentials.insert(id.to_owned(), credential);
    }

    /// Keystone's `password_regex` (as `accepts`) and its `password_regex_description`.
    pub fn set_password_rule(
        &self,
        description: &str,
        accepts: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) {
        let rule = PasswordRule { description: description.to_owned(), accepts: Box::new(accepts) };
        self.state().password_rule = Some(rule);
    }

    pub fn require_min_password_length(&self, chars: usize) {
        let description = format!("Passwords must be at least {chars} characters long");
        self.set_password_rule(&description, move |password| password.chars().count() >= chars);
    }

    /// Whether `totp` is in Keystone's `[auth] methods` (it is unless turned off).
    pub fn set_totp_method_enabled(&self, enabled: bool) {
        self.state().totp_disabled = !enabled;
    }

    /// Every call fails with a 503, as from a Keystone down behind its proxy.
    pub fn set_unreachable(&self, unreachable: bool) {
        self.state().unreachable = unreachable;
    }

    /// Calls of this operation (the client's name: `"credential creation"`, ...) fail with a 503.
    pub fn fail_operation(&self, operation: &'static str) {
        self.state().failing.insert(operation);
    }

    /// Keystone's lockout: after `failures` failed logins in a row, logins answer "locked".
    pub fn lock_out_after(&self, failures: u32) {
        self.state().lockout_after = Some(failures);
    }

    /// Calls of `operation` answer normally again.
    pub fn heal_operation(&self, operation: &'static str) {
        self.state().failing.remove(operation);
    }

    /// Calls of `operation` wait, uncounted, until the returned `Hold` is dropped.
    pub fn hold(&self, operation: &'static str) -> Hold {
        let (release, held) = tokio::sync::watch::channel(());
        self.state().holds.insert(operation, held);
        Hold { _release: release }
    }

    fn with_user(&self, user_id: &UserId, change: impl FnOnce(&mut User)) {
        if let Some(user) = self.state().users.get_mut(user_id.as_str()) {
            change(user);
        }
    }

    /// How many calls of `operation` were made, failed ones included.
    pub fn calls(&self, operation: &str) -> usize {
        self.state().calls.get(operation).copied().unwrap_or(0)
    }

    pub fn user_exists(&self, user_id: &UserId) -> bool {
        self.state().users.contains_key(user_id.as_str())
    }

    pub fn password_is(&self, user_id: &UserId, password: &str) -> bool {
        self.state().users.get(user_id.as_str()).is_some_and(|user| user.password == password)
    }

    /// Wrong passwords given since the last right one (logins and password changes).
    pub fn failed_logins(&self, user_id: &UserId) -> u32 {
        self.state().users.get(user_id.as_str()).map_or(0, |user| user.failed_auths)
    }

    pub fn mfa(&self, user_id: &UserId) -> Option<MfaOptions> {
        self.state().users.get(user_id.as_str()).map(|user| user.mfa.clone())
    }

    /// The blobs (base32 secrets) of the user's `totp` credentials, in creation order.
    pub fn totp_credentials(&self, user_id: &UserId) -> Vec<String> {
        let state = self.state();
        state.credentials.iter().filter(|c| c.user_id == user_id.as_str()).map(|c| c.blob.clone()).collect()
    }

    /// Whether Keystone would accept `token` now.
    pub fn token_is_valid(&self, token: &str) -> bool {
        self.state().holder(token, self.now()).is_ok()
    }

    /// The second through which the user's tokens are revoked (the last password change,
    /// reset or disabling), if any.
    pub fn revoked_through(&self, user_id: &UserId) -> Option<DateTime<Utc>> {
        let through = *self.state().revoked_through.get(user_id.as_str())?;
        DateTime::from_timestamp(through, 0)
    }
}

/// While it lives, calls of the held operation wait.
pub struct Hold {
    _release: tokio::sync::watch::Sender<()>,
}
