//! Numbered migrations for MariaDB/MySQL (the same numbers as SQLite's), tracked in
//! `setpass_schema` and applied one statement at a time. Replicas starting together, on one
//! server or on several Galera nodes, take turns by a lease row: a named lock (`GET_LOCK`) is
//! local to one Galera node, while a compare-and-set on a row is certified cluster-wide.
use crate::store::StoreError;
use mysql::prelude::Queryable;
use std::time::{Duration, Instant};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/mariadb/0001_init.sql"),
    include_str!("../../../migrations/mariadb/0002_flow.sql"),
    include_str!("../../../migrations/mariadb/0003_notify.sql"),
    include_str!("../../../migrations/mariadb/0004_locale.sql"),
    include_str!("../../../migrations/mariadb/0005_meta.sql"),
    include_str!("../../../migrations/mariadb/0006_outbox.sql"),
    include_str!("../../../migrations/mariadb/0007_enrollments.sql"),
    include_str!("../../../migrations/mariadb/0008_authenticator_only.sql"),
    include_str!("../../../migrations/mariadb/0009_list_and_reminders.sql"),
];

/// How long a lease lasts without being renewed (each statement renews it). A replica that
/// died holding it is taken over once it lapses; the database's clock decides.
const LEASE_SECS: i64 = 60;
/// How long a starting replica waits for another one's migration before it gives up.
const WAIT_FOR_OTHERS: Duration = Duration::from_secs(2 * LEASE_SECS as u64 + 30);
/// How many times one statement is tried on a deadlock or a certification conflict.
const TRIES: u32 = 10;

pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// The schema version; 0 for a database setpass never wrote.
pub fn version(conn: &mut impl Queryable) -> Result<i64, StoreError> {
    match conn.query_first::<i64, _>("SELECT version FROM setpass_schema WHERE id = 1") {
        Ok(found) => Ok(found.unwrap_or(0)),
        Err(mysql::Error::MySqlError(err)) if err.code == 1146 => Ok(0),
        Err(err) => Err(err.into()),
    }
}

