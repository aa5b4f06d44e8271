//! The shared MariaDB/MySQL store, for several replicas on one database: the pool, migrations
//! with a schema-version table, and one blocking closure per unit of work, retried on deadlocks
//! and Galera certification conflicts, an outage answered as `Unavailable` (and logged once).
//! No record cache (another replica's write would make it stale) and nothing cleared at
//! startup (leases lapse by time).
mod enrollments;
mod flow;
mod migrations;
mod outage;
mod records;
mod recovery;
mod reminders;

use super::{sql, Health, KeyCheck, StoreError};
use async_trait::async_trait;
use mysql::prelude::Queryable;
use mysql::OptsBuilder;
use r2d2::Pool;
use r2d2_mysql::MySqlConnectionManager;
use std::sync::Arc;
use std::time::Duration;

/// How many times a transaction is tried before the caller gets 503.
const TRIES: u32 = 5;
/// How long a unit of work waits for a connection before it is answered 503.
const CONNECTION_WAIT: Duration = Duration::from_secs(3);
/// The same while an outage is known to be in progress.
const OUTAGE_WAIT: Duration = Duration::from_millis(500);

type Conn = r2d2::PooledConnection<MySqlConnectionManager>;

#[derive(Clone)]
pub struct MariaStore {
    pool: Pool<MySqlConnectionManager>,
    outage: Arc<outage::Outage>,
}

/// Galera: every read waits until this node has applied what the cluster committed before it,
/// so a replica on another node sees a write the moment it was answered. Servers without
/// Galera ignore it (MariaDB) or lack it (MySQL: 1193).
#[derive(Debug)]
struct CausalReads;

impl r2d2::CustomizeConnection<mysql::Conn, mysql::Error> for CausalReads {
    fn on_acquire(&self, conn: &mut mysql::Conn) -> Result<(), mysql::Error> {
        match conn.query_drop("SET SESSION wsrep_sync_wait = 1") {
            Err(mysql::Error::MySqlError(err)) if err.code == 1193 => Ok(()),
            other => other,
        }
    }
}

impl MariaStore {
    /// Connects and brings the schema up to date (refusing a database newer than this binary).
    pub fn open(url: &str, pool_size: u32) -> Result<Self, StoreError> {
        let opts = mysql::Opts::from_url(url)
            .map_err(|_| StoreError::Corrupt("database.url cannot be read".into()))?;
        // Affected rows count the rows a WHERE matched, as SQLite does, not only those changed.
        let opts = OptsBuilder::from_opts(opts)
            .additional_capabilities(mysql::consts::CapabilityFlags::CLIENT_FOUND_ROWS)
            // A server that is gone is answered 503 within a few seconds, not after the OS's.
            .tcp_connect_timeout(Some(Duration::from_secs(2)))
            // A lock wait is retried (below): fail it fast rather than after InnoDB's 50 s.
            .init(vec![
                "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                "SET SESSION innodb_lock_wait_timeout = 3",
            ]);
        let manager = MySqlConnectionManager::new(opts);
        let outage = Arc::new(outage::Outage::default());
        let pool = Pool::builder()
            .max_size(pool_size)
            .connection_timeout(CONNECTION_WAIT)
            .connection_customizer(Box::new(CausalReads))
            .error_handler(Box::new(outage::PoolErrors(outage.clone())))
            .build(manager)?;
        let mut conn = pool.get()?;
        migrations::apply(&mut conn)?;
        Ok(Self { pool, outage })
    }

    /// Runs one unit of work on the blocking pool. A deadlock (1213), a Galera certification
    /// conflict (also 1213) or a lock wait timeout (1205) rolls the work back: it runs again,
    /// up to `TRIES` times, and then answers `Contended` (503). A database that cannot serve
    /// (gone, or a Galera node outside the Primary component) answers `Unavailable` (503).
    pub(super) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut Conn) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        // The first request of an outage waits the pool's whole timeout for a connection; those
        // after it, while it lasts, wait a moment (a connection, if the database is back).
        let wait = if self.outage.is_down() { OUTAGE_WAIT } else { CONNECTION_WAIT };
        let result = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get_timeout(wait)?;
            retry_conflicts(|| work(&mut conn))
        })
        .await?;
        match result {
            Err(err) if outage::is_unavailable(&err) => {
                self.outage.down(&err);
                Err(StoreError::Unavailable(Box::new(err)))
            }
            other => {
                self.outage.up();
                other
            }
        }
    }
}

/// Runs `work` again after a conflict, with a short growing pause, at most `TRIES` times.
fn retry_conflicts<T>(work: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    match retry_while(TRIES, Duration::from_millis(5), is_conflict, work) {
        Err(StoreError::Mysql(err)) if is_conflict(&err) => Err(StoreError::Contended { tries: TRIES }),
        other => other,
    }
}

