//! The use cases without a real Keystone: every refusal of the user's flow and the admin's use
//! cases, against a temporary SQLite store, the offset clock, and the in-memory fake Keystone
//! behind `Identity` (no HTTP).
use super::{
    current, resume, submit_password, submit_totp, Deps, Error, MfaPolicy, PasswordBounds, PasswordInput,
    Policy, TotpInput, TotpPolicy, View,
};
use crate::clock::OffsetClock;
use crate::crypto::pin_hasher::Argon2Params;
use crate::crypto::{PinHasher, Purpose, SecretBox};
use crate::domain::admin::TokenScope;
use crate::domain::{Limits, Locale, OneTimeToken, PinPolicy, Refusal, Stage, UserId};
use crate::keystone::fake::FakeKeystone;
use crate::keystone::{MfaOptions, ServiceCredential};
use crate::store::IssueWrite;
use chrono::Duration;
use serde_json::json;
use std::sync::Arc;

mod admin;
mod later;
mod mfa;

/// The admin-set password the link carries, and the user's new one.
const RANDOM: &str = "random-1";
const NEW: &str = "my-own-password-42";

/// What a test may change before the use cases are built.
struct Setup {
    policy: Policy,
    /// The operator's application credential (`svc`), known to the fake Keystone.
    service: bool,
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
        link_lifetime: Duration::hours(24),
        lease: Duration::minutes(5),
        public_url: "https://s.test".into(),
        default_locale: Locale::En,
        mail_keystone_email: false,
        retention: Duration::days(7),
        purge_every: std::time::Duration::from_secs(3600),
        webhook_timeout: Duration::seconds(5),
        outbox_retry_base: Duration::seconds(1),
    }
}

async fn fixture(adjust: impl FnOnce(&mut Setup)) -> Fixture {
    let mut setup = Setup { policy: policy(), service: false };
    adjust(&mut setup);
    let clock = OffsetClock::new();
    let keystone = FakeKeystone::new(Arc::new(clock.clone()));
    let user = keystone.add_user("ada", "default", RANDOM);
    let service = setup.service.then(|| {
        keystone.add_application_credential("svc", "svc-secret", TokenScope::default());
        ServiceCredential::new("svc".into(), "svc-secret".into())
    });
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

    /// What an admin's PUT writes (`None`: keep what the record has); returns the new link.
    async fn write_link(&self, pin_hash: Option<String>, password_ct: Option<Vec<u8>>) -> OneTimeToken {
        let token = OneTimeToken::generate();
        let now = self.deps.clock.now();
        let write = IssueWrite {
            user_id: self.user.clone(),
            token_hash: token.hash(),
            user_name: "ada".into(),
            pin_hash,
            password_ct,
            now,
            expires_at: now + Duration::hours(24),
            locale: None,
            password_rules: None,
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

#[tokio::test]
async fn an_unknown_link_is_refused() {
    let fx = fixture(|_| {}).await;
    assert_eq!(refused(fx.password(&OneTimeToken::generate(), "1234", NEW, NEW).await), Refusal::LinkUnknown);
}

#[tokio::test]
async fn an_expired_link_is_refused_by_the_clock() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.clock.advance(Duration::hours(25));
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkExpired);
}

#[tokio::test]
async fn pins_codes_and_passwords_of_the_wrong_shape_are_refused_before_keystone() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "12", NEW, NEW).await), Refusal::PinMalformed { min: 4, max: 4 });
    assert_eq!(refused(fx.password(&token, "1234", NEW, "other-password-1").await), Refusal::PasswordsDiffer);
    assert_eq!(
        refused(fx.password(&token, "1234", "short", "short").await),
        Refusal::PasswordTooShort { min: 8 }
    );
    let long = "x".repeat(73);
    assert_eq!(
        refused(fx.password(&token, "1234", &long, &long).await),
        Refusal::PasswordTooLong { max_bytes: 72 }
    );
    assert_eq!(
        refused(fx.password(&token, "1234", "tab\there-12", "tab\there-12").await),
        Refusal::PasswordUnusable
    );
    assert_eq!(fx.keystone_calls(), 0, "Keystone was not asked");
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
}

#[tokio::test]
async fn wrong_pins_count_down_then_lock_the_link() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "0000", NEW, NEW).await), Refusal::WrongPin { left: 2 });
    assert_eq!(refused(fx.password(&token, "0001", NEW, NEW).await), Refusal::WrongPin { left: 1 });
    assert_eq!(refused(fx.password(&token, "0002", NEW, NEW).await), Refusal::LockedAfterPin);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkLocked);
    assert!(fx.keystone.password_is(&fx.user, RANDOM), "the password was never changed");
}

#[tokio::test]
async fn keystones_password_rule_and_a_disabled_account_are_relayed_and_change_nothing() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone.set_password_rule("Needs a digit.", |password| password.chars().any(|c| c.is_ascii_digit()));
    let no_digit = "no-digits-at-all";
    match refused(fx.password(&token, "1234", no_digit, no_digit).await) {
        Refusal::KeystoneRefusedPassword(message) => assert!(message.contains("Needs a digit."), "{message}"),
        other => panic!("{other:?}"),
    }
    fx.keystone.set_enabled(&fx.user, false);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::AccountDisabled);
    assert!(fx.keystone.password_is(&fx.user, RANDOM));
    assert!(matches!(current(&fx.deps, &token).await.unwrap(), View::Password { .. }), "still at step 1");
}

#[tokio::test]
async fn a_password_changed_elsewhere_is_told_apart() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.keystone.set_password(&fx.user, "someone-elses-choice-1");
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::ChangedElsewhere);
}