/// Brings the schema up to date, or waits while another replica does.
pub fn apply(conn: &mut mysql::Conn) -> Result<(), StoreError> {
    // The pool's connection reads causally on Galera (`CausalReads`): a version or a lease
    // another node just wrote is seen.
    retried(|| {
        conn.query_drop(
            "CREATE TABLE IF NOT EXISTS setpass_schema (id TINYINT PRIMARY KEY, version INT NOT NULL) ENGINE = InnoDB",
        )?;
        conn.query_drop("INSERT IGNORE INTO setpass_schema (id, version) VALUES (1, 0)")?;
        // `steps`: how many statements of migration `version + 1` are in (a migration that
        // was cut off half-way goes on from there).
        conn.query_drop(
            "CREATE TABLE IF NOT EXISTS setpass_migration_lease (id TINYINT PRIMARY KEY, holder VARCHAR(64) NULL, \
             lease_until BIGINT NOT NULL, steps INT NOT NULL) ENGINE = InnoDB",
        )?;
        conn.query_drop("INSERT IGNORE INTO setpass_migration_lease (id, holder, lease_until, steps) VALUES (1, NULL, 0, 0)")?;
        Ok(())
    })?;
    let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let started = Instant::now();
    let mut announced = false;
    loop {
        let current = retried(|| version(conn))?;
        if current > latest() {
            return Err(StoreError::TooNew { found: current, known: latest() });
        }
        if current == latest() {
            return Ok(());
        }
        if take_lease(conn, &holder)? {
            let result = migrate(conn, &holder);
            release_lease(conn, &holder);
            return result;
        }
        if started.elapsed() > WAIT_FOR_OTHERS {
            return Err(StoreError::MigrationLock);
        }
        if !announced {
            log::info!("another replica is migrating the database; waiting for it");
            announced = true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Takes the lease if nobody holds it or the holder's lapsed. Galera certifies the update
/// against every other node's: of two replicas taking it at once, one gets a conflict (1213),
/// tries again and finds it held.
fn take_lease(conn: &mut mysql::Conn, holder: &str) -> Result<bool, StoreError> {
    retried(|| {
        conn.exec_drop(
            "UPDATE setpass_migration_lease SET holder = ?, lease_until = UNIX_TIMESTAMP() + ? \
             WHERE id = 1 AND (holder IS NULL OR lease_until < UNIX_TIMESTAMP())",
            (holder, LEASE_SECS),
        )?;
        Ok(conn.affected_rows() == 1)
    })
}

fn release_lease(conn: &mut mysql::Conn, holder: &str) {
    let released = retried(|| {
        Ok(conn.exec_drop(
            "UPDATE setpass_migration_lease SET holder = NULL, lease_until = 0 WHERE id = 1 AND holder = ?",
            (holder,),
        )?)
    });
    if let Err(err) = released {
        log::warn!("releasing the migration lease failed ({err}); it lapses in {LEASE_SECS} s");
    }
}

/// Applies every migration the database lacks, statement by statement, under the lease.
fn migrate(conn: &mut mysql::Conn, holder: &str) -> Result<(), StoreError> {
    let current = retried(|| version(conn))?;
    // Only the first statement this replica runs can meet a cut-off's leftovers.
    let mut first = true;
    let mut resumed = retried(|| {
        Ok(conn.query_first::<i64, _>("SELECT steps FROM setpass_migration_lease WHERE id = 1")?.unwrap_or(0))
    })?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let statements = statements(sql);
        if resumed > 0 {
            log::warn!("migration {version} was cut off after {resumed} statement(s); going on from there");
        }
        for (step, statement) in statements.iter().enumerate().skip(resumed as usize) {
            // A replica cut off after a statement committed (DDL commits by itself) and before
            // its record leaves it in without the record: for the first statement this replica
            // runs, a table, column or index that already exists is taken as done. Any other
            // statement cannot have run yet.
            let first_after_cut = std::mem::take(&mut first);
            match retried(|| Ok(conn.query_drop(statement)?)) {
                Err(StoreError::Mysql(mysql::Error::MySqlError(err)))
                    if first_after_cut && matches!(err.code, 1050 | 1060 | 1061) =>
                {
                    log::warn!(
                        "migration {version}, statement {}: already applied ({})",
                        step + 1,
                        err.message
                    );
                }
                other => other?,
            }
            let renewed = retried(|| {
                conn.exec_drop(
                    "UPDATE setpass_migration_lease SET steps = ?, lease_until = UNIX_TIMESTAMP() + ? \
                     WHERE id = 1 AND holder = ?",
                    (step as i64 + 1, LEASE_SECS, holder),
                )?;
                Ok(conn.affected_rows() == 1)
            })?;
            if !renewed {
                // Another replica took a lapsed lease: it goes on from the recorded step.
                return Err(StoreError::MigrationLock);
            }
        }
        retried(|| {
            let mut tx = conn.start_transaction(mysql::TxOpts::default())?;
            tx.exec_drop("UPDATE setpass_schema SET version = ? WHERE id = 1", (version,))?;
            tx.exec_drop(
                "UPDATE setpass_migration_lease SET steps = 0 WHERE id = 1 AND holder = ?",
                (holder,),
            )?;
            tx.commit()?;
            Ok(())
        })?;
        resumed = 0;
        log::info!("database migrated to schema version {version}");
    }
    Ok(())
}

/// The statements of one migration file: `--` comment lines dropped, split at `;`.
fn statements(sql: &str) -> Vec<String> {
    let text: String = sql
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .map(|line| format!("{line}\n"))
        .collect();
    text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// Runs `work` again on a deadlock, a Galera certification conflict (1213) or a lock wait
/// timeout (1205), with a short growing pause, at most `TRIES` times.
fn retried<T>(work: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    let conflict =
        |err: &mysql::Error| matches!(err, mysql::Error::MySqlError(e) if matches!(e.code, 1213 | 1205));
    super::retry_while(TRIES, Duration::from_millis(10), conflict, work)
}

#[cfg(test)]
mod tests {
    use super::{statements, MIGRATIONS};

    #[test]
    fn every_migration_splits_into_statements_without_comments() {
        for sql in MIGRATIONS {
            let parts = statements(sql);
            assert!(!parts.is_empty());
            assert!(parts.iter().all(|s| !s.contains("--") && !s.ends_with(';')), "{parts:?}");
        }
        assert_eq!(
            statements("-- a; comment\nCREATE TABLE a (x INT);\n\nCREATE TABLE b (y INT);\n").len(),
            2
        );
    }
}
