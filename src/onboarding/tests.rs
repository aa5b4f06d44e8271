//! The use cases without a real Keystone: every refusal of the user's flow, against a temporary
//! SQLite store, the offset clock, and an in-process fake of Keystone's HTTP answers.
use super::{current, resume, submit_password, submit_totp, PasswordInput, TotpInput};
use crate::clock::OffsetClock;
use crate::config::Settings;
use crate::crypto::Purpose;
use crate::domain::{OneTimeToken, Refusal, Stage, UserId};
use crate::error::AppError;
use crate::state::AppState;
use crate::store::IssueWrite;
use chrono::Duration;
use serde_json::json;
use std::sync::Arc;
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

mod later;

const USER: &str = "0123456789abcdef0123456789abcdef";
const NEW: &str = "my-own-password-42";

struct Fixture {
    state: Arc<AppState>,
    keystone: MockServer,
    clock: OffsetClock,
    _dir: tempfile::TempDir,
}

async fn fixture(adjust: impl FnOnce(&mut Settings)) -> Fixture {
    let keystone = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let auth_url = format!("{}/v3", keystone.uri());
    let mut settings = Settings::with_defaults(
        "127.0.0.1:0".parse().unwrap(),
        "https://s.test",
        dir.path().join("db"),
        &auth_url,
    );
    settings.argon2.memory_kib = 1024;
    settings.argon2.iterations = 1;
    adjust(&mut settings);
    let clock = OffsetClock::new();
    let (state, _) = crate::startup::build_state(settings, Arc::new(clock.clone())).unwrap();
    let state = Arc::new(state);
    Fixture { state, keystone, clock, _dir: dir }
}

impl Fixture {
    /// A link for `USER` with PIN 1234 and admin password "random-1".
    async fn link(&self) -> OneTimeToken {
        let pin_hash = self.state.hasher.hash(b"1234").await.unwrap();
        let password_ct = self.state.secret_box.seal_for(Purpose::AdminPassword, USER, b"random-1");
        self.write_link(Some(pin_hash), Some(password_ct)).await
    }

    /// What an admin's PUT writes (`None`: keep what the record has); returns the new link.
    async fn write_link(&self, pin_hash: Option<String>, password_ct: Option<Vec<u8>>) -> OneTimeToken {
        let token = OneTimeToken::generate();
        let now = self.state.clock.now();
        let write = IssueWrite {
            user_id: UserId::parse(USER).unwrap(),
            token_hash: token.hash(),
            user_name: "u".into(),
            pin_hash,
            password_ct,
            now,
            expires_at: now + Duration::hours(24),
            locale: None,
            password_rules: None,
        };
        self.state.store.issue(write).await.unwrap().unwrap();
        token
    }

    async fn answer(&self, verb: &str, route: &str, template: ResponseTemplate) {
        Mock::given(method(verb)).and(path(route)).respond_with(template).mount(&self.keystone).await;
    }

    async fn answer_login(&self, contains: &str, template: ResponseTemplate) {
        Mock::given(method("POST"))
            .and(path("/v3/auth/tokens"))
            .and(body_string_contains(contains))
            .respond_with(template)
            .mount(&self.keystone)
            .await;
    }