#[tokio::test]
async fn a_deleted_account_is_told_so_with_a_service_credential() {
    let fx = fixture(|s| s.service = true).await;
    let token = fx.link().await;
    fx.keystone.delete_user(&fx.user);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::AccountGone);
}

#[tokio::test]
async fn a_second_step_of_the_same_kind_is_told_where_the_link_stands() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.code(&token, "123456", None).await), Refusal::StageMoved(Stage::Password));
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::StageMoved(Stage::Totp));
    let fresh = fx.link_after_renewal().await;
    assert_eq!(refused(fx.code(&fresh, &fx.code_now(&secret), None).await), Refusal::PasswordNeeded);
}

#[tokio::test]
async fn wrong_and_malformed_codes_count_down_with_a_clock_hint_then_lock() {
    let fx = fixture(|s| s.policy.limits.max_totp_attempts = 2).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(refused(fx.code(&token, "12ab", None).await), Refusal::CodeMalformed);
    let ahead = code_for(&secret, fx.deps.clock.now().timestamp() + 300);
    match refused(fx.code(&token, &ahead, None).await) {
        Refusal::WrongCode { left: 1, skew_secs: Some(skew) } => {
            assert!((240..=330).contains(&skew), "{skew}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(refused(fx.code(&token, &wrong_code(&fx, &secret), None).await), Refusal::LockedAfterCode);
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty(), "no credential was created");
}

#[tokio::test]
async fn a_code_keystone_refuses_leaves_no_credential_behind() {
    // setpass accepts two earlier windows, Keystone (its default) one.
    let fx = fixture(|s| s.policy.totp.previous_windows = 2).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    let old = code_for(&secret, fx.deps.clock.now().timestamp() - 60);
    assert_eq!(refused(fx.code(&token, &old, None).await), Refusal::CodeNotAccepted { left: 9 });
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty(), "the unconfirmed credential was withdrawn");
}

#[tokio::test]
async fn a_missing_totp_method_and_a_wrong_password_are_refused() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.keystone.set_totp_method_enabled(false);
    assert_eq!(refused(fx.code(&token, &fx.code_now(&secret), None).await), Refusal::TotpUnavailable);
    assert!(fx.keystone.totp_credentials(&fx.user).is_empty());

    fx.keystone.set_totp_method_enabled(true);
    let fresh = fx.link_after_renewal().await;
    let wrong = fx.code(&fresh, &fx.code_now(&secret), Some("wrong-password-1")).await;
    assert_eq!(refused(wrong), Refusal::WrongPassword);
}

#[tokio::test]
async fn a_right_code_enrolls_the_authenticator_in_keystone() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert!(fx.keystone.password_is(&fx.user, NEW));
    assert_eq!(fx.keystone.totp_credentials(&fx.user).len(), 1);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUsed);
}

#[tokio::test]
async fn an_older_authenticator_is_removed_once_the_new_one_is_confirmed() {
    let fx = fixture(|_| {}).await;
    let lost_phone = "JBSWY3DPEHPK3PXP";
    fx.keystone.add_totp_credential(&fx.user, lost_phone);
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(
        refused(fx.code(&token, &wrong_code(&fx, &secret), None).await),
        Refusal::WrongCode { left: 9, skew_secs: None }
    );
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [lost_phone], "kept while nothing is confirmed");
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user), [secret], "only the new authenticator is left");
}

#[tokio::test]
async fn mfa_rules_without_a_service_credential_need_the_operator_and_resume_tries_again() {
    let fx = fixture(|_| {}).await;
    let rules = MfaOptions { enabled: true, rules: json!([["password", "totp"]]) };
    fx.keystone.set_user_mfa(&fx.user, rules.clone());
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let code = submit_totp(&fx.deps, &token, TotpInput { code: "123456", password: None }).await;
    assert!(matches!(code.unwrap(), View::NeedsOperator), "the TOTP step waits for the login");
    assert!(matches!(current(&fx.deps, &token).await.unwrap(), View::NeedsOperator));
    assert!(matches!(resume(&fx.deps, &token, NEW).await.unwrap(), View::NeedsOperator));
    assert_eq!(fx.keystone.mfa(&fx.user), Some(rules), "the rules were not touched");

    fx.keystone.set_user_mfa(&fx.user, MfaOptions { enabled: false, rules: serde_json::Value::Null });
    assert!(
        matches!(resume(&fx.deps, &token, NEW).await.unwrap(), View::Totp(_)),
        "the operator cleared them"
    );
}

#[tokio::test]
async fn a_held_lease_is_busy_and_a_renewed_link_is_replaced() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let user = fx.user.clone();
    let flow = fx.deps.store.flow_by_token(&token.hash()).await.unwrap().unwrap();
    let now = fx.deps.clock.now();
    let until = now + Duration::minutes(10);
    assert!(fx.deps.store.acquire_lease(&user, now, until).await.unwrap());
    let busy = super::with_lease_raw(&fx.deps, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(busy), Refusal::Busy);
    fx.link_after_renewal().await;
    let still = super::with_lease_raw(&fx.deps, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(still), Refusal::Busy, "a renewal does not free the lease of a step in flight");
    fx.deps.store.release_lease(&user, until).await.unwrap();

    let late = super::password::finish_for_test(&fx.deps, &flow).await;
    assert_eq!(refused(late), Refusal::Replaced);
}

#[tokio::test]
async fn a_used_link_says_so() {
    let fx = fixture(|s| s.policy.totp.enabled = false).await;
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    assert!(fx.keystone.password_is(&fx.user, NEW));
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUsed);
}