/// Runs `work` at most `tries` times while its error is one `again` names, pausing `pause`
/// times the square of the attempt between tries; the last result is returned.
pub(super) fn retry_while<T>(
    tries: u32,
    pause: Duration,
    again: impl Fn(&mysql::Error) -> bool,
    mut work: impl FnMut() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut attempt = 1;
    loop {
        match work() {
            Err(StoreError::Mysql(err)) if attempt < tries && again(&err) => {
                log::info!("database conflict ({err}); trying again ({attempt} of {tries})");
                std::thread::sleep(pause * attempt * attempt);
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Worth running the work again: a deadlock or Galera certification conflict (1213), a lock
/// wait timeout (1205), or a duplicate key (1062): two first PUTs for one user both found no
/// record at READ COMMITTED; run again, the second finds the first's and renews it.
fn is_conflict(err: &mysql::Error) -> bool {
    matches!(err, mysql::Error::MySqlError(e) if matches!(e.code, 1213 | 1205 | 1062))
}

/// Runs `work` in a transaction (committed when it returns `Ok`).
pub(super) fn in_transaction<T>(
    conn: &mut Conn,
    work: impl FnOnce(&mut mysql::Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut tx = conn.start_transaction(mysql::TxOpts::default())?;
    let result = work(&mut tx)?;
    tx.commit()?;
    Ok(result)
}

#[async_trait]
impl Health for MariaStore {
    /// Reads a table: a Galera node outside the Primary component answers `SELECT 1` but
    /// refuses every table (1047), and must not be called ready.
    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| Ok(conn.query_drop("SELECT version FROM setpass_schema WHERE id = 1")?)).await
    }

    async fn check_key(&self, check: Vec<u8>) -> Result<KeyCheck, StoreError> {
        self.run(move |conn| {
            conn.exec_drop("INSERT IGNORE INTO meta (name, value) VALUES ('key_check', ?)", (&check,))?;
            if conn.affected_rows() == 1 {
                return Ok(KeyCheck::Stored);
            }
            let stored: Option<Vec<u8>> = conn.query_first(sql::READ_KEY_CHECK)?;
            Ok(if stored.as_deref() == Some(&check[..]) { KeyCheck::Matches } else { KeyCheck::Differs })
        })
        .await
    }
}

/// What `setpass doctor` reads of a shared database without changing it.
pub struct SharedInspection {
    pub version: i64,
    pub latest: i64,
    /// The key check value the database holds, if any.
    pub key_check: Option<Vec<u8>>,
}

pub fn inspect(url: &str) -> Result<SharedInspection, StoreError> {
    let opts =
        mysql::Opts::from_url(url).map_err(|_| StoreError::Corrupt("database.url cannot be read".into()))?;
    let opts = OptsBuilder::from_opts(opts).tcp_connect_timeout(Some(Duration::from_secs(5)));
    let mut conn = mysql::Conn::new(opts)?;
    let version = migrations::version(&mut conn)?;
    let key_check = match conn.query_first::<Vec<u8>, _>(sql::READ_KEY_CHECK) {
        Ok(found) => found,
        Err(mysql::Error::MySqlError(err)) if err.code == 1146 => None,
        Err(err) => return Err(err.into()),
    };
    Ok(SharedInspection { version, latest: migrations::latest(), key_check })
}

#[cfg(test)]
pub(super) mod tests {
    use super::{retry_conflicts, TRIES};
    use crate::store::StoreError;

    /// A server's error with `code` (the message is not read).
    pub(super) fn error(code: u16) -> StoreError {
        StoreError::Mysql(mysql::Error::MySqlError(mysql::MySqlError {
            state: "HY000".into(),
            message: "an error the server answered".into(),
            code,
        }))
    }

    #[test]
    fn a_deadlock_is_tried_again_and_then_answered_as_contended() {
        let mut calls = 0;
        let result = retry_conflicts(|| {
            calls += 1;
            if calls < 3 {
                Err(error(1213))
            } else {
                Ok(calls)
            }
        });
        assert_eq!(result.unwrap(), 3);

        let mut calls = 0;
        let result: Result<(), _> = retry_conflicts(|| {
            calls += 1;
            Err(error(1213))
        });
        assert!(matches!(result, Err(StoreError::Contended { tries: TRIES })));
        assert_eq!(calls, TRIES);
    }

    #[test]
    fn other_errors_are_not_tried_again() {
        let mut calls = 0;
        let result: Result<(), _> = retry_conflicts(|| {
            calls += 1;
            Err(error(1146))
        });
        assert!(matches!(result, Err(StoreError::Mysql(_))));
        assert_eq!(calls, 1);
    }
}