    /// Keystone changes the password and logs the user in.
    async fn keystone_accepts_the_password(&self) {
        self.answer("POST", &format!("/v3/users/{USER}/password"), ResponseTemplate::new(204)).await;
        self.answer_login(r#""password""#, token_answer()).await;
    }

    async fn password(
        &self,
        token: &OneTimeToken,
        pin: &str,
        password: &str,
        confirm: &str,
    ) -> Result<(), AppError> {
        let input = PasswordInput { pin, password, confirm: Some(confirm) };
        submit_password(&self.state, token, input).await.map(|_| ())
    }

    /// Past step 1; returns the TOTP secret.
    async fn at_totp_step(&self, token: &OneTimeToken) -> String {
        self.keystone_accepts_the_password().await;
        self.password(token, "1234", NEW, NEW).await.unwrap();
        match current(&self.state, token).await.unwrap() {
            super::View::Totp(view) => view.secret.expose().to_owned(),
            other => panic!("{other:?}"),
        }
    }

    async fn code(&self, token: &OneTimeToken, code: &str, password: Option<&str>) -> Result<(), AppError> {
        submit_totp(&self.state, token, TotpInput { code, password }).await.map(|_| ())
    }
}

fn token_answer() -> ResponseTemplate {
    let expires = (chrono::Utc::now() + Duration::hours(1)).to_rfc3339();
    ResponseTemplate::new(201)
        .insert_header("X-Subject-Token", "user-token")
        .set_body_json(json!({"token": {"expires_at": expires}}))
}

fn code_for(secret: &str, at: i64) -> String {
    crate::domain::TotpSecret::parse(secret).unwrap().code_at(at)
}

fn refused(result: Result<(), AppError>) -> Refusal {
    match result {
        Err(AppError::Refused(refusal)) => refusal,
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
    assert!(fx.keystone.received_requests().await.unwrap().is_empty(), "Keystone was not asked");
}

#[tokio::test]
async fn wrong_pins_count_down_then_lock_the_link() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "0000", NEW, NEW).await), Refusal::WrongPin { left: 2 });
    assert_eq!(refused(fx.password(&token, "0001", NEW, NEW).await), Refusal::WrongPin { left: 1 });
    assert_eq!(refused(fx.password(&token, "0002", NEW, NEW).await), Refusal::LockedAfterPin);
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkLocked);
}

#[tokio::test]
async fn keystones_password_rules_and_a_disabled_account_are_relayed() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let path = format!("/v3/users/{USER}/password");
    Mock::given(method("POST"))
        .and(wiremock::matchers::path(path.as_str()))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"error": {"message": "Needs a digit."}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fx.keystone)
        .await;
    fx.answer(
        "POST",
        &path,
        ResponseTemplate::new(401).set_body_json(
            json!({"error": {"message": format!("The account is disabled for user: {USER}.")}}),
        ),
    )
    .await;

    assert_eq!(
        refused(fx.password(&token, "1234", NEW, NEW).await),
        Refusal::KeystoneRefusedPassword("Needs a digit.".into())
    );
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::AccountDisabled);
}

#[tokio::test]
async fn a_password_changed_elsewhere_is_told_apart() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let generic = json!({"error": {"message": "The request you have made requires authentication."}});
    fx.answer(
        "POST",
        &format!("/v3/users/{USER}/password"),
        ResponseTemplate::new(401).set_body_json(generic.clone()),
    )
    .await;
    fx.answer_login(r#""password""#, ResponseTemplate::new(401).set_body_json(generic)).await;
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::ChangedElsewhere);
}

