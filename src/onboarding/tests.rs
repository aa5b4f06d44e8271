//! The use cases without a real Keystone: every refusal of the user's flow and the admin's use
//! cases, against a temporary SQLite store, the offset clock, and the in-memory fake Keystone
//! behind `Identity` (no HTTP).
use super::{
    current, resume, submit_password, submit_totp, CliPolicy, Deps, Error, MfaPolicy, PasswordBounds,
    PasswordInput, Policy, RecoveryPolicy, SelfEnrollPolicy, TotpInput, TotpPolicy, View,
};
use crate::clock::OffsetClock;
use crate::crypto::pin_hasher::Argon2Params;
use crate::crypto::{PinHasher, Purpose, SecretBox};
use crate::domain::admin::{ProjectScope, TokenScope};
use crate::domain::cli_access::ExpiryPolicy;
use crate::domain::{Limits, Locale, OneTimeToken, PinPolicy, Refusal, Stage, UserId};
use crate::keystone::fake::FakeKeystone;
use crate::keystone::{MfaOptions, ServiceCredential};
use crate::store::IssueWrite;
use chrono::Duration;
use serde_json::json;
use std::sync::Arc;

mod admin;
mod authenticator_only;
mod cli;
mod enroll;
mod later;
mod link;
mod mfa;
mod recover;
mod totp;

/// The admin-set password the link carries, and the user's new one.
const RANDOM: &str = "random-1";
const NEW: &str = "my-own-password-42";

/// What a test may change before the use cases are built.
struct Setup {
    policy: Policy,
    /// The operator's application credential (`svc`), known to the fake Keystone.
    service: bool,
    /// Instead, a service user with the admin role (`setpass-svc`), whose token is not delegated.
    service_user: bool,
}

struct Fixture {
    deps: Arc<Deps>,
    keystone: FakeKeystone,
    clock: OffsetClock,
    user: UserId,
    _dir: tempfile::TempDir,
}

fn policy() -> Policy {
    Policy {
        pin: PinPolicy { min_digits: 4, max_digits: 4 },
        limits: Limits { max_pin_attempts: 3, max_totp_attempts: 10 },
        password: PasswordBounds { min_chars: 8, max_bytes: 72 },
        totp: TotpPolicy { enabled: true, previous_windows: 1, issuer: "Test Cloud".into() },
        mfa: MfaPolicy { enforce: false, rules: vec![vec!["password".into(), "totp".into()]] },
        self_enroll: SelfEnrollPolicy {
            enabled: true,
            domains: vec!["Default".into(), "d2".into()],
            require_mfa_rules: false,
            lifetime: Duration::minutes(10),
        },
        recovery: RecoveryPolicy { enabled: true, codes: 3, max_attempts: 5, lockout: Duration::hours(1) },
        cli: CliPolicy {
            enabled: true,
            expiry: ExpiryPolicy {
                default: Duration::days(90),
                max: Duration::days(365),
                allow_never: false,
            },
            auth_url: "https://keystone.test/v3".into(),
            region_name: Some("RegionOne".into()),
            interface: "public".into(),
            cloud_name: "test-cloud".into(),
            sign_in_lifetime: Duration::minutes(10),
        },
        link_lifetime: Duration::hours(24),
        lease: Duration::minutes(5),
        public_url: "https://s.test".into(),
        default_locale: Locale::En,
        mail_keystone_email: false,
        remind_before: None,
        retention: Duration::days(7),
        purge_every: std::time::Duration::from_secs(3600),
        webhook_timeout: Duration::seconds(5),
        outbox_retry_base: Duration::seconds(1),
    }
}

async fn fixture(adjust: impl FnOnce(&mut Setup)) -> Fixture {
    let mut setup = Setup { policy: policy(), service: false, service_user: false };
    adjust(&mut setup);
    let clock = OffsetClock::new();
    let keystone = FakeKeystone::new(Arc::new(clock.clone()));
    let user = keystone.add_user("ada", "default", RANDOM);
    let service = if setup.service_user {
        keystone.add_admin_user("setpass-svc", "default", "svc-password");
        let project =
            ProjectScope { name: "admin".into(), domain_id: "default".into(), domain_name: "Default".into() };
        let scope =
            TokenScope { roles: vec!["admin".into()], project: Some(project), ..TokenScope::default() };
        keystone.add_project_scope(scope);
        Some(ServiceCredential::user("setpass-svc", "Default", "svc-password".into(), "admin", "default"))
    } else {
        setup.service.then(|| {
            keystone.add_application_credential("svc", "svc-secret", TokenScope::default());
            ServiceCredential::new("svc".into(), "svc-secret".into())
        })
    };
    let (dir, store) = crate::store::open_temp();
    let params = Argon2Params { memory_kib: 1024, iterations: 1, parallelism: 1 };
    let deps = Deps {
        store: Arc::new(store),
        identity: Arc::new(keystone.clone()),
        service,
        hasher: PinHasher::new(&params, 2).unwrap(),
        sealer: SecretBox::new(&[7; 32]),
        clock: Arc::new(clock.clone()),
        metrics: crate::metrics::Metrics::new().unwrap(),
        notifier: crate::notify::Notifier::silent(),
        logins: Default::default(),
        rules: Default::default(),
        policy: setup.policy,
    };
    Fixture { deps: Arc::new(deps), keystone, clock, user, _dir: dir }
}

