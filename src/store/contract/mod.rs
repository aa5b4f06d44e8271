//! The store contract: one conformance suite over `&dyn Store`, run on every backend, so the
//! SQLite and MariaDB branches are known to agree. Each test is an async fn taking the store;
//! `contract!` runs it once on a temporary SQLite file and once on a MariaDB database of its own
//! (created on the server `SETPASS_TEST_MARIADB_URL` names, dropped afterwards; skipped, with a
//! line saying so, when the variable is unset). Times are fixed, so nothing sleeps.
use crate::domain::{Limits, OneTimeToken, UserId};
use crate::store::{Issuance, IssueWrite, MariaStore, Store};
use chrono::{DateTime, Duration, Utc};

/// Instantiates each named contract test (an `async fn(&dyn Store)` in the calling module) once
/// per backend, as `<part>::sqlite::<name>` and `<part>::mariadb::<name>`.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let path = dir.path().join("contract.db");
                    let store = crate::store::SqliteStore::open(&path, crate::store::contract::POOL).unwrap();
                    super::$name(&store).await;
                }
            )*
        }

        mod mariadb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(database) = crate::store::contract::SharedDatabase::create() else {
                        println!("skipped {}: SETPASS_TEST_MARIADB_URL is not set", stringify!($name));
                        return;
                    };
                    super::$name(database.store()).await;
                }
            )*
        }
    };
}

mod enrollments;
mod flow;
mod health;
mod listing;
mod notices;
mod outbox;
mod records;
mod recovery;

/// Connections per test store: enough for the concurrency tests' calls to overlap in the
/// database, not only queue for a connection.
pub(super) const POOL: u32 = 8;

/// A uniquely named MariaDB database for one test (tests run in parallel), dropped with the
/// guard, also when the test panics.
pub(super) struct SharedDatabase {
    store: Option<MariaStore>,
    name: String,
    admin_url: String,
}

impl SharedDatabase {
    /// `None` when `SETPASS_TEST_MARIADB_URL` is unset; panics when it is set and unusable.
    pub(super) fn create() -> Option<Self> {
        let admin_url = std::env::var("SETPASS_TEST_MARIADB_URL").ok().filter(|url| !url.is_empty())?;
        let name = format!("setpass_contract_{}", uuid::Uuid::new_v4().simple());
        let mut conn = admin_connection(&admin_url);
        mysql::prelude::Queryable::query_drop(&mut conn, format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        // The guard exists before the store opens, so a failing migration still drops the database.
        let mut database = SharedDatabase { store: None, name, admin_url };
        let url = format!("{}/{}", database.admin_url.trim_end_matches('/'), database.name);
        database.store = Some(MariaStore::open(&url, POOL).expect("open the MariaDB store"));
        Some(database)
    }

    pub(super) fn store(&self) -> &MariaStore {
        // Set in `create`, taken only in `drop`.
        self.store.as_ref().expect("the store is open")
    }
}

impl Drop for SharedDatabase {
    fn drop(&mut self) {
        // The pool's connections go first, so none of them holds the database open.
        drop(self.store.take());
        let mut conn = admin_connection(&self.admin_url);
        if let Err(err) =
            mysql::prelude::Queryable::query_drop(&mut conn, format!("DROP DATABASE IF EXISTS {}", self.name))
        {
            eprintln!("could not drop the test database {}: {err}", self.name);
        }
    }
}

fn admin_connection(admin_url: &str) -> mysql::Conn {
    let opts = mysql::Opts::from_url(admin_url).expect("SETPASS_TEST_MARIADB_URL is a mysql:// URL");
    mysql::Conn::new(opts).expect("connect to SETPASS_TEST_MARIADB_URL")
}

/// Every test's clock starts here; later times are offsets from it.
pub(super) fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_900_000_000 + seconds, 0).expect("in range")
}

pub(super) const HOUR: i64 = 3600;
pub(super) const DAY: i64 = 24 * HOUR;

pub(super) const LIMITS: Limits = Limits { max_pin_attempts: 5, max_totp_attempts: 3 };

pub(super) fn user(id: &str) -> UserId {
    UserId::parse(id).expect("a valid user id")
}

/// A first PUT for `id` at `now`: PIN and password, valid for a day.
pub(super) fn new_record(id: &str, now: DateTime<Utc>) -> IssueWrite {
    IssueWrite {
        user_id: user(id),
        token_hash: OneTimeToken::generate().hash(),
        user_name: format!("{id}@example.com"),
        pin_hash: Some(format!("$pin-of-{id}")),
        password_ct: Some(format!("password-of-{id}").into_bytes()),
        authenticator_only: false,
        now,
        expires_at: now + Duration::days(1),
        locale: None,
        password_rules: None,
        domain_id: Some("default".into()),
    }
}

/// A PUT that renews `id`'s link at `now` and changes nothing else.
pub(super) fn renewal(id: &str, now: DateTime<Utc>) -> IssueWrite {
    IssueWrite { pin_hash: None, password_ct: None, ..new_record(id, now) }
}

/// Issues `write` (which must be allowed) and answers the issuance it made.
pub(super) async fn issue(store: &dyn Store, write: IssueWrite) -> Issuance {
    let issuance = Issuance { user_id: write.user_id.clone(), token_hash: write.token_hash.clone() };
    store.issue(write).await.expect("the store answers").expect("the issue is allowed");
    issuance
}

/// The record as the flow reads it by the issuance's link; panics if the link reads nothing.
pub(super) async fn flow_of(store: &dyn Store, issuance: &Issuance) -> crate::store::FlowRecord {
    store.flow_by_token(&issuance.token_hash).await.expect("the store answers").expect("the link is current")
}