#[tokio::test]
async fn a_deleted_account_is_told_so_with_a_service_credential() {
    let fx = fixture(|s| {
        s.keystone.service_credential_id = Some("svc".into());
        s.keystone.service_credential_secret = Some("svc-secret".into());
    })
    .await;
    let token = fx.link().await;
    let generic = json!({"error": {"message": "The request you have made requires authentication."}});
    fx.answer(
        "POST",
        &format!("/v3/users/{USER}/password"),
        ResponseTemplate::new(401).set_body_json(generic.clone()),
    )
    .await;
    fx.answer_login("application_credential", token_answer()).await;
    fx.answer_login(r#""password""#, ResponseTemplate::new(401).set_body_json(generic)).await;
    fx.answer("GET", &format!("/v3/users/{USER}"), ResponseTemplate::new(404)).await;
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
    assert_eq!(
        refused(fx.code(&fresh, &code_for(&secret, chrono::Utc::now().timestamp()), None).await),
        Refusal::PasswordNeeded
    );
}

impl Fixture {
    /// A renewal without a password: the record keeps its stage; the kept token is dropped, as an
    /// expiry would.
    async fn link_after_renewal(&self) -> OneTimeToken {
        let token = self.write_link(None, None).await;
        let flow = self.state.store.flow_by_token(&token.hash()).await.unwrap().unwrap();
        self.state.store.store_user_token(&flow.issuance(), None, None, false).await.unwrap();
        token
    }
}

#[tokio::test]
async fn wrong_and_malformed_codes_count_down_with_a_clock_hint_then_lock() {
    let fx = fixture(|s| s.totp.max_attempts = 2).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(refused(fx.code(&token, "12ab", None).await), Refusal::CodeMalformed);
    let ahead = code_for(&secret, chrono::Utc::now().timestamp() + 300);
    match refused(fx.code(&token, &ahead, None).await) {
        Refusal::WrongCode { left: 1, skew_secs: Some(skew) } => {
            assert!((240..=330).contains(&skew), "{skew}")
        }
        other => panic!("{other:?}"),
    }
    let wrong = format!(
        "{:06}",
        (code_for(&secret, chrono::Utc::now().timestamp()).parse::<u32>().unwrap() + 500_000) % 1_000_000
    );
    assert_eq!(refused(fx.code(&token, &wrong, None).await), Refusal::LockedAfterCode);
}

#[tokio::test]
async fn a_code_keystone_refuses_a_wrong_password_and_a_missing_totp_method_are_refused() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.answer(
        "POST",
        "/v3/credentials",
        ResponseTemplate::new(201).set_body_json(json!({"credential": {"id": "c1"}})),
    )
    .await;
    fx.answer("DELETE", "/v3/credentials/c1", ResponseTemplate::new(204)).await;
    Mock::given(method("POST"))
        .and(body_string_contains("passcode"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "no"}})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&fx.keystone)
        .await;
    let now = code_for(&secret, chrono::Utc::now().timestamp());
    assert_eq!(refused(fx.code(&token, &now, None).await), Refusal::CodeNotAccepted { left: 9 });

    let methods = json!({"error": {"message": "no", "identity": {"methods": ["password", "token"]}}});
    fx.answer_login("passcode", ResponseTemplate::new(401).set_body_json(methods)).await;
    assert_eq!(refused(fx.code(&token, &now, None).await), Refusal::TotpUnavailable);

    let fresh = fx.link_after_renewal().await;
    fx.keystone.reset().await;
    fx.answer_login(r#""password""#, ResponseTemplate::new(401)).await;
    assert_eq!(refused(fx.code(&fresh, &now, Some("wrong-password-1")).await), Refusal::WrongPassword);
}

#[tokio::test]
async fn mfa_rules_without_a_service_credential_need_the_operator_and_resume_tries_again() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    fx.answer("POST", &format!("/v3/users/{USER}/password"), ResponseTemplate::new(204)).await;
    fx.answer_login(r#""password""#, ResponseTemplate::new(401).insert_header("Openstack-Auth-Receipt", "r"))
        .await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    let code = submit_totp(&fx.state, &token, TotpInput { code: "123456", password: None }).await;
    assert!(matches!(code.unwrap(), super::View::NeedsOperator), "the TOTP step waits for the login");
    assert!(matches!(current(&fx.state, &token).await.unwrap(), super::View::NeedsOperator));
    assert!(matches!(resume(&fx.state, &token, NEW).await.unwrap(), super::View::NeedsOperator));
}

#[tokio::test]
async fn a_held_lease_is_busy_and_a_renewed_link_is_replaced() {
    let fx = fixture(|_| {}).await;
    let token = fx.link().await;
    let user = UserId::parse(USER).unwrap();
    let flow = fx.state.store.flow_by_token(&token.hash()).await.unwrap().unwrap();
    let now = fx.state.clock.now();
    let until = now + Duration::minutes(10);
    assert!(fx.state.store.acquire_lease(&user, now, until).await.unwrap());
    let busy = super::with_lease_raw(&fx.state, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(busy), Refusal::Busy);
    fx.link_after_renewal().await;
    let still = super::with_lease_raw(&fx.state, &user, false, async { Ok(()) }).await;
    assert_eq!(refused(still), Refusal::Busy, "a renewal does not free the lease of a step in flight");
    fx.state.store.release_lease(&user, until).await.unwrap();

    fx.keystone_accepts_the_password().await;
    let late = super::password::finish_for_test(&fx.state, &flow).await;
    assert_eq!(refused(late), Refusal::Replaced);
}

#[tokio::test]
async fn a_used_link_says_so() {
    let fx = fixture(|s| s.totp.enabled = false).await;
    let token = fx.link().await;
    fx.keystone_accepts_the_password().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUsed);
}
