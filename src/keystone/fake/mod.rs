//! An in-memory Keystone behind the `Identity` seam, for use-case tests: users, tokens revoked by
//! the second on a password change, MFA receipts, TOTP credentials, and faults to inject.
//!
//! Where it matters it follows Keystone's source (`identity/core.py`, `auth/core.py`,
//! `auth/plugins/totp.py`, `models/revoke_model.py`); `rules.rs` says which part where.
use super::{IssuedToken, KeystoneError, MfaOptions};
use crate::clock::{Clock, SystemClock};
use crate::domain::admin::TokenScope;
use chrono::{DateTime, Duration, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

mod app_credentials;
pub use app_credentials::MadeAppCredential;
mod arrange;
mod identity;
mod rules;
mod tests;

/// How long a login's token lives (Keystone's `[token] expiration` default: one hour).
const TOKEN_LIFETIME: Duration = Duration::hours(1);
/// How long an auth receipt lives (Keystone's `[receipt] expiration` default: 300 s).
const RECEIPT_LIFETIME: Duration = Duration::minutes(5);

/// The fake Keystone. Clones share one state, so a test keeps one and hands another (or an
/// `Arc`) to the code under test.
#[derive(Clone)]
pub struct FakeKeystone {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<State>,
    /// Token and receipt expiry, and TOTP windows: the clock tests move (`OffsetClock`).
    clock: Arc<dyn Clock>,
    /// When tokens are issued and revoked: Keystone's wall clock, read by setpass's own wait for
    /// the revocation window. A test may pin it.
    wall: Arc<dyn Clock>,
}

#[derive(Default)]
struct State {
    users: HashMap<String, User>,
    tokens: HashMap<String, Token>,
    receipts: HashMap<String, PendingReceipt>,
    /// In creation order, as Keystone lists them.
    credentials: Vec<Credential>,
    app_credentials: HashMap<String, AppCredential>,
    /// The project scopes an admin's token may be rescoped to.
    project_scopes: Vec<TokenScope>,
    /// Per user, the unix second through which their tokens are revoked.
    revoked_through: HashMap<String, i64>,
    password_rule: Option<PasswordRule>,
    totp_disabled: bool,
    unreachable: bool,
    failing: HashSet<&'static str>,
    calls: HashMap<&'static str, usize>,
    /// Keystone's `[security_compliance] lockout_failure_attempts`, when set.
    lockout_after: Option<u32>,
    /// Per user, the projects they have a role on.
    memberships: HashMap<String, Vec<crate::keystone::Project>>,
    /// Project-scoped user tokens (command-line access) and their project's id.
    project_tokens: HashMap<String, String>,
    /// Application credentials users made, by user id.
    made_app_credentials: Vec<(String, app_credentials::MadeAppCredential)>,
    /// Users with the admin role on every project scope (a service user): their tokens rescope
    /// to an admin's.
    admins: HashSet<String>,
    /// Operations whose calls wait until the test lets them go (`hold`).
    holds: HashMap<&'static str, tokio::sync::watch::Receiver<()>>,
}

struct User {
    name: String,
    domain_id: String,
    password: String,
    enabled: bool,
    email: Option<String>,
    mfa: MfaOptions,
    failed_auths: u32,
}

/// Who holds a token: one of the fake's users, or an admin (or service) made by the test.
#[derive(Clone, PartialEq, Eq)]
enum Holder {
    Admin,
    /// An admin acting through an application credential (setpass's service credential): as
    /// Keystone 30 does, refused on the credentials API except for listing ("Delegated tokens
    /// cannot access credentials directly").
    Delegated,
    User(String),
}

struct Token {
    holder: Holder,
    scope: TokenScope,
    issued_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

struct PendingReceipt {
    user_id: String,
    methods: BTreeSet<String>,
    expires_at: DateTime<Utc>,
}

struct Credential {
    id: String,
    user_id: String,
    blob: String,
}

struct AppCredential {
    secret: String,
    scope: TokenScope,
}

struct PasswordRule {
    description: String,
    accepts: Box<dyn Fn(&str) -> bool + Send + Sync>,
}

impl FakeKeystone {
    /// A Keystone whose expiry and TOTP checks read `clock`; tokens are issued and revoked by
    /// the wall clock.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self::with_clocks(clock, Arc::new(SystemClock))
    }

    /// As `new`, with the wall clock (token issue and revocation seconds) replaced too, to put a
    /// login in the same second as a password change, or in the next one, without sleeping.
    pub fn with_clocks(clock: Arc<dyn Clock>, wall: Arc<dyn Clock>) -> Self {
        let inner = Inner { state: Mutex::new(State::default()), clock, wall };
        Self { inner: Arc::new(inner) }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already; its state is still
        // worth reading.
        self.inner.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits while a test holds `operation` (a slow Keystone, made deterministic).
    async fn pass_hold(&self, operation: &'static str) {
        let held = self.state().holds.get(operation).cloned();
        if let Some(mut held) = held {
            // `changed` fails once the test dropped its `Hold`; nothing is ever sent.
            while held.changed().await.is_ok() {}
        }
    }

    /// Counts the call and answers the injected fault, if any; else the state to work on.
    fn enter(&self, operation: &'static str) -> Result<MutexGuard<'_, State>, KeystoneError> {
        let mut state = self.state();
        *state.calls.entry(operation).or_default() += 1;
        if state.unreachable || state.failing.contains(operation) {
            return Err(KeystoneError::Unexpected {
                operation,
                status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
            });
        }
        Ok(state)
    }

    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    fn wall_now(&self) -> DateTime<Utc> {
        self.inner.wall.now()
    }
}

impl Default for FakeKeystone {
    fn default() -> Self {
        Self::new(Arc::new(SystemClock))
    }
}

impl std::fmt::Debug for FakeKeystone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        write!(
            f,
            "FakeKeystone({} users, {} tokens, [secrets redacted])",
            state.users.len(),
            state.tokens.len()
        )
    }
}

impl State {
    fn mint(
        &mut self,
        holder: Holder,
        scope: TokenScope,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> IssuedToken {
        let value = format!("fake-token-{}", uuid::Uuid::new_v4().simple());
        self.tokens.insert(value.clone(), Token { holder, scope, issued_at, expires_at });
        IssuedToken { value: value.into(), expires_at }
    }

    /// Who holds `token`, if Keystone would still accept it at `now`: not expired, its user
    /// still there and enabled, and not issued up to a second their tokens were revoked through.
    fn holder(&self, token: &str, now: DateTime<Utc>) -> Result<Holder, KeystoneError> {
        let token =
            self.tokens.get(token).filter(|t| t.expires_at > now).ok_or(KeystoneError::InvalidToken)?;
        if let Holder::User(id) = &token.holder {
            let enabled = self.users.get(id).is_some_and(|user| user.enabled);
            if !enabled || self.revoked(id, token.issued_at) {
                return Err(KeystoneError::InvalidToken);
            }
        }
        Ok(token.holder.clone())
    }

    /// `token` may act on `user_id`'s own resources: an admin's, or the user's own token.
    fn may_act_for(&self, token: &str, now: DateTime<Utc>, user_id: &str) -> Result<(), KeystoneError> {
        match self.holder(token, now)? {
            Holder::Admin | Holder::Delegated => Ok(()),
            Holder::User(id) if id == user_id => Ok(()),
            Holder::User(_) => Err(KeystoneError::Forbidden),
        }
    }

    /// Keystone's revocation events keep whole seconds and match tokens with
    /// `issued_before >= issued_at`: a token issued in the second of the event, even after it,
    /// is revoked.
    fn revoked(&self, user_id: &str, issued_at: DateTime<Utc>) -> bool {
        self.revoked_through.get(user_id).is_some_and(|&through| issued_at.timestamp() <= through)
    }

    fn revoke_tokens_of(&mut self, user_id: &str, at: DateTime<Utc>) {
        self.revoked_through.insert(user_id.to_owned(), at.timestamp());
    }
}
