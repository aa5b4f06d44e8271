//! The fake Keystone's own tests: it must behave like Keystone where the use cases rely on it.
use super::FakeKeystone;
use crate::clock::{Clock, OffsetClock};
use crate::domain::admin::{ProjectScope, TokenScope};
use crate::domain::TotpSecret;
use crate::keystone::{Login, MfaOptions};
use chrono::{DateTime, Duration, TimeZone, Utc};
use secrecy::ExposeSecret;
use std::sync::{Arc, Mutex};

mod credentials;
mod logins;
mod tokens;

/// A base32 secret of 20 bytes, as setpass generates them.
const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

/// A wall clock a test sets by hand, to place calls within or across seconds.
#[derive(Clone)]
struct PinnedClock(Arc<Mutex<DateTime<Utc>>>);

impl PinnedClock {
    /// Twelve o'clock sharp on some day, plus `millis`.
    fn at_millis(millis: i64) -> Self {
        Self(Arc::new(Mutex::new(noon() + Duration::milliseconds(millis))))
    }

    fn set_millis(&self, millis: i64) {
        *self.0.lock().unwrap() = noon() + Duration::milliseconds(millis);
    }
}

impl Clock for PinnedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0).unwrap()
}

/// A fake on an offset clock the test moves, and the real wall clock.
fn fake() -> (FakeKeystone, OffsetClock) {
    let clock = OffsetClock::new();
    (FakeKeystone::new(Arc::new(clock.clone())), clock)
}

/// A fake whose wall clock (token issue and revocation) the test sets.
fn fake_with_wall(millis: i64) -> (FakeKeystone, PinnedClock) {
    let wall = PinnedClock::at_millis(millis);
    (FakeKeystone::with_clocks(Arc::new(OffsetClock::new()), Arc::new(wall.clone())), wall)
}

fn cloud_admin() -> TokenScope {
    TokenScope {
        roles: vec!["admin".into()],
        project: Some(ProjectScope {
            name: "admin".into(),
            domain_id: "default".into(),
            domain_name: "Default".into(),
        }),
        ..TokenScope::default()
    }
}

fn password_and_totp() -> MfaOptions {
    MfaOptions { enabled: true, rules: serde_json::json!([["password", "totp"]]) }
}

/// The code an authenticator app shows at `at`, by setpass's own TOTP code.
fn code_at(at: DateTime<Utc>) -> String {
    TotpSecret::parse(SECRET).unwrap().code_at(at.timestamp())
}

fn code_now(clock: &OffsetClock) -> String {
    code_at(clock.now())
}

fn token_of(login: Login) -> String {
    match login {
        Login::Token(token) => token.value.expose_secret().to_owned(),
        other => panic!("expected a token, got {other:?}"),
    }
}