impl Fixture {
    /// A link for the user with PIN 1234 and the admin-set password.
    async fn link(&self) -> OneTimeToken {
        let pin_hash = self.deps.hasher.hash(b"1234").await.unwrap();
        let password_ct =
            self.deps.sealer.seal_for(Purpose::AdminPassword, self.user.as_str(), RANDOM.as_bytes());
        self.write_link(Some(pin_hash), Some(password_ct)).await
    }

    /// An authenticator-only link for the user with PIN 1234: no password in it.
    async fn authenticator_only_link(&self) -> OneTimeToken {
        let pin_hash = self.deps.hasher.hash(b"1234").await.unwrap();
        self.write(Some(pin_hash), None, true).await
    }

    /// What an admin's PUT writes (`None`: keep what the record has); returns the new link.
    async fn write_link(&self, pin_hash: Option<String>, password_ct: Option<Vec<u8>>) -> OneTimeToken {
        self.write(pin_hash, password_ct, false).await
    }

    async fn write(
        &self,
        pin_hash: Option<String>,
        password_ct: Option<Vec<u8>>,
        authenticator_only: bool,
    ) -> OneTimeToken {
        let token = OneTimeToken::generate();
        let now = self.deps.clock.now();
        let write = IssueWrite {
            user_id: self.user.clone(),
            token_hash: token.hash(),
            user_name: "ada".into(),
            pin_hash,
            password_ct,
            authenticator_only,
            now,
            expires_at: now + Duration::hours(24),
            locale: None,
            password_rules: None,
            domain_id: None,
        };
        self.deps.store.issue(write).await.unwrap().unwrap();
        token
    }

    /// A renewal without a password: the record keeps its stage; the kept token is dropped, as an
    /// expiry would.
    async fn link_after_renewal(&self) -> OneTimeToken {
        let token = self.write_link(None, None).await;
        let flow = self.deps.store.flow_by_token(&token.hash()).await.unwrap().unwrap();
        self.deps.store.store_user_token(&flow.issuance(), None, None, false).await.unwrap();
        token
    }

    async fn password(
        &self,
        token: &OneTimeToken,
        pin: &str,
        password: &str,
        confirm: &str,
    ) -> Result<(), Error> {
        let input = PasswordInput { pin, password, confirm: Some(confirm) };
        submit_password(&self.deps, token, input).await.map(|_| ())
    }

    /// Past step 1, the background login done; returns the TOTP secret.
    async fn at_totp_step(&self, token: &OneTimeToken) -> String {
        self.password(token, "1234", NEW, NEW).await.unwrap();
        self.deps.logins.wait(&token.hash()).await;
        self.totp_view(token).await.secret.expose().to_owned()
    }

    async fn totp_view(&self, token: &OneTimeToken) -> super::TotpView {
        match current(&self.deps, token).await.unwrap() {
            View::Totp(view) => view,
            other => panic!("{other:?}"),
        }
    }

    async fn code(&self, token: &OneTimeToken, code: &str, password: Option<&str>) -> Result<(), Error> {
        submit_totp(&self.deps, token, TotpInput { code, password }).await.map(|_| ())
    }

    /// The code of `secret` now, by the fixture's clock.
    fn code_now(&self, secret: &str) -> String {
        code_for(secret, self.deps.clock.now().timestamp())
    }

    /// Every Keystone call made so far, of any kind.
    fn keystone_calls(&self) -> usize {
        [
            "password change",
            "password login",
            "TOTP login",
            "user lookup",
            "credential creation",
            "credential list",
            "MFA rules update",
            "service credential login",
        ]
        .iter()
        .map(|op| self.keystone.calls(op))
        .sum()
    }
}

fn code_for(secret: &str, at: i64) -> String {
    crate::domain::TotpSecret::parse(secret).unwrap().code_at(at)
}

/// A code that is none of `secret`'s codes around now.
fn wrong_code(fx: &Fixture, secret: &str) -> String {
    format!("{:06}", (fx.code_now(secret).parse::<u32>().unwrap() + 500_000) % 1_000_000)
}

fn refused<T: std::fmt::Debug>(result: Result<T, Error>) -> Refusal {
    match result {
        Err(Error::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
