//! Numbered migrations for MariaDB/MySQL (the same numbers as SQLite's), tracked in
//! `setpass_schema`. Replicas starting together take turns (a named lock); DDL is not
//! transactional there, so a step interrupted half-way needs a hand (the log names it).
use crate::store::StoreError;
use mysql::prelude::Queryable;

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

pub fn apply(conn: &mut mysql::Conn) -> Result<(), StoreError> {
    match conn.query_first::<Option<i64>, _>("SELECT GET_LOCK('setpass_migrations', 60)") {
        Ok(Some(Some(1))) => {}
        // Some Galera releases refuse GET_LOCK (1235): start one replica first, as README says.
        Err(mysql::Error::MySqlError(err)) if err.code == 1235 => {
            log::warn!("the database has no named locks (Galera): migrating without one");
            return apply_locked(conn);
        }
        Ok(_) => return Err(StoreError::MigrationLock),
        Err(err) => return Err(err.into()),
    }
    let result = apply_locked(conn);
    if let Err(err) = conn.query_drop("DO RELEASE_LOCK('setpass_migrations')") {
        log::warn!("releasing the migration lock failed ({err}); it goes with the connection");
    }
    result
}

fn apply_locked(conn: &mut mysql::Conn) -> Result<(), StoreError> {
    conn.query_drop(
        "CREATE TABLE IF NOT EXISTS setpass_schema (id TINYINT PRIMARY KEY, version INT NOT NULL) ENGINE = InnoDB",
    )?;
    conn.query_drop("INSERT IGNORE INTO setpass_schema (id, version) VALUES (1, 0)")?;
    let current = version(conn)?;
    if current > latest() {
        return Err(StoreError::TooNew { found: current, known: latest() });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        conn.query_drop(*sql)?;
        conn.exec_drop("UPDATE setpass_schema SET version = ? WHERE id = 1", (version,))?;
        log::info!("database migrated to schema version {version}");
    }
    Ok(())
}
