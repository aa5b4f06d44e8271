//! Which backend the suite runs on (`SETPASS_TEST_BACKEND=mariadb`, else SQLite), a database of
//! its own per test app, and reading it behind the app's back where a test must.
use setpass::config::Settings;
use setpass::store::{MariaStore, SqliteStore, Store};
use std::path::PathBuf;
use std::sync::Arc;

/// Every MariaDB test app shares this key (a shared database needs one given).
pub const SHARED_KEY: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";

pub enum TestDatabase {
    Sqlite(PathBuf),
    /// `url` names the database; dropped with the app. On Galera, `nodes` names it on each
    /// node the replicas spread over (`SETPASS_TEST_GALERA_NODES`), one app after another.
    MariaDb {
        url: String,
        name: String,
        admin_url: String,
        nodes: Vec<String>,
        next: std::sync::atomic::AtomicUsize,
    },
}

pub fn on_mariadb() -> bool {
    std::env::var("SETPASS_TEST_BACKEND").is_ok_and(|b| b == "mariadb")
}

pub fn admin_url() -> String {
    std::env::var("SETPASS_TEST_MARIADB_URL")
        .expect("SETPASS_TEST_MARIADB_URL is not set: run the tests with scripts/test.sh")
}

/// Runs `sql` on the MariaDB server or database at `url` (a connection of its own).
pub fn execute_on(url: &str, sql: &str) {
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).unwrap();
    mysql::prelude::Queryable::query_drop(&mut conn, sql).unwrap();
}

/// The one number `sql` answers on the MariaDB database at `url`.
pub fn number_on(url: &str, sql: &str) -> i64 {
    let mut conn = mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).unwrap();
    mysql::prelude::Queryable::query_first(&mut conn, sql).unwrap().unwrap()
}

impl TestDatabase {
    /// A new, empty database for one app: SQLite in `dir`, or a uniquely named MariaDB one.
    pub fn create(dir: &std::path::Path) -> Self {
        if !on_mariadb() {
            return TestDatabase::Sqlite(dir.join("setpass.db"));
        }
        Self::create_mariadb()
    }

    /// A new MariaDB database, whatever the suite's backend (for the replica tests).
    pub fn create_mariadb() -> Self {
        let admin_url = admin_url();
        let name = crate::helpers::unique("setpass_test").replace('-', "_");
        execute_on(&admin_url, &format!("CREATE DATABASE {name}"));
        let url = format!("{}/{name}", admin_url.trim_end_matches('/'));
        let nodes = std::env::var("SETPASS_TEST_GALERA_NODES")
            .unwrap_or_default()
            .split(',')
            .filter(|node| !node.is_empty())
            .map(|node| format!("{}/{name}", node.trim_end_matches('/')))
            .collect();
        TestDatabase::MariaDb { url, name, admin_url, nodes, next: Default::default() }
    }

    /// The URL the next replica uses: on Galera, the next node's (so two replicas are on two
    /// nodes), else the one server's.
    pub fn replica_url(&self) -> String {
        match self {
            TestDatabase::MariaDb { url, nodes, next, .. } => {
                if nodes.is_empty() {
                    return url.clone();
                }
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                nodes[n % nodes.len()].clone()
            }
            TestDatabase::Sqlite(_) => panic!("a MariaDB database"),
        }
    }

    /// Points `settings` at this database (another app on it is another replica).
    pub fn configure(&self, settings: &mut Settings) {
        match self {
            TestDatabase::Sqlite(path) => settings.database.path = path.clone(),
            TestDatabase::MariaDb { .. } => {
                settings.database.path = PathBuf::new();
                settings.database.url = Some(self.replica_url());
                settings.secrets.key = Some(SHARED_KEY.into());
            }
        }
    }

    /// The store, opened behind the app's back.
    pub fn store(&self) -> Arc<dyn Store> {
        match self {
            TestDatabase::Sqlite(path) => Arc::new(SqliteStore::open(path, 1).unwrap()),
            TestDatabase::MariaDb { url, .. } => Arc::new(MariaStore::open(url, 1).unwrap()),
        }
    }

    /// Whether `column` of the user's record holds a value (raw SQL: secrets must be gone).
    pub fn column_is_set(&self, column: &str, user_id: &str) -> bool {
        let sql = format!("SELECT {column} IS NOT NULL FROM onboarding WHERE user_id = ?");
        self.first_number(&sql, user_id).expect("the record exists") == 1
    }

    /// Whether the outbox holds the user's `event` after a failed try, claimed by no process:
    /// any replica may deliver it once it is due.
    pub fn event_waits_for_a_retry(&self, event: &str, user_id: &str) -> bool {
        let sql = format!(
            "SELECT COUNT(*) FROM outbox WHERE user_id = ? AND event = '{event}' \
             AND attempts > 0 AND claimed_until IS NULL"
        );
        self.first_number(&sql, user_id).is_some_and(|n| n > 0)
    }

    /// The first row's single number of `sql`, which takes the user's id as its one parameter.
    fn first_number(&self, sql: &str, user_id: &str) -> Option<i64> {
        match self {
            TestDatabase::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.query_row(sql, [user_id], |row| row.get::<_, Option<i64>>(0)).ok().flatten()
            }
            TestDatabase::MariaDb { url, .. } => {
                let mut conn = mysql::Conn::new(mysql::Opts::from_url(url).unwrap()).unwrap();
                // Galera: see what another node committed before this read.
                mysql::prelude::Queryable::query_drop(&mut conn, "SET SESSION wsrep_sync_wait = 1").unwrap();
                let first: Option<Option<i64>> =
                    mysql::prelude::Queryable::exec_first(&mut conn, sql, (user_id,)).unwrap();
                first.flatten()
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::MariaDb { name, admin_url, .. } = self {
            if let Ok(mut conn) = mysql::Conn::new(mysql::Opts::from_url(admin_url).unwrap()) {
                let _ = mysql::prelude::Queryable::query_drop(
                    &mut conn,
                    format!("DROP DATABASE IF EXISTS {name}"),
                );
            }
        }
    }
}
